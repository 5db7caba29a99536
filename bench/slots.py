"""Benchmark of the slots at the scale of a town (issue 4): prints one table.

Everything is real: a Zope instance with a FileStorage in a temporary
directory (rendered by ``scripts/instance.py``), the site built and the
generation timed inside Zope by ``zconsole run`` (``bench/lib/slots_site.py``),
and the HTTP figures taken against ``runwsgi`` on 127.0.0.1. The temporary
directory and the server are removed at the end, also on failure.

The site: one RendezvousFolder, one ReferenceWeek (Monday to Friday
08h30-12h00 and 13h30-17h00, Saturday 09h00-12h00, Saturday opened in the
settings), one 15-minute AppointmentType with a ``6m`` horizon, 10 places of
5 counters, each counter scheduled from today to today + 7 months.

Measured: the generation of all 50 counters from scratch, one counter after
a schedule edit, a tick with nothing to do (in Zope and over HTTP), and the
anonymous ``GET @slots`` of one place over two months and of the whole site
over one week, without and then with 2,000 bookings in those windows.

Usage: ``.venv/bin/python bench/slots.py [--requests N] [--profile]`` from the
repository root (``make bench`` runs it). ``--profile`` adds the top
functions of each timed operation (cProfile, inside Zope) after the table.
Exits 0 when the run completes, even if a target is missed (the table says
so), and non-zero on errors.
"""

from lib.harness import free_port
from lib.harness import JsonClient
from lib.harness import load
from lib.harness import log
from lib.harness import machine
from lib.harness import ms
from lib.harness import request_stats
from lib.harness import Server
from lib.harness import stats
from lib.harness import table
from lib.harness import verdict
from lib.harness import zconsole
from pathlib import Path

import argparse
import datetime
import json
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HELPER = ROOT / "bench" / "lib" / "slots_site.py"
SITE_ID = "Plone"
ADMIN = "admin"
BOOKINGS = 2000
WARM_UP = 5
TICK_REQUESTS = 5
PLACE_DAYS = 61
SITE_DAYS = 6

# Targets (issue 4, item 7), in seconds.
FULL_GENERATION_TARGET = 3.0
EDIT_TARGET = 0.100
TICK_TARGET = 1.0
SLOTS_TARGET = 0.050


# --- inside Zope ---------------------------------------------------------------


# --- the WSGI server -----------------------------------------------------------------


def slots_queries(info: dict) -> dict[str, str]:
    today = datetime.date.fromisoformat(info["today"])
    base = f"{info['folder_url_path']}/@slots?"
    common = {"type": info["type_uid"], "start": today.isoformat()}
    place = dict(
        common,
        place=info["place_uid"],
        end=(today + datetime.timedelta(days=PLACE_DAYS)).isoformat(),
    )
    site = dict(common, end=(today + datetime.timedelta(days=SITE_DAYS)).isoformat())
    return {
        "place": base + urllib.parse.urlencode(place),
        "site": base + urllib.parse.urlencode(site),
        "place_by_day": base + urllib.parse.urlencode(dict(place, by="day")),
        "site_by_day": base + urllib.parse.urlencode(dict(site, by="day")),
    }


def measure_slots(port: int, info: dict, requests: int) -> dict:
    """Anonymous GET @slots: warm-up, then ``requests`` timed requests each."""
    client = JsonClient(port)
    results = {}
    try:
        for name, path in slots_queries(info).items():
            for _n in range(WARM_UP):
                client.get(path)
            times, totals = [], set()
            for _n in range(requests):
                elapsed, body, size = client.get(path)
                times.append(elapsed)
                if name.endswith("_by_day"):
                    totals.add(sum(day["free"] for day in body["items"]))
                else:
                    totals.add(body["items_total"])
            results[name] = dict(stats(times), items=min(totals), size=size)
    finally:
        client.close()
    return results


def measure_tick(port: int, password: str) -> dict:
    client = JsonClient(port, auth=(ADMIN, password))
    try:
        client.get(f"/{SITE_ID}/@@rendezvous-tick")
        times, summaries = [], []
        for _n in range(TICK_REQUESTS):
            elapsed, body, _size = client.get(f"/{SITE_ID}/@@rendezvous-tick")
            times.append(elapsed)
            summaries.append(body)
    finally:
        client.close()
    return dict(stats(times), changed=max(s["changed"] for s in summaries))


# --- the table -----------------------------------------------------------------------


def inprocess_stages(measure: dict) -> str:
    """free_slots, then reply and JSON (together the render), as minima."""
    return (
        f"reply {ms(measure['reply']['min'])} (free_slots "
        f"{ms(measure['free_slots']['min'])}) + JSON {ms(measure['json']['min'])} "
        f"= {ms(measure['total']['min'])}; median {ms(measure['total']['median'])}"
    )


