"""Benchmark of booking over HTTP (issue 5, item 9): prints one table.

Everything is real: a Zope instance with a FileStorage in a temporary
directory (rendered by ``scripts/instance.py``: waitress has the threads of
``etc/zope.ini.in``, 4, unless ``--threads`` says otherwise), the site built
by ``zconsole run``
(``bench/lib/booking_site.py``), and one ``runwsgi`` process on 127.0.0.1,
started through ``bench/lib/booking_server.py``: Zope's own ``runwsgi`` plus,
in that process only, an ``IPubFailure`` handler counting ConflictErrors
(retried or not, by class and oid) and a tiny WSGI endpoint that hands the
counts to this script. The add-on is not changed. The temporary directory
and the server are removed at the end, also on failure.

The site: one RendezvousFolder, one ReferenceWeek (Monday to Saturday
08h00-18h00, Saturday opened in the settings), one 15-minute AppointmentType
(``3m`` horizon, no notice, visible on the portal), 10 places of 4 counters.
Free slots are read with ``GET @slots`` (from tomorrow, per counter) before
any booking, and every ``POST @bookings`` is an anonymous citizen's, with the
counter and start of a slot ``@slots`` offered. The counters are shared out
between the measures, so no two measures book the same counter:

1. latency: sequential bookings by one client on 2 counters (5 warm-up,
   then ``--bookings`` timed);
2. throughput: 1 client, then 8 concurrent clients, ``--seconds`` each, every
   client booking free slots (shuffled days and times) of its own 4 counters:
   bookings/s, answers by status, ConflictError retries per booking, and the
   ratio of the two rates (8 clients must not book fewer than 1). The clients
   are threads of this script, a process of its own: they do not share the
   server's GIL;
3. the hot-slot race: 50 clients released together on one slot, 20 rounds
   on a different slot each (2 other counters): exactly one 201 per round;
4. afterwards, ``GET @bookings`` as a Manager: the stored bookings of each
   measure's counters equal its 201 answers, every 201 code is stored, and
   no (counter, start) holds two bookings.

Usage: ``.venv/bin/python bench/booking.py [--seconds S] [--bookings N]
[--threads T] [--profile]`` from the repository root (``make bench`` runs
it). ``--threads`` edits the rendered ``zope.ini`` to give waitress T threads
instead of the production 4 (docs/performance.rst compares 2, 4 and 8).
``--profile`` profiles the sequential bookings inside the server (cProfile)
and prints the top functions after the table. Exits 0 when the run
completes, even if a target is missed (the table says so), and non-zero on
errors.
"""

from collections import Counter
from lib.harness import free_port
from lib.harness import load
from lib.harness import log
from lib.harness import machine
from lib.harness import ms
from lib.harness import Server
from lib.harness import stats
from lib.harness import table
from lib.harness import tail
from lib.harness import zconsole
from pathlib import Path

import argparse
import base64
import datetime
import http.client
import json
import math
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE_HELPER = ROOT / "bench" / "lib" / "booking_site.py"
SERVER_HELPER = ROOT / "bench" / "lib" / "booking_server.py"
ADMIN = "admin"
THREADS = None  # waitress threads: None keeps etc/zope.ini.in's (4)
WARM_UP = 5
CLIENTS = 8
COUNTERS_PER_CLIENT = 4
RACERS = 50
ROUNDS = 20
SLOT_DAYS = 30  # free slots are read from tomorrow to tomorrow + 30 days

# Targets (issue 5, item 9).
LATENCY_TARGET = 0.060  # median of a sequential booking, seconds
THROUGHPUT_TARGET = 20.0  # bookings/s with 8 clients on distinct slots
RETRIES_TARGET = 0.05  # ConflictError retries per booking, different counters


# --- the instance --------------------------------------------------------------


