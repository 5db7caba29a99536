"""What the benchmarks share: a real Zope in a temporary directory, run and timed.

``zconsole`` runs a phase of a helper script inside Zope (it gets ``app``
and writes its results as JSON); ``Server`` runs the WSGI server in the
background; ``table``, ``machine`` and ``load`` print the report.
"""

from pathlib import Path

import base64
import datetime
import http.client
import importlib.metadata
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import time


ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def zconsole(instance: Path, helper: Path, phase: str, **env) -> dict:
    """Run a phase of ``helper`` with ``zconsole run``; return its results."""
    output = instance / f"{phase}.json"
    logfile = instance / f"{phase}.log"
    environment = dict(os.environ, BENCH_PHASE=phase, BENCH_OUTPUT=str(output))
    environment.update({key: str(value) for key, value in env.items()})
    command = [
        str(BIN / "zconsole"),
        "run",
        str(instance / "etc" / "zope.conf"),
        str(helper),
    ]
    with logfile.open("w") as out:
        done = subprocess.run(
            command, cwd=instance, env=environment, stdout=out, stderr=out
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"zconsole phase {phase!r} failed ({done.returncode}):\n{tail(logfile)}"
        )
    return json.loads(output.read_text())


class Server:
    """A WSGI server on ``<instance>/etc/zope.ini`` in the background.

    ``command`` defaults to Zope's ``runwsgi``; a benchmark may give its own
    wrapper (it gets the zope.ini path as last argument).
    """

    def __init__(self, instance: Path, port: int, command: list[str] | None = None):
        self.instance, self.port = instance, port
        self.command = command or [str(BIN / "runwsgi")]
        self.process: subprocess.Popen | None = None
        self.logfile = instance / "runwsgi.log"

    def start(self, timeout: float = 180) -> None:
        with self.logfile.open("a") as out:
            self.process = subprocess.Popen(
                [*self.command, str(self.instance / "etc" / "zope.ini")],
                cwd=self.instance,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n"
                    f"{tail(self.logfile)}"
                )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, 2)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the server did not answer within {timeout} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("measure", "value", "target", "ok?")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(cells):
        cells = zip(cells, widths, strict=True)
        return " | ".join(c.ljust(w) for c, w in cells).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    plone = importlib.metadata.version("Products.CMFPlone")
    return (
        f"Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"Machine: {os.cpu_count()} cores, {model}, {platform.platform()}\n"
        f"Python {platform.python_version()}, Plone {plone}"
    )


def load() -> str:
    """The load average: the machine may be shared with other work."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


class JsonClient:
    """One keep-alive HTTP connection; times whole GETs, body included."""

    def __init__(self, port: int, auth=None, headers: dict | None = None):
        self.port = port
        self.headers = {"Accept": "application/json", **(headers or {})}
        if auth:
            token = base64.b64encode(":".join(auth).encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.connection = None

    def get(self, path: str) -> tuple[float, object, int]:
        """(seconds, decoded JSON body, body size in bytes) of a GET."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, 120)
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}\n{body[:2000]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return elapsed, json.loads(body), len(body)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def stats(times: list[float]) -> dict:
    """min, median, p95, max and count of durations (NaN when empty)."""
    ordered = sorted(times)
    if not ordered:
        return {"min": math.nan, "median": math.nan, "p95": math.nan, "n": 0}
    return {
        "min": ordered[0],
        "median": statistics.median(ordered),
        "p95": ordered[math.ceil(0.95 * len(ordered)) - 1],
        "max": ordered[-1],
        "n": len(ordered),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(value: float, target: float) -> str:
    return "yes" if value <= target else "NO"


def request_stats(measured: dict) -> str:
    return (
        f"median {ms(measured['median'])} (min {ms(measured['min'])}, "
        f"p95 {ms(measured['p95'])}; {measured['n']} requests)"
    )
