"""A ZEO cluster on one machine: one ZEO server and N Zope clients.

The set-up of the architecture's "Scale": several Zope processes sharing one database
through a ZEO server. Everything lives in one directory and listens on
127.0.0.1 only::

    DIR/cluster.json                 what ``render`` wrote (ports, options)
    DIR/zeo/etc/zeo.conf             the ZEO server (``runzeo -C``)
    DIR/zeo/var/filestorage/Data.fs  the database, and its blobs in
    DIR/zeo/var/blobstorage
    DIR/zeo/var/log/zeo.log
    DIR/client<N>/etc/zope.conf      a Zope client: etc/zope.conf.in with a
    DIR/client<N>/etc/zope.ini       <clientstorage> storage, etc/zope.ini.in
    DIR/client<N>/var/log/           event.log, access.log, runwsgi.log
    DIR/client<N>/var/blobcache      its blob cache (unless --shared-blob-dir)

The Zope files are rendered from the same templates as ``make start``
(``etc/zope.conf.in``, ``etc/zope.ini.in``); only the storage differs.

Command line (from the repository root, with the project's Python)::

    python scripts/cluster.py render DIR [--clients 2] [--zeo-port 8100]
        [--http-ports 8081,8082] [--threads 4] [--shared-blob-dir]
        [--zeo-log-level info] [--no-server-sync] [--wait-timeout 10]
        [--storage relstorage --dsn "host=... dbname=... user=..." [--keep-history]]
    python scripts/cluster.py run DIR SCRIPT [--client 1]
    python scripts/cluster.py start DIR
    python scripts/cluster.py stop DIR

``render`` (re)writes the configuration, never the data; a port given as 0
is replaced by a free one. ``run`` runs a zconsole script (``app`` is the
Zope root) against a client's zope.conf, starting the ZEO server for the
time of the script if it is not running; it sets ``ADMIN_PASSWORD_FILE`` to
``DIR/admin-password`` unless already set, so that
``run DIR scripts/create_site.py`` creates the site of ``make site``.
``start`` runs the ZEO server and the clients in the foreground until Ctrl-C
(or ``stop``), then stops them all; it also stops everything and exits 1
when one of them dies.

From Python (the test of issue 5 does this)::

    cluster = render(tmp_path, clients=2)    # free ports
    try:
        cluster.start_zeo()
        cluster.zconsole("scripts/create_site.py", env={"DEMO": "0"})
        cluster.start_clients()               # both answer HTTP
        requests.get(cluster.url(1) + "/Plone")
    finally:
        cluster.stop()                        # also: with cluster: ...

Reading one's writes: a ZEO client learns of the other clients' commits
through invalidations the server pushes asynchronously, so a request that
begins on client 2 just after a commit on client 1 may read the state before
it (a citizen books on one client and the load balancer sends the next page
to the other: "no such booking"). The clients are therefore rendered with
``server-sync true``: each transaction begins with a round trip to the
server, after which every commit finished before it is visible.
``--no-server-sync`` saves that round trip (sticky sessions). Either way the
booking guard holds: conflicts are detected by the server at commit time.

Conflict errors, the evidence that concurrent transactions met: each
client's event log has one INFO line per request retried after a
ConflictError (``Cluster.retries(n)``); with ``zeo_log_level="blather"`` the
ZEO server also logs each commit it refused, with the client's label
(``client<N>``) and the class of the object (``Cluster.zeo_conflicts()``).

When the ZEO server is down, a client's requests wait ``--wait-timeout``
seconds (10; ZEO's default is 30) for it, and Zope retries them 3 times: a
request fails after about 4 × that with a 500, unless the server is back in
the meantime; the clients reconnect by themselves. ``stop_zeo(sig)`` and
``start_zeo()`` restart it (tests/cluster/test_zeo_restart.py).

RelStorage on PostgreSQL (``--storage relstorage --dsn ...``, see
docs/relstorage.rst) replaces the ZEO server by a PostgreSQL database that
someone else runs: no ``DIR/zeo``, no ZEO process; each client's zope.conf
has a ``<relstorage>`` section with the libpq DSN. Blobs are stored in the
database (``shared-blob-dir false``) and each client keeps a bounded blob
cache in ``DIR/client<N>/var/blobcache``. ``DIR/zodbpack.conf`` is the same
storage for ``zodbpack``. RelStorage polls the database when a transaction
begins (what ``server-sync`` does for ZEO) and locks and checks the changed
rows at commit, raising the same ConflictError as ZEO.
"""

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time


ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "etc"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CONFIG_FILE = "cluster.json"
PID_FILE = "cluster.pid"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Seconds a ZEO client waits for the server (at start, and in each request
# while it is down) before ClientDisconnected; ZEO's default is 30. Zope
# retries the request 3 times, so a request fails after about 4 × this
# (+ up to 7 s of back-off): 40-47 s, within a proxy's usual 60 s.
WAIT_TIMEOUT = 10

ZEO_CONF = """\
# ZEO server of the cluster rendered by scripts/cluster.py: do not edit,
# render again.
<zeo>
  address {host}:{port}
  pid-filename {zeo}/var/zeo.pid
</zeo>

<filestorage 1>
  path {zeo}/var/filestorage/Data.fs
  blob-dir {zeo}/var/blobstorage
</filestorage>

<eventlog>
  level {log_level}
  <logfile>
    path {zeo}/var/log/zeo.log
    format %(asctime)s %(levelname)s [%(name)s] %(message)s
  </logfile>
</eventlog>
"""

# ZEO's own storage section (``%import ZEO``): ZODB's <zeoclient> lacks
# server-sync.
ZEO_CLIENT = """\
  <clientstorage>
    server {host}:{port}
    storage 1
    name zeostorage
    client-label {label}
    cache-size 128MB
    blob-dir {blob_dir}
    shared-blob-dir {shared}
    server-sync {server_sync}
    wait-timeout {wait_timeout}
  </clientstorage>"""

# RelStorage's section (``%import relstorage``): blobs in the database,
# cached per client (a blob cache is never shared between processes).
STORAGES = ("zeo", "relstorage")
RELSTORAGE_CLIENT = """\
  <relstorage>
    name relstorage
    keep-history {keep_history}
    blob-dir {blob_dir}
    shared-blob-dir false
    blob-cache-size 512MB
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>"""

# For ``zodbpack DIR/zodbpack.conf`` (and, as <destination>, zodbconvert).
ZODBPACK_CONF = """\
# The cluster's RelStorage for zodbpack, rendered by scripts/cluster.py: do
# not edit, render again. Usage: zodbpack {path}
%import relstorage
{section}
"""

# ZEO (blather): "(client1 127.0.0.1:8100) conflict error database conflict
# error (oid 0x2198, class collective.rendezvous.slots.store.DaySlots, ...)".
ZEO_CONFLICT = re.compile(r"\((\S+) [^)]*\) conflict error .*?class ([\w.]+)")
# A client's event log (Products.SiteErrorLog, INFO): "ConflictError at
# /Plone/x/@bookings: database conflict error (oid 0x2198, class ...).
# Request will be retried."
RETRY = re.compile(
    r"\] (\w+) at (\S+): (?:.*?class ([\w.]+))?.*Request will be retried"
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def answers_tcp(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def answers_http(port: int) -> bool:
    """Whether an HTTP server answers on the port, whatever the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _die_with_parent() -> None:
    """In the child (Linux): SIGTERM when the thread that started it ends.

    So that a killed test run or CLI leaves no server behind.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Process:
    """A server in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], cwd: Path, log: Path):
        self.name, self.command, self.cwd, self.log = name, command, cwd, log
        self.popen: subprocess.Popen | None = None

    def start(self, env: dict | None = None) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopped as a whole
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_until(self, ready, timeout: float) -> None:
        """Poll ``ready()`` until true; fail if the process exits or time is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                code = None if self.popen is None else self.popen.returncode
                raise RuntimeError(f"{self.name} exited ({code}):\n{tail(self.log)}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} did not answer within {timeout} s:\n{tail(self.log)}"
        )

    def stop(self, timeout: float = 20, sig: int = signal.SIGTERM) -> None:
        """``sig`` (SIGTERM) to the process group, SIGKILL if it lingers."""
        popen, self.popen = self.popen, None
        # Once reaped, its pid (the group's id) may be reused: only signal
        # the group while the leader is alive or a zombie.
        if popen is None or popen.poll() is not None:
            return
        for signum in dict.fromkeys((sig, signal.SIGKILL)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signum)
            try:
                popen.wait(timeout=timeout)
                return
            except subprocess.TimeoutExpired:
                continue
        popen.wait()


@dataclass
class Cluster:
    """A rendered cluster: its directory, ports and processes."""

    directory: Path
    zeo_port: int
    http_ports: list[int]
    shared_blob_dir: bool = False
    threads: int = 4
    zeo_log_level: str = "info"
    server_sync: bool = True
    wait_timeout: int = WAIT_TIMEOUT
    # "relstorage": no ZEO server, the clients use PostgreSQL at ``dsn``.
    storage: str = "zeo"
    dsn: str = ""
    keep_history: bool = False
    processes: dict = field(default_factory=dict, repr=False, compare=False)

    # -- where things are ------------------------------------------------------

    @property
    def clients(self) -> int:
        return len(self.http_ports)

    @property
    def zeo_dir(self) -> Path:
        return self.directory / "zeo"

    @property
    def zeo_conf(self) -> Path:
        return self.zeo_dir / "etc" / "zeo.conf"

    @property
    def zeo_log(self) -> Path:
        return self.zeo_dir / "var" / "log" / "zeo.log"

    def client_dir(self, n: int) -> Path:
        """Client ``n``, counted from 1."""
        if not 1 <= n <= self.clients:
            raise ValueError(f"there is no client {n} (1 to {self.clients})")
        return self.directory / f"client{n}"

    def zope_conf(self, n: int) -> Path:
        return self.client_dir(n) / "etc" / "zope.conf"

    def zope_ini(self, n: int) -> Path:
        return self.client_dir(n) / "etc" / "zope.ini"

    def event_log(self, n: int) -> Path:
        return self.client_dir(n) / "var" / "log" / "event.log"

    def url(self, n: int) -> str:
        self.client_dir(n)
        return f"http://{HOST}:{self.http_ports[n - 1]}"

    # -- rendering ---------------------------------------------------------------

    def write(self) -> None:
        """Write every configuration file (never the data)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.storage == "relstorage":
            self._write_zodbpack_conf()
        else:
            self._write_zeo()
        for n in range(1, self.clients + 1):
            self._write_client(n)
        config = asdict(self)
        del config["processes"]
        config["directory"] = str(self.directory)
        (self.directory / CONFIG_FILE).write_text(
            json.dumps(config, indent=2) + "\n", encoding="utf-8"
        )
        if self.storage == "relstorage":
            self._protect_dsn()

    def _write_zeo(self) -> None:
        for sub in ("etc", "var/filestorage", "var/blobstorage", "var/log"):
            (self.zeo_dir / sub).mkdir(parents=True, exist_ok=True)
        (self.zeo_dir / "var" / "blobstorage").chmod(0o700)
        self.zeo_conf.write_text(
            ZEO_CONF.format(
                host=HOST,
                port=self.zeo_port,
                zeo=self.zeo_dir,
                log_level=self.zeo_log_level,
            ),
            encoding="utf-8",
        )

    # -- RelStorage ----------------------------------------------------------------

    @property
    def zodbpack_conf(self) -> Path:
        return self.directory / "zodbpack.conf"

    def _relstorage_section(self, blob_dir: Path) -> str:
        return RELSTORAGE_CLIENT.format(
            keep_history="true" if self.keep_history else "false",
            blob_dir=blob_dir,
            # ZConfig substitutes $NAME in values: a literal $ is $$.
            dsn=self.dsn.replace("$", "$$"),
        )

    def _write_zodbpack_conf(self) -> None:
        cache = self.directory / "zodbpack-blobcache"
        cache.mkdir(exist_ok=True)
        section = self._relstorage_section(cache)
        self.zodbpack_conf.write_text(
            ZODBPACK_CONF.format(path=self.zodbpack_conf, section=section),
            encoding="utf-8",
        )

    def _protect_dsn(self) -> None:
        """The DSN may hold a password: only the owner reads the files."""
        paths = [self.directory / CONFIG_FILE, self.zodbpack_conf]
        paths += [self.zope_conf(n) for n in range(1, self.clients + 1)]
        for path in paths:
            path.chmod(0o600)

    def _write_client(self, n: int) -> None:
        home = self.client_dir(n)
        for sub in ("etc", "var/log", "var/cache", "var/blobcache"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        values = {
            "@INSTANCE@": str(home),
            "@HOST@": HOST,
            "@PORT@": str(self.http_ports[n - 1]),
        }
        texts = {}
        for name in ("zope.conf", "zope.ini"):
            text = (TEMPLATES / f"{name}.in").read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace(key, value)
            texts[name] = text
        blob_dir = (
            self.zeo_dir / "var" / "blobstorage"
            if self.shared_blob_dir
            else home / "var" / "blobcache"
        )
        if self.storage == "relstorage":
            storage = self._relstorage_section(home / "var" / "blobcache")
        else:
            storage = ZEO_CLIENT.format(
                host=HOST,
                port=self.zeo_port,
                label=f"client{n}",
                blob_dir=blob_dir,
                shared="true" if self.shared_blob_dir else "false",
                server_sync="true" if self.server_sync else "false",
                wait_timeout=self.wait_timeout,
            )
        package = "relstorage" if self.storage == "relstorage" else "ZEO"
        texts["zope.conf"] = _swap(
            texts["zope.conf"],
            r"[ \t]*<filestorage>.*?</filestorage>",
            storage,
            "the <filestorage> section",
        )
        texts["zope.conf"] = _swap(
            texts["zope.conf"],
            r"(?m)^<zodb_db main>",
            f"%import {package}\n<zodb_db main>",
            "the <zodb_db main> section",
        )
        texts["zope.conf"] = _swap(
            texts["zope.conf"],
            r"[ \t]*# Single process, embedded FileStorage\.[^\n]*\n"
            r"(?:[ \t]*#[^\n]*\n)*",
            "",
            "the comment on the embedded FileStorage",
            required=False,
        )
        texts["zope.ini"] = _swap(
            texts["zope.ini"],
            r"(?m)^threads = \d+$",
            f"threads = {self.threads}",
            "the threads of [server:main]",
        )
        for name, text in texts.items():
            header = (
                f"# Client {n} of the cluster in {self.directory}, rendered by "
                f"scripts/cluster.py from etc/{name}.in.\n"
            )
            (home / "etc" / name).write_text(header + text, encoding="utf-8")
        (home / "etc" / "site.zcml").write_text(
            (TEMPLATES / "site.zcml").read_text(encoding="utf-8"), encoding="utf-8"
        )

    # -- processes -------------------------------------------------------------------

    def start_zeo(self, timeout: float = 60) -> None:
        """Start ``runzeo`` and wait until it accepts connections."""
        if self.storage != "zeo":
            raise RuntimeError(f"a {self.storage} cluster has no ZEO server")
        if answers_tcp(self.zeo_port):
            raise RuntimeError(f"port {self.zeo_port} is already in use")
        process = Process(
            "ZEO server",
            [str(BIN / "runzeo"), "-C", str(self.zeo_conf)],
            self.zeo_dir,
            self.zeo_dir / "var" / "log" / "runzeo.log",
        )
        self.processes["zeo"] = process
        process.start()
        process.wait_until(lambda: answers_tcp(self.zeo_port), timeout)

    def start_clients(self, timeout: float = 180) -> None:
        """Start every client (in parallel) and wait until they all answer."""
        for n in range(1, self.clients + 1):
            port = self.http_ports[n - 1]
            if answers_tcp(port):
                raise RuntimeError(f"port {port} is already in use")
            process = Process(
                f"Zope client {n}",
                [str(BIN / "runwsgi"), str(self.zope_ini(n))],
                self.client_dir(n),
                self.client_dir(n) / "var" / "log" / "runwsgi.log",
            )
            self.processes[f"client{n}"] = process
            process.start()
        deadline = time.monotonic() + timeout
        for n in range(1, self.clients + 1):
            port = self.http_ports[n - 1]
            self.processes[f"client{n}"].wait_until(
                lambda port=port: answers_http(port),
                max(deadline - time.monotonic(), 1),
            )

    def start(self, timeout: float = 180) -> None:
        """The ZEO server, then the clients; everything stopped on failure."""
        try:
            if self.storage == "zeo":  # RelStorage: PostgreSQL runs elsewhere
                self.start_zeo()
            self.start_clients(timeout)
        except BaseException:
            self.stop()
            raise

    def stop_clients(self) -> None:
        for name in [key for key in self.processes if key != "zeo"]:
            self.processes.pop(name).stop()

    def stop_zeo(self, sig: int = signal.SIGTERM) -> None:
        """Stop the ZEO server; ``sig=signal.SIGKILL``: a crash.

        ``start_zeo()`` starts it again on the same port and data; the
        clients reconnect by themselves (tests/cluster/test_zeo_restart.py).
        """
        process = self.processes.pop("zeo", None)
        if process is not None:
            process.stop(sig=sig)

    def stop(self) -> None:
        """Stop the clients, then the ZEO server; safe to call twice."""
        try:
            self.stop_clients()
        finally:
            self.stop_zeo()

    def dead(self) -> list[str]:
        """Names of the started processes that have exited."""
        return [p.name for p in self.processes.values() if not p.running]

    def __enter__(self) -> "Cluster":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- scripts and logs ------------------------------------------------------------

    def zconsole(
        self,
        script: Path | str,
        client: int = 1,
        env: dict | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess:
        """``zconsole run <client's zope.conf> script``; raises when it fails.

        The ZEO server must be running. Output is returned (text) and kept in
        ``client<N>/var/log/zconsole.log``.
        """
        script = Path(script).resolve()
        environment = dict(os.environ)
        environment.setdefault(
            "ADMIN_PASSWORD_FILE", str(self.directory / "admin-password")
        )
        environment.update(env or {})
        done = subprocess.run(
            [str(BIN / "zconsole"), "run", str(self.zope_conf(client)), str(script)],
            cwd=self.directory,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            text=True,
            timeout=timeout,
        )
        log = self.client_dir(client) / "var" / "log" / "zconsole.log"
        with log.open("a") as out:
            out.write(f"$ zconsole run ... {script}\n{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise RuntimeError(
                f"zconsole {script.name} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        return done

    def zeo_conflicts(self) -> list[tuple[str, str]]:
        """(client label, class) of each conflict error the ZEO server logged.

        The ZEO server logs them at level blather: render with
        ``zeo_log_level="blather"`` (or lower) to see them.
        """
        return _matches(self.zeo_log, ZEO_CONFLICT)

    def retries(self, n: int) -> list[tuple[str, str, str]]:
        """(error, path, class) of each request client ``n`` retried.

        Zope retries a request that failed with a transient error (a
        ConflictError) up to ``max-conflict-retries`` times (3); the site
        error log writes one INFO line in the event log for each retry.
        """
        return _matches(self.event_log(n), RETRY)


def _matches(path: Path, pattern: re.Pattern) -> list[tuple]:
    if not path.exists():
        return []
    text = path.read_text(errors="replace")
    return [
        tuple(group or "" for group in match.groups())
        for match in pattern.finditer(text)
    ]


def _swap(text: str, pattern: str, replacement: str, what: str, required=True):
    new, count = re.subn(pattern, lambda _m: replacement, text, count=1, flags=re.S)
    if required and count != 1:
        raise RuntimeError(f"{what} is no longer in the template: update cluster.py")
    return new


def render(
    directory: Path | str,
    clients: int = 2,
    zeo_port: int = 0,
    http_ports: list[int] | None = None,
    shared_blob_dir: bool = False,
    threads: int = 4,
    zeo_log_level: str = "info",
    server_sync: bool = True,
    wait_timeout: int = WAIT_TIMEOUT,
    storage: str = "zeo",
    dsn: str = "",
    keep_history: bool = False,
) -> Cluster:
    """Write a cluster's configuration in ``directory``; ports 0 become free ones.

    ``http_ports`` defaults to free ports. ``shared_blob_dir``: the clients
    use the server's blob directory (one machine only) instead of each its
    own blob cache filled over ZEO. ``server_sync``: see the module's
    docstring.

    ``storage="relstorage"``: the clients use RelStorage on the PostgreSQL
    database of the libpq connection string ``dsn`` ("host=... port=...
    dbname=... user=..."), history-free unless ``keep_history``; the ZEO
    options are then ignored and ``zeo_port`` is 0.
    """
    if clients < 1:
        raise ValueError("a cluster has at least one client")
    if storage not in STORAGES:
        raise ValueError(f"storage {storage!r}: one of {', '.join(STORAGES)}")
    if storage == "relstorage":
        if not dsn.strip():
            raise ValueError("RelStorage needs the PostgreSQL DSN (dsn=...)")
        if "\n" in dsn:
            raise ValueError("the DSN is one line")
        zeo_port = 0
    ports = list(http_ports) if http_ports else [0] * clients
    if len(ports) != clients:
        raise ValueError(f"{clients} clients but {len(ports)} HTTP ports")
    cluster = Cluster(
        directory=Path(directory).resolve(),
        zeo_port=zeo_port or (free_port() if storage == "zeo" else 0),
        http_ports=[],
        shared_blob_dir=shared_blob_dir,
        threads=threads,
        zeo_log_level=zeo_log_level,
        server_sync=server_sync,
        wait_timeout=wait_timeout,
        storage=storage,
        dsn=dsn.strip() if storage == "relstorage" else "",
        keep_history=keep_history,
    )
    taken = {cluster.zeo_port} - {0}
    for port in ports:
        if port in taken:
            raise ValueError(f"port {port} is given twice")
        while not port or port in taken:
            port = free_port()
        taken.add(port)
        cluster.http_ports.append(port)
    cluster.write()
    return cluster


def load(directory: Path | str) -> Cluster:
    """The cluster rendered in ``directory`` (from its cluster.json)."""
    path = Path(directory).resolve() / CONFIG_FILE
    if not path.exists():
        raise SystemExit(f"No cluster in {path.parent}: run 'render' first.")
    config = json.loads(path.read_text(encoding="utf-8"))
    config["directory"] = Path(config["directory"])
    return Cluster(**config)


# -- command line ------------------------------------------------------------------


def _ports(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("write ports as 8081,8082") from None


def _running_pid(pid_file: Path) -> int | None:
    """The pid in the file if that process is alive."""
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _safe_dsn(dsn: str) -> str:
    """The DSN to print: without its password."""
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", dsn)


def _serve(cluster: Cluster) -> int:
    """Foreground: start everything, wait for Ctrl-C/SIGTERM or a death."""
    pid_file = cluster.directory / PID_FILE

    def terminate(_signum, _frame):
        raise KeyboardInterrupt

    running = _running_pid(pid_file)
    if running:
        print(f"Already running (pid {running}).", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, terminate)
    pid_file.write_text(f"{os.getpid()}\n")
    status = 0
    try:
        try:
            cluster.start()
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        if cluster.storage == "zeo":
            print(f"ZEO server: {HOST}:{cluster.zeo_port} (log {cluster.zeo_log})")
        else:
            print(f"RelStorage on PostgreSQL: {_safe_dsn(cluster.dsn)}")
        for n in range(1, cluster.clients + 1):
            print(f"Zope client {n}: {cluster.url(n)} (log {cluster.event_log(n)})")
        print("Ctrl-C (or 'cluster.py stop DIR') stops them all.", flush=True)
        while True:
            dead = cluster.dead()
            if dead:
                print(f"Exited: {', '.join(dead)}; stopping.", file=sys.stderr)
                status = 1
                break
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()
        pid_file.unlink(missing_ok=True)
        print("Stopped.")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("render", help="write the configuration in DIR")
    make.add_argument("directory", type=Path)
    make.add_argument("--clients", type=int, default=2)
    make.add_argument(
        "--zeo-port", type=int, default=8100, help="0: a free port (default 8100)"
    )
    make.add_argument(
        "--http-ports",
        type=_ports,
        default=None,
        help="one per client, e.g. 8081,8082 (default 8081, 8082...; 0: free)",
    )
    make.add_argument("--threads", type=int, default=4, help="per client")
    make.add_argument(
        "--shared-blob-dir",
        action="store_true",
        help="the clients use the server's blob directory (one machine)",
    )
    make.add_argument(
        "--zeo-log-level",
        default="info",
        help="blather also logs every conflict error (default info)",
    )
    make.add_argument(
        "--no-server-sync",
        dest="server_sync",
        action="store_false",
        help="clients do not ask the server for news when a request begins",
    )
    make.add_argument(
        "--wait-timeout",
        type=int,
        default=WAIT_TIMEOUT,
        help=f"seconds a client waits for a ZEO server that is down "
        f"(default {WAIT_TIMEOUT})",
    )
    make.add_argument(
        "--storage",
        choices=STORAGES,
        default="zeo",
        help="relstorage: RelStorage on PostgreSQL, no ZEO server (default zeo)",
    )
    make.add_argument(
        "--dsn",
        default="",
        help='with --storage relstorage: libpq DSN, "host=... dbname=... user=..."',
    )
    make.add_argument(
        "--keep-history",
        action="store_true",
        help="with --storage relstorage: a history-preserving schema (undo)",
    )
    run = commands.add_parser("run", help="run a zconsole script on a client")
    run.add_argument("directory", type=Path)
    run.add_argument("script", type=Path)
    run.add_argument("--client", type=int, default=1)
    start = commands.add_parser("start", help="run the cluster until Ctrl-C")
    start.add_argument("directory", type=Path)
    stop = commands.add_parser("stop", help="stop a cluster run by 'start'")
    stop.add_argument("directory", type=Path)
    args = parser.parse_args(argv)

    if args.command == "render":
        if args.storage == "relstorage" and not args.dsn.strip():
            parser.error("--storage relstorage needs --dsn")
        ports = args.http_ports or [8081 + n for n in range(args.clients)]
        cluster = render(
            args.directory,
            clients=args.clients,
            zeo_port=args.zeo_port,
            http_ports=ports,
            shared_blob_dir=args.shared_blob_dir,
            threads=args.threads,
            zeo_log_level=args.zeo_log_level,
            server_sync=args.server_sync,
            wait_timeout=args.wait_timeout,
            storage=args.storage,
            dsn=args.dsn,
            keep_history=args.keep_history,
        )
        database = (
            f"ZEO on {HOST}:{cluster.zeo_port}"
            if cluster.storage == "zeo"
            else f"RelStorage on {_safe_dsn(cluster.dsn)}"
        )
        print(
            f"Rendered {cluster.directory}: {database}, "
            + ", ".join(
                f"client {n} on {cluster.http_ports[n - 1]}"
                for n in range(1, cluster.clients + 1)
            )
        )
        return 0
    cluster = load(args.directory)
    if args.command == "run":
        started = cluster.storage == "zeo" and not answers_tcp(cluster.zeo_port)
        try:
            if started:
                cluster.start_zeo()
            done = cluster.zconsole(args.script, client=args.client)
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
        finally:
            if started:
                cluster.stop_zeo()
        return 0
    if args.command == "start":
        return _serve(cluster)
    pid = _running_pid(cluster.directory / PID_FILE)
    if pid is None:
        print("Not running.")
        return 0
    os.kill(pid, signal.SIGTERM)
    print("Stopping.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