def rows_of(built: dict, http: dict, booked: dict) -> list[tuple[str, str, str, str]]:
    full = built["full_generation"]
    edit = built["schedule_edit"]
    tick = built["idle_tick"]
    rows = [
        (
            f"Full generation, {full['counters']} counters from scratch",
            f"{full['seconds']:.2f} s ({full['slots']:,} slots, {full['days']:,} days)",
            "≤ 3 s",
            verdict(full["seconds"], FULL_GENERATION_TARGET),
        ),
        (
            "  its commit (FileStorage)",
            f"{full['commit_seconds']:.2f} s",
            "",
            "",
        ),
        (
            "One counter after a schedule edit (median of "
            f"{len(edit['runs'])}, ±{edit['days_changed_per_run']:.0f} days)",
            ms(edit["median"]),
            "≤ 100 ms",
            verdict(edit["median"], EDIT_TARGET),
        ),
        ("  with its commit", ms(edit["median_with_commit"]), "", ""),
        (
            f"Tick with nothing to do, in Zope (median of {len(tick['runs'])})",
            f"{ms(tick['median'])} ({tick['objects_written']} objects written)",
            "≤ 1 s",
            verdict(tick["median"], TICK_TARGET),
        ),
        (
            "Tick with nothing to do, GET @@rendezvous-tick (admin)",
            f"median {ms(http['tick']['median'])} (max {ms(http['tick']['max'])}; "
            f"{http['tick']['n']} requests)",
            "≤ 1 s",
            verdict(http["tick"]["median"], TICK_TARGET),
        ),
    ]
    labels = {
        "place": f"one place, {PLACE_DAYS + 1} days",
        "site": f"whole site, {SITE_DAYS + 1} days",
    }
    for key, title, measured, inprocess in (
        ("before", "no bookings", http["before"], built["inprocess"]["before"]),
        (
            "after",
            f"{booked['book']['taken']:,} bookings",
            http["after"],
            booked["inprocess"]["after"],
        ),
    ):
        for name, label in labels.items():
            measure = measured[name]
            count = f"{measure['items']:,} slots"
            if key == "after":
                before = http["before"][name]["items"]
                fewer = "fewer" if measure["items"] < before else "NOT fewer"
                count += f" ({before - measure['items']:,} {fewer})"
            by_day = measured[f"{name}_by_day"]
            rows += [
                (
                    f"GET @slots anonymous, {label}, {title}",
                    request_stats(measure),
                    "median ≤ 50 ms",
                    verdict(measure["median"], SLOTS_TARGET),
                ),
                (
                    "  returned",
                    f"{count}, {measure['size'] / 1e6:.2f} MB of JSON",
                    "",
                    "",
                ),
                (
                    f"  in-process, no HTTP (min of {inprocess[name]['total']['n']})",
                    inprocess_stages(inprocess[name]),
                    "",
                    "",
                ),
                (
                    "  the same with by=day (counts per day)",
                    f"{request_stats(by_day)}; {by_day['items']:,} slots",
                    "",
                    "",
                ),
            ]
    return rows


# --- main -----------------------------------------------------------------------------


def run(requests: int, profile: bool) -> int:
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
        flags = {"BENCH_PROFILE": "1" if profile else "0"}
        load_before = load()
        log(f"Building the site and timing the generation in {instance}")
        built = zconsole(
            instance, HELPER, "build", BENCH_ADMIN_PASSWORD=password, **flags
        )
        info = built["info"]
        log(f"Serving it on 127.0.0.1:{port}")
        server = Server(instance, port)
        server.start()
        http = {"tick": measure_tick(port, password)}
        log("GET @slots without bookings")
        http["before"] = measure_slots(port, info, requests)
        server.stop()
        log(f"Taking {BOOKINGS:,} slots")
        booked = zconsole(
            instance,
            HELPER,
            "book",
            BENCH_INFO=json.dumps(info),
            BENCH_BOOKINGS=BOOKINGS,
            **flags,
        )
        server.start()
        log(f"GET @slots with {BOOKINGS:,} bookings")
        http["after"] = measure_slots(port, info, requests)
        server.stop()
        rows = rows_of(built, http, booked)
        print(machine())
        print(f"Load average (1, 5, 15 min): {load_before} before, {load()} after")
        print(
            f"Site built in {built['build']['site_seconds']:.1f} s, content "
            f"({built['build']['counters']} counters, slots included) in "
            f"{built['build']['content_seconds']:.1f} s.\n"
        )
        print(table(rows))
        missed = [row[0].strip() for row in rows if row[3] == "NO"]
        checked = sum(1 for row in rows if row[3])
        print(f"\n{checked - len(missed)} of {checked} targets met.")
        for name in missed:
            print(f"Missed: {name}")
        if profile:
            for source in (built, booked):
                for name, text in source.get("profiles", {}).items():
                    print(f"\n=== cProfile: {name}\n{text}")
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(instance, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=40, help="timed requests per @slots measure"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile hot spots as well"
    )
    args = parser.parse_args()
    if args.requests < 30:
        parser.error("--requests: at least 30")

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    return run(args.requests, args.profile)


if __name__ == "__main__":
    sys.exit(main())
