"""The Zope side of ``bench/ants.py``; not a benchmark of its own.

``bench/ants.py`` runs it with ``zconsole run <tmp>/etc/zope.conf
bench/lib/ants_site.py`` (``app`` is in its globals).

Environment:

``BENCH_PHASE``
    ``build``: a Plone site with the add-on, ANTS turned on (hub token
    ``BENCH_HUB_TOKEN``), one RendezvousFolder, one 15-minute CNI
    AppointmentType (``6m`` horizon), 10 places (meeting points "1" to "10")
    of 5 counters scheduled for 4 months; ``BENCH_BOOKINGS`` real bookings
    (each with one application id) through the booking service, and
    ``BENCH_TAKEN`` more slots taken in the counters' stores.
``BENCH_OUTPUT``
    The JSON file where the results are written.
``BENCH_ADMIN_PASSWORD``
    The password of the Zope user ``admin`` (Manager) made by ``build``.
"""

from zope.component.hooks import setSite

import datetime
import json
import os
import random
import time
import transaction


PLACES = 10
COUNTERS_PER_PLACE = 5
DURATION = 15
HORIZON = "6m"
SCHEDULE_MONTHS = 4
WORKDAY = ["08h30-12h00", "13h30-17h00"]
SATURDAY = ["09h00-12h00"]

PHASE = os.environ.get("BENCH_PHASE", "build")
OUTPUT = os.environ["BENCH_OUTPUT"]


def import_site_build():
    """bench/lib/site_build.py (zconsole runs this file without ``__file__``)."""
    import inspect
    import sys

    here = os.path.dirname(os.path.abspath(inspect.currentframe().f_code.co_filename))
    if here not in sys.path:
        sys.path.insert(0, here)
    import site_build

    return site_build


site_build = import_site_build()


def build(root) -> dict:
    from collective.rendezvous.ants.settings import hash_token
    from collective.rendezvous.booking import service
    from collective.rendezvous.controlpanels.settings import get_settings
    from collective.rendezvous.slots.store import get_store

    site_build.login_admin(root, os.environ["BENCH_ADMIN_PASSWORD"])
    transaction.commit()
    started = time.perf_counter()
    site = site_build.create_site(root)
    setSite(site)
    transaction.commit()
    today = site_build.site_today()
    folder, kind, _end, places = site_build.create_service(
        site,
        today,
        workday=WORKDAY,
        saturday=SATURDAY,
        duration=DURATION,
        horizon=HORIZON,
        places=PLACES,
        counters_per_place=COUNTERS_PER_PLACE,
        schedule_months=SCHEDULE_MONTHS,
    )
    kind.ants_reason = "CNI"
    kind.ants_requires_number = True
    for number, (place, _counters) in enumerate(places, start=1):
        place.ants_meeting_point_id = str(number)
        place.latitude, place.longitude = 48.85 + number / 100, 2.35
        place.zip_code, place.city_name = "75001", "Paris"
    settings = get_settings()
    # Off while booking: the service then stores the numbers without asking
    # the national hub (there is none here); on for the measured endpoints.
    settings.ants_enabled = False
    settings.ants_hub_token_hash = hash_token(os.environ["BENCH_HUB_TOKEN"])
    transaction.commit()  # the before-commit hook generates every counter
    content_seconds = time.perf_counter() - started
    counters = [counter for _place, group in places for counter in group]
    generator = random.Random(20261205)
    now = service.now_in_site()
    first = today + datetime.timedelta(days=2)
    # Real bookings, each with one application id, on random free slots.
    wanted = int(os.environ["BENCH_BOOKINGS"])
    numbers = []
    booked_started = time.perf_counter()
    while len(numbers) < wanted:
        counter = generator.choice(counters)
        day, record = generator.choice(
            list(get_store(counter).between(first, first + datetime.timedelta(60)))
        )
        free = record.free_starts()
        if not free:
            continue
        start = datetime.datetime.fromtimestamp(generator.choice(free) * 60, now.tzinfo)
        n = len(numbers)
        number = f"BENCH{n:05d}"
        service.book(
            folder,
            {
                "type": kind.UID(),
                "counter": counter.UID(),
                "start": start.isoformat(),
                "beneficiary": f"Citoyen {n}",
                "email": f"citoyen{n}@example.org",
                "application_ids": number,
            },
        )
        numbers.append(number)
        if n % 100 == 99:
            transaction.commit()
    settings.ants_enabled = True
    transaction.commit()
    booked_seconds = time.perf_counter() - booked_started
    # More taken slots, without booking objects (what @slots' bench does).
    taken = 0
    for counter in counters:
        for _day, record in get_store(counter).between(first, None):
            for start in list(record.free_starts()):
                if generator.random() < 0.1:
                    taken += 1
                    record.take(start, start + record.duration, f"bench-{taken}")
    transaction.commit()
    return {
        "info": {
            "today": today.isoformat(),
            "meeting_points": [str(n) for n in range(1, PLACES + 1)],
            "numbers": numbers,
            "counters": len(counters),
        },
        "content_seconds": content_seconds,
        "bookings": len(numbers),
        "booking_seconds": booked_seconds,
        "taken": taken,
    }


def main(root) -> None:
    results = {"build": build}[PHASE](root)
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main(app)  # noqa: F821 - ``app`` (with a request) is given by zconsole
