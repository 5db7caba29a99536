"""Benchmark of the ANTS hub's requests (issue 14): prints one table.

A Zope instance with a FileStorage in a temporary directory, the site built
inside Zope by ``zconsole run`` (``bench/lib/ants_site.py``): 10 meeting
points of 5 counters, a 15-minute CNI type, 4 months of slots, real
bookings carrying application ids and 10 % more slots taken. Then the
hub's GET requests are timed against ``runwsgi`` on 127.0.0.1, with the
hub's token, on one keep-alive connection, body included.

Targets: ``availableTimeSlots`` for the 10 meeting points over 3 months,
median ≤ 200 ms (the hub gives up after 15 s); ``searchApplicationIds``
within the hub's 5 s (its scan of the bookings to come is what is bounded:
docs/ants.rst).

Usage: ``.venv/bin/python bench/ants.py [--requests N]`` from the
repository root (``make bench`` runs it). Exits 0 when the run completes,
even if a target is missed (the table says so), non-zero on errors.
"""

from lib.harness import free_port
from lib.harness import JsonClient
from lib.harness import load
from lib.harness import log
from lib.harness import machine
from lib.harness import request_stats
from lib.harness import Server
from lib.harness import stats
from lib.harness import table
from lib.harness import verdict
from lib.harness import zconsole
from pathlib import Path

import argparse
import datetime
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse


ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "bench" / "lib" / "ants_site.py"
SITE_ID = "Plone"
BOOKINGS = 500
WARM_UP = 3
DAYS = 91

SLOTS_TARGET = 0.200
SEARCH_TARGET = 5.0


def measure(client: JsonClient, path: str, requests: int, count) -> dict:
    for _n in range(WARM_UP):
        client.get(path)
    times, sizes, counts = [], set(), set()
    for _n in range(requests):
        elapsed, body, size = client.get(path)
        times.append(elapsed)
        sizes.add(size)
        counts.add(count(body))
    return dict(stats(times), size=max(sizes), count=min(counts))


def queries(info: dict) -> dict[str, str]:
    today = datetime.date.fromisoformat(info["today"])
    base = f"/{SITE_ID}/@ants/"
    window = [
        ("start_date", today.isoformat()),
        ("end_date", (today + datetime.timedelta(days=DAYS)).isoformat()),
    ]
    points = [("meeting_point_ids", point) for point in info["meeting_points"]]
    numbers = info["numbers"]
    asked = [numbers[0], numbers[len(numbers) // 2], numbers[-1], "ABSENT0000"]
    return {
        "points": base + "getManagedMeetingPoints",
        "slots": base
        + "availableTimeSlots?"
        + urllib.parse.urlencode([*points, *window, ("reason", "CNI")]),
        "slots_two": base
        + "availableTimeSlots?"
        + urllib.parse.urlencode(
            [*points, *window, ("reason", "CNI"), ("documents_number", "2")]
        ),
        "search": base
        + "searchApplicationIds?"
        + urllib.parse.urlencode([("application_ids", n) for n in asked]),
    }


def slot_count(body) -> int:
    return sum(len(entries) for entries in body.values())


def found_count(body) -> int:
    return sum(1 for entries in body.values() if entries)


def run(requests: int) -> int:
    instance = Path(tempfile.mkdtemp(prefix="rendezvous-bench-"))
    server = None
    try:
        port = free_port()
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
        password = secrets.token_urlsafe(16)
        token = secrets.token_urlsafe(24)
        load_before = load()
        log(f"Building the site and {BOOKINGS} bookings in {instance}")
        built = zconsole(
            instance,
            HELPER,
            "build",
            BENCH_ADMIN_PASSWORD=password,
            BENCH_HUB_TOKEN=token,
            BENCH_BOOKINGS=BOOKINGS,
        )
        info = built["info"]
        log(f"Serving it on 127.0.0.1:{port}")
        server = Server(instance, port)
        server.start()
        client = JsonClient(port, headers={"X-HUB-RDV-AUTH-TOKEN": token})
        paths = queries(info)
        try:
            measured = {
                "points": measure(client, paths["points"], requests, len),
                "slots": measure(client, paths["slots"], requests, slot_count),
                "slots_two": measure(client, paths["slots_two"], requests, slot_count),
                "search": measure(client, paths["search"], requests, found_count),
            }
        finally:
            client.close()
        server.stop()
        points = len(info["meeting_points"])
        rows = [
            (
                f"availableTimeSlots, {points} meeting points, {DAYS + 1} days",
                request_stats(measured["slots"]),
                "median ≤ 200 ms",
                verdict(measured["slots"]["median"], SLOTS_TARGET),
            ),
            (
                "  returned",
                f"{measured['slots']['count']:,} slots, "
                f"{measured['slots']['size'] / 1e6:.2f} MB of JSON",
                "",
                "",
            ),
            (
                "  the same with documents_number=2",
                f"{request_stats(measured['slots_two'])}; "
                f"{measured['slots_two']['count']:,} slots",
                "",
                "",
            ),
            (
                f"getManagedMeetingPoints ({measured['points']['count']} points)",
                request_stats(measured["points"]),
                "",
                "",
            ),
            (
                f"searchApplicationIds, 4 ids, {built['bookings']} bookings to "
                "come scanned",
                request_stats(measured["search"]),
                "≤ 5 s",
                verdict(measured["search"]["max"], SEARCH_TARGET),
            ),
            (
                "  ids found",
                f"{measured['search']['count']} of 4 (3 expected)",
                "",
                "",
            ),
        ]
        print(machine())
        print(f"Load average (1, 5, 15 min): {load_before} before, {load()} after")
        print(
            f"Site and content ({info['counters']} counters, slots included) in "
            f"{built['content_seconds']:.1f} s; {built['bookings']} bookings in "
            f"{built['booking_seconds']:.1f} s; {built['taken']:,} more slots "
            "taken.\n"
        )
        print(table(rows))
        missed = [row[0].strip() for row in rows if row[3] == "NO"]
        checked = sum(1 for row in rows if row[3])
        print(f"\n{checked - len(missed)} of {checked} targets met.")
        for name in missed:
            print(f"Missed: {name}")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(instance, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per measure"
    )
    args = parser.parse_args()
    if args.requests < 5:
        parser.error("--requests: at least 5")

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    return run(args.requests)


if __name__ == "__main__":
    sys.exit(main())