def render(instance: Path, port: int, threads: int | None = None) -> int:
    """scripts/instance.py; ``threads = N`` in zope.ini if given; the threads."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "instance.py"),
            str(instance),
            "--port",
            str(port),
        ],
        check=True,
    )
    ini = instance / "etc" / "zope.ini"
    text = ini.read_text()
    found = re.findall(r"(?m)^threads\s*=\s*(\d+)\s*$", text)
    if len(found) != 1:
        raise RuntimeError(f"no single 'threads =' line in {ini}")
    if threads is None:
        return int(found[0])
    text = re.sub(r"(?m)^threads\s*=\s*\d+\s*$", f"threads = {threads}", text)
    ini.write_text(text)
    return threads


# --- HTTP ----------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection; times whole requests, body included."""

    def __init__(self, port: int, auth: tuple[str, str] | None = None):
        self.port = port
        self.headers = {"Accept": "application/json"}
        if auth:
            token = base64.b64encode(":".join(auth).encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.connection = None

    def request(self, method: str, path: str, body=None) -> tuple[int, float, bytes]:
        """(status, seconds, body); status 0 when the connection failed."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, 300
                )
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return 0, time.perf_counter() - started, repr(error).encode()
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, elapsed, content

    def get_json(self, path: str):
        status, _elapsed, content = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}\n{content[:2000]!r}")
        return json.loads(content)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Booker:
    """Anonymous ``POST @bookings``; records every answer."""

    def __init__(self, port: int, info: dict, name: str):
        self.client = Client(port)
        self.path = f"{info['folder_path']}/@bookings"
        self.type = info["type_uid"]
        self.name = name
        self.answers: list[dict] = []

    def book(self, slot: tuple[str, str]) -> dict:
        start, counter = slot
        number = len(self.answers) + 1
        body = {
            "type": self.type,
            "start": start,
            "counter": counter,
            "beneficiary": f"Bench {self.name} {number}",
            "email": f"bench-{self.name}-{number}@example.org",
        }
        status, elapsed, content = self.client.request("POST", self.path, body)
        answer = {
            "status": status,
            "seconds": elapsed,
            "start": start,
            "counter": counter,
            "done": time.perf_counter(),
        }
        if status == 201:
            reply = json.loads(content)
            answer["code"] = reply["code"]
            if reply["counter"] != counter or reply["start"] != start:
                answer["mismatch"] = f"{reply['counter']} {reply['start']}"
        elif status != 409:
            answer["error"] = content[:500].decode(errors="replace")
        self.answers.append(answer)
        return answer


def bench_counts(port: int) -> dict:
    """The server's ConflictError counts (bench/lib/booking_server.py)."""
    return Client(port).get_json("/__bench__/counts")


def profile_action(port: int, action: str) -> str:
    status, _elapsed, content = Client(port).request(
        "POST", f"/__bench__/profile/{action}"
    )
    if status != 200:
        raise RuntimeError(f"profile {action}: {status} {content[:500]!r}")
    return content.decode()


def free_slots(client: Client, info: dict, counter: str) -> list[tuple[str, str]]:
    """(start, counter) of the counter's free slots, tomorrow + SLOT_DAYS."""
    first = datetime.date.fromisoformat(info["today"]) + datetime.timedelta(days=1)
    query = urllib.parse.urlencode(
        {
            "type": info["type_uid"],
            "counter": counter,
            "start": first.isoformat(),
            "end": (first + datetime.timedelta(days=SLOT_DAYS)).isoformat(),
        }
    )
    body = client.get_json(f"{info['folder_path']}/@slots?{query}")
    return [(item["start"], item["counter"]) for item in body["items"]]


# --- the measures ----------------------------------------------------------------


def statuses(answers: list[dict]) -> dict:
    counts = Counter(answer["status"] for answer in answers)
    return {
        "201": counts[201],
        "409": counts[409],
        "4xx": sum(n for s, n in counts.items() if 400 <= s < 500 and s != 409),
        "5xx": sum(n for s, n in counts.items() if s >= 500),
        "other": sum(n for s, n in counts.items() if s < 400 and s != 201),
    }


def measure_latency(port, info, slots, bookings, profile) -> dict:
    booker = Booker(port, info, "latency")
    try:
        for slot in slots[:WARM_UP]:
            booker.book(slot)
        text = ""
        if profile:
            profile_action(port, "start")
        for slot in slots[WARM_UP : WARM_UP + bookings]:
            booker.book(slot)
        if profile:
            text = profile_action(port, "stop")
    finally:
        booker.client.close()
    timed = booker.answers[WARM_UP:]
    return {
        "answers": booker.answers,
        "timed": stats([a["seconds"] for a in timed if a["status"] == 201]),
        "profile": text,
    }


def measure_throughput(port, info, slots_of_clients, seconds) -> dict:
    """Each client books its own free slots for ``seconds``, at once."""
    bookers = [
        Booker(port, info, f"c{n}-{len(slots_of_clients)}")
        for n in range(len(slots_of_clients))
    ]
    barrier = threading.Barrier(len(bookers) + 1)
    failures = []
    started = {}

    def work(booker, slots):
        try:
            barrier.wait()
            deadline = started["at"] + seconds
            for slot in slots:
                if time.perf_counter() >= deadline:
                    break
                booker.book(slot)
            else:
                failures.append(f"{booker.name} ran out of free slots")
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(f"{booker.name}: {error!r}")
        finally:
            booker.client.close()

    threads = [
        threading.Thread(target=work, args=(booker, slots), daemon=True)
        for booker, slots in zip(bookers, slots_of_clients, strict=True)
    ]
    for thread in threads:
        thread.start()
    started["at"] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("; ".join(failures))
    answers = [answer for booker in bookers for answer in booker.answers]
    elapsed = max(answer["done"] for answer in answers) - started["at"]
    counts = statuses(answers)
    return {
        "answers": answers,
        "clients": len(bookers),
        "elapsed": elapsed,
        "rate": counts["201"] / elapsed,
        "counts": counts,
        "latency": stats([a["seconds"] for a in answers if a["status"] == 201]),
    }


def measure_race(port, info, slots) -> dict:
    """RACERS clients released together on one slot, ROUNDS times."""
    bookers = [Booker(port, info, f"r{n}") for n in range(RACERS)]
    go = threading.Barrier(RACERS + 1)
    done = threading.Barrier(RACERS + 1)
    current = {}
    failures = []

    def work(booker):
        try:
            for _round in range(ROUNDS):
                go.wait()
                booker.book(current["slot"])
                done.wait()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(f"{booker.name}: {error!r}")
            go.abort()
            done.abort()
        finally:
            booker.client.close()

    threads = [
        threading.Thread(target=work, args=(booker,), daemon=True) for booker in bookers
    ]
    for thread in threads:
        thread.start()
    rounds = []
    try:
        for n in range(ROUNDS):
            current["slot"] = slots[n]
            began = time.perf_counter()
            go.wait()
            done.wait()
            answers = [booker.answers[n] for booker in bookers]
            rounds.append(
                {
                    "slot": slots[n],
                    "counts": statuses(answers),
                    "seconds": time.perf_counter() - began,
                }
            )
    except threading.BrokenBarrierError:
        pass
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise RuntimeError("; ".join(failures))
    answers = [answer for booker in bookers for answer in booker.answers]
    return {"answers": answers, "rounds": rounds, "counts": statuses(answers)}


def verify(admin: Client, info: dict, measures: dict) -> dict:
    """GET @bookings as a Manager against the 201 answers of each measure."""
    started = time.perf_counter()
    listing = admin.get_json(f"{info['folder_path']}/@bookings")
    seconds = time.perf_counter() - started
    items = listing["items"]
    booked = [item for item in items if item["state"] == "booked"]
    per_slot = Counter((item["counter"], item["start"]) for item in booked)
    stored_codes = {item["code"] for item in items}
    result = {
        "seconds": seconds,
        "stored": len(items),
        "items_total": listing["items_total"],
        "doubles": sum(1 for n in per_slot.values() if n > 1),
        "measures": {},
    }
    all_codes = set()
    for name, (measure, counters) in measures.items():
        codes = {a["code"] for a in measure["answers"] if a["status"] == 201}
        all_codes |= codes
        stored = [item for item in items if item["counter"] in counters]
        result["measures"][name] = {
            "created": len(codes),
            "stored": len(stored),
            "lost": len(codes - stored_codes),
            "extra": len({item["code"] for item in stored} - codes),
            "mismatch": sum(1 for a in measure["answers"] if "mismatch" in a),
        }
    result["created"] = len(all_codes)
    result["lost"] = len(all_codes - stored_codes)
    result["extra"] = len(stored_codes - all_codes)
    return result


def delta(after: dict, before: dict) -> dict:
    objects = Counter(after["objects"])
    objects.subtract(before["objects"])
    return {
        "conflicts": after["conflicts"] - before["conflicts"],
        "retried": after["retried"] - before["retried"],
        "objects": {key: n for key, n in objects.items() if n},
    }


# --- the table ---------------------------------------------------------------------


def yes(condition: bool) -> str:
    return "yes" if condition else "NO"


def status_text(counts: dict) -> str:
    text = (
        f"{counts['201']:,} × 201, {counts['409']:,} × 409, "
        f"{counts['4xx']:,} other 4xx, {counts['5xx']:,} 5xx"
    )
    if counts["other"]:
        text += f", {counts['other']:,} other (no answer or not 2xx/4xx/5xx)"
    return text


def retries_text(conflicts: dict, bookings: int) -> str:
    per = conflicts["retried"] / bookings if bookings else math.nan
    text = f"{per:.3f} ({conflicts['retried']} retries / {bookings:,} bookings"
    given_up = conflicts["conflicts"] - conflicts["retried"]
    if given_up:
        text += f"; {given_up} ConflictErrors not retried"
    return text + ")"


def rows_of(results: dict) -> list[tuple[str, str, str, str]]:
    latency = results["latency"]
    one, eight = results["one"], results["eight"]
    race = results["race"]
    checked = results["verify"]
    timed = latency["timed"]
    lat_counts = statuses(latency["answers"])
    rows = [
        (
            f"POST @bookings, 1 client, sequential ({timed['n']} timed)",
            f"median {ms(timed['median'])} (min {ms(timed['min'])}, "
            f"p95 {ms(timed['p95'])})",
            "median ≤ 60 ms",
            yes(
                timed["median"] <= LATENCY_TARGET
                and lat_counts["201"] == len(latency["answers"])
            ),
        ),
        (
            "  ConflictError retries",
            retries_text(results["conflicts"]["latency"], lat_counts["201"]),
            "",
            "",
        ),
    ]
    for label, measure, key in (
        ("1 client", one, "one"),
        (f"{CLIENTS} clients, different counters", eight, "eight"),
    ):
        counts = measure["counts"]
        if key == "one":
            target, ok = "", ""
        else:
            target = "≥ 20/s"
            ok = yes(measure["rate"] >= THROUGHPUT_TARGET)
        rows += [
            (
                f"Throughput, {label}, {measure['elapsed']:.0f} s",
                f"{measure['rate']:.1f} bookings/s",
                target,
                ok,
            ),
            (
                "  answers",
                status_text(counts),
                "only 201 and 409",
                yes(counts["201"] + counts["409"] == len(measure["answers"])),
            ),
            (
                "  latency of a booking",
                f"median {ms(measure['latency']['median'])} "
                f"(p95 {ms(measure['latency']['p95'])})",
                "",
                "",
            ),
            (
                "  ConflictError retries per booking",
                retries_text(results["conflicts"][key], counts["201"]),
                "< 0.05" if key == "eight" else "",
                yes(
                    counts["201"] > 0
                    and results["conflicts"][key]["retried"]
                    < RETRIES_TARGET * counts["201"]
                )
                if key == "eight"
                else "",
            ),
        ]
    ratio = eight["rate"] / one["rate"] if one["rate"] else math.nan
    rows.append(
        (
            f"Ratio {CLIENTS} clients / 1 client",
            f"{ratio:.2f} ({eight['rate']:.1f} / {one['rate']:.1f} bookings/s)",
            "≥ 1.00",
            yes(ratio >= 1),
        )
    )
    winners = sum(1 for r in race["rounds"] if r["counts"]["201"] == 1)
    round_median = statistics.median(r["seconds"] for r in race["rounds"])
    clean = sum(
        1
        for r in race["rounds"]
        if r["counts"]["201"] == 1 and r["counts"]["409"] == RACERS - 1
    )
    rows += [
        (
            f"Hot slot: {RACERS} clients on one slot, {ROUNDS} rounds",
            f"{winners} of {len(race['rounds'])} rounds with exactly one 201, "
            f"{clean} with the {RACERS - 1} others 409",
            "one 201 each round, rest 409",
            yes(winners == clean == ROUNDS),
        ),
        (
            "  answers",
            status_text(race["counts"]),
            "0 5xx",
            yes(race["counts"]["5xx"] == 0),
        ),
        (
            "  ConflictError retries",
            f"{results['conflicts']['race']['retried']} "
            f"({results['conflicts']['race']['retried'] / ROUNDS:.1f} per round); "
            f"round median {ms(round_median)}",
            "",
            "",
        ),
    ]
    fives = sum(statuses(m["answers"])["5xx"] for m in (latency, one, eight, race))
    others = sum(
        statuses(m["answers"])[k]
        for m in (latency, one, eight, race)
        for k in ("4xx", "5xx", "other")
    )
    rows += [
        (
            "All runs: 5xx / errors other than 409",
            f"{fives} / {others}",
            "0 / 0",
            yes(fives == 0 and others == 0),
        ),
        (
            "Stored (GET @bookings as Manager) vs 201 answers",
            f"{checked['stored']:,} stored, {checked['created']:,} × 201; "
            f"{checked['lost']} lost, {checked['extra']} extra",
            "equal, 0 lost",
            yes(
                checked["stored"] == checked["created"]
                and checked["lost"] == 0
                and checked["extra"] == 0
                and all(
                    m["stored"] == m["created"] and not m["mismatch"]
                    for m in checked["measures"].values()
                )
            ),
        ),
        (
            "  per measure (stored / 201)",
            ", ".join(
                f"{name} {m['stored']}/{m['created']}"
                for name, m in checked["measures"].items()
            ),
            "",
            "",
        ),
        (
            "(counter, start) holding two bookings",
            str(checked["doubles"]),
            "0",
            yes(checked["doubles"] == 0),
        ),
    ]
    return rows


def conflicting_objects(results: dict, described: dict) -> list[str]:
    """One line per conflicting object: measure, count, class, oid, owner."""
    lines = []
    for key in ("latency", "one", "eight", "race"):
        objects = results["conflicts"][key]["objects"]
        for where, n in sorted(objects.items(), key=lambda item: -item[1]):
            name, _space, oid = where.rpartition(" ")
            owner = described.get(oid, "")
            lines.append(f"  {key:<7} {n:>4} × {name} {oid}  {owner}")
    return lines


# --- main ----------------------------------------------------------------------------


def run(seconds: float, bookings: int, profile: bool, threads: int | None) -> int:
    given_threads = threads is not None
    instance = Path(tempfile.mkdtemp(prefix="rendezvous-bench-booking-"))
    server = None
    try:
        load_before = load()
        port = free_port()
        threads = render(instance, port, threads)
        password = secrets.token_urlsafe(16)
        log(f"Building the site in {instance}")
        built = zconsole(instance, SITE_HELPER, "build", BENCH_ADMIN_PASSWORD=password)
        info = built["info"]
        counters = [c["uid"] for c in info["counters"]]
        need = CLIENTS * COUNTERS_PER_CLIENT + COUNTERS_PER_CLIENT + 4
        if len(counters) < need:
            raise RuntimeError(f"{len(counters)} counters, {need} needed")
        groups = {
            "eight": [
                counters[n * COUNTERS_PER_CLIENT : (n + 1) * COUNTERS_PER_CLIENT]
                for n in range(CLIENTS)
            ],
            "one": [counters[32:36]],
            "latency": counters[36:38],
            "race": counters[38:40],
        }
        log(f"Serving it on 127.0.0.1:{port} ({threads} waitress threads)")
        server = Server(instance, port, [sys.executable, str(SERVER_HELPER)])
        server.start()
        admin = Client(port, auth=(ADMIN, password))
        anonymous = Client(port)
        generator = random.Random(20261128)

        def slots_of(uids: list[str]) -> list[tuple[str, str]]:
            slots = [slot for uid in uids for slot in free_slots(anonymous, info, uid)]
            generator.shuffle(slots)
            return slots

        log("Reading free slots with GET @slots")
        slots = {
            "latency": slots_of(groups["latency"]),
            "one": [slots_of(uids) for uids in groups["one"]],
            "eight": [slots_of(uids) for uids in groups["eight"]],
            "race": slots_of(groups["race"]),
        }
        anonymous.close()
        results: dict = {"conflicts": {}}
        counts = bench_counts(port)

        def phase(key: str, function, *args):
            nonlocal counts
            value = function(*args)
            after = bench_counts(port)
            results["conflicts"][key] = delta(after, counts)
            counts = after
            results[key] = value
            if not server.alive():
                raise RuntimeError(f"the server died:\n{tail(server.logfile)}")

        log(f"Latency: {WARM_UP} + {bookings} sequential bookings")
        phase(
            "latency",
            measure_latency,
            port,
            info,
            slots["latency"],
            bookings,
            profile,
        )
        log(f"Throughput: 1 client, {seconds:.0f} s")
        phase("one", measure_throughput, port, info, slots["one"], seconds)
        log(f"Throughput: {CLIENTS} clients, {seconds:.0f} s")
        phase("eight", measure_throughput, port, info, slots["eight"], seconds)
        log(f"Hot slot: {RACERS} clients, {ROUNDS} rounds")
        phase("race", measure_race, port, info, slots["race"])
        log("Checking the stored bookings with GET @bookings")
        results["verify"] = verify(
            admin,
            info,
            {
                "latency": (results["latency"], set(groups["latency"])),
                "1 client": (results["one"], set(groups["one"][0])),
                f"{CLIENTS} clients": (
                    results["eight"],
                    {uid for uids in groups["eight"] for uid in uids},
                ),
                "race": (results["race"], set(groups["race"])),
            },
        )
        admin.close()
        final_counts = bench_counts(port)
        server.stop()
        oids = sorted(
            {
                where.rpartition(" ")[2]
                for key in ("latency", "one", "eight", "race")
                for where in results["conflicts"][key]["objects"]
                if where.rpartition(" ")[2].startswith("0x")
            }
        )
        log("Naming the conflicting objects and what a booking writes")
        named = zconsole(instance, SITE_HELPER, "objects", BENCH_OIDS=json.dumps(oids))
        described = named["objects"]
        rows = rows_of(results)
        print(machine())
        print(
            f"Load average (1, 5, 15 min): {load_before} at start, {load()} at end "
            "(other engineers' processes may be running on this machine)"
        )
        print(
            f"One Zope process (runwsgi, waitress threads = {threads}"
            + (", set by --threads" if given_threads else ", as in etc/zope.ini.in")
            + "), FileStorage; the clients are threads of this script, "
            "a separate process."
        )
        print(
            f"Site: {len(counters)} counters (10 places × 4), 15-minute slots, "
            "Monday-Saturday 08h00-18h00, horizon 3m, no notice; "
            f"{info['slots']:,} slots on {info['days']:,} counter-days. "
            f"Built in {built['site_seconds'] + built['content_seconds']:.0f} s.\n"
        )
        print(table(rows))
        missed, parent = [], ""
        for row in rows:
            if not row[0].startswith(" "):
                parent = row[0]
            if row[3] == "NO":
                name = row[0].strip()
                missed.append(f"{parent}: {name}" if row[0] != parent else name)
        checked = sum(1 for row in rows if row[3])
        print(f"\n{checked - len(missed)} of {checked} targets met.")
        for name in missed:
            print(f"Missed: {name}")
        failures = {
            name: n
            for name, n in final_counts["failures"].items()
            if name != "ConflictError"
        }
        lines = conflicting_objects(results, described)
        if lines:
            print("\nConflictErrors by object (measure, count, class, oid, owner):")
            print("\n".join(lines))
        writes = named["writes"]
        if writes["transactions"]:
            mean = writes["objects"] / writes["transactions"]
            print(
                "\nObjects written per booking transaction (mean of the last "
                f"{writes['transactions']}, {mean:.0f} objects each), by holder:"
            )
            for label, n in sorted(writes["groups"].items(), key=lambda item: -item[1]):
                print(f"  {n / writes['transactions']:6.1f}  {label}")
        if failures:
            print(f"\nOther failed publications in the server: {failures}")
        errors = [
            f"  {a['status']} {a['counter']} {a['start']}: {a.get('error', '')[:200]}"
            for key in ("latency", "one", "eight", "race")
            for a in results[key]["answers"]
            if a["status"] not in (201, 409)
        ]
        if errors:
            print(f"\nAnswers other than 201/409 ({len(errors)}; first 10):")
            print("\n".join(errors[:10]))
        if profile and results["latency"]["profile"]:
            print("\n=== cProfile in the server: the sequential bookings")
            print(results["latency"]["profile"])
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(instance, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=20, help="duration of each throughput run"
    )
    parser.add_argument(
        "--bookings", type=int, default=60, help="timed sequential bookings (≥ 50)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=THREADS,
        help="waitress threads (default: those of etc/zope.ini.in)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the sequential bookings inside the server",
    )
    args = parser.parse_args()
    if args.bookings < 50:
        parser.error("--bookings: at least 50")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads: at least 1")

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    return run(args.seconds, args.bookings, args.profile, args.threads)


if __name__ == "__main__":
    sys.exit(main())
