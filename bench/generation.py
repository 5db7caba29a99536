"""Benchmark of the slot engine alone (no Zope): prints one table.

Moved from tests/unit (issue 12, point 14): a test must not judge the
speed of the machine it runs on. Generates the slots (``generate``) and only
their keys (``generate_keys``) of 50 counters over 6 months: 15-minute
slots, Monday to Friday 09h00-12h00 and 13h30-17h30 plus Saturday morning,
one closure each. Targets: under 1 s for the slots, 0.3 s for the keys.

Usage: ``.venv/bin/python bench/generation.py [--rounds N]`` from the
repository root (``make bench`` runs it). Each figure is the best of N
rounds (default 3). Exits 0 when the run completes, even if a target is
missed (the table says so).
"""

from collective.rendezvous.scheduling import generate
from collective.rendezvous.scheduling import generate_keys
from collective.rendezvous.scheduling import OpeningCalendar
from collective.rendezvous.scheduling import parse_day
from collective.rendezvous.scheduling import ScheduleRow
from datetime import date
from lib.harness import load
from lib.harness import machine
from lib.harness import table
from zoneinfo import ZoneInfo

import argparse
import gc
import time


PARIS = ZoneInfo("Europe/Paris")
OFFICE = {weekday: parse_day(["09h00-12h00", "13h30-17h30"]) for weekday in range(5)}
OFFICE[5] = parse_day(["09h00-12h00"])
WEEKS = {"office": OFFICE}
ROWS = [ScheduleRow("office", date(2026, 1, 1), date(2027, 12, 31))]


def fifty_counters(function) -> tuple[int, float]:
    """Run a generation function for 50 counters over 6 months; count, seconds."""
    gc.collect()
    gc.freeze()
    try:
        began = time.perf_counter()
        total = 0
        for counter in range(50):
            calendar = OpeningCalendar(
                open_weekdays=range(6), closures={date(2026, 11, 2 + counter % 20)}
            )
            by_day = function(
                ROWS, WEEKS, 15, calendar, date(2026, 9, 1), date(2027, 2, 28), PARIS
            )
            total += sum(len(day) for day in by_day.values())
        return total, time.perf_counter() - began
    finally:
        gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = max(1, parser.parse_args().rounds)
    # Warm up (imports, zoneinfo caches).
    generate(
        ROWS, WEEKS, 15, OpeningCalendar(), date(2026, 1, 1), date(2026, 1, 7), PARIS
    )
    rows = []
    for name, function, target in (
        ("50 counters x 6 months: slots (generate)", generate, 1.0),
        ("50 counters x 6 months: keys (generate_keys)", generate_keys, 0.3),
    ):
        runs = [fifty_counters(function) for _ in range(rounds)]
        total = runs[0][0]
        best = min(seconds for _total, seconds in runs)
        rows.append(
            (
                f"{name}, {total} slots",
                f"{best:.3f} s",
                f"< {target} s",
                "yes" if best < target else "NO",
            )
        )
    print(machine())
    print(f"Load average: {load()}; best of {rounds} rounds")
    print(table(rows))


if __name__ == "__main__":
    main()
