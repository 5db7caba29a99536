"""The Zope side of ``bench/slots.py``; not a benchmark of its own.

``bench/slots.py`` runs it with ``zconsole run <tmp>/etc/zope.conf
bench/lib/slots_site.py``; zconsole executes it with ``app`` (the Zope root,
with a request) in its globals. It lives in ``bench/lib/`` so that
``make bench``, which runs ``bench/*.py``, does not run it by itself.

Environment:

``BENCH_PHASE``
    ``build``: create the site-scale configuration (a Plone site, the add-on,
    one RendezvousFolder, one ReferenceWeek, one 15-minute AppointmentType
    with a ``6m`` horizon, 10 places of 5 counters), commit, then time the
    slot generation: all counters from scratch, one counter after a schedule
    edit, a tick with nothing to do, and ``@slots`` in-process.
    ``book``: mark ``BENCH_BOOKINGS`` slots taken through the counters'
    stores, in the windows the HTTP measures ask for, and commit.
``BENCH_OUTPUT``
    The JSON file where the results are written.
``BENCH_ADMIN_PASSWORD``
    The password of the Zope user ``admin`` (Manager) made by ``build``.
``BENCH_PROFILE``
    ``1``: also run each timed operation once under cProfile and put the
    top functions in the results.
"""

from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SpecialUsers import nobody
from zope.component.hooks import setSite

import cProfile
import datetime
import io
import json
import os
import pstats
import random
import statistics
import time
import transaction


PLACES = 10
COUNTERS_PER_PLACE = 5
DURATION = 15
HORIZON = "6m"
SCHEDULE_MONTHS = 7
PLACE_DAYS = 61  # @slots of one place: start = today, end = today + 61 days
SITE_DAYS = 6  # @slots of the whole site: one week, today to today + 6 days
EDIT_RUNS = 12
TICK_RUNS = 5
INPROCESS_RUNS = 20
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
add_months = site_build.add_months
site_today = site_build.site_today
login_admin = site_build.login_admin
create_site = site_build.create_site
SITE_ID = site_build.SITE_ID
FOLDER_ID = site_build.FOLDER_ID
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "2000"))


def profiled(results: dict, name: str, function, *args, **kwargs):
    """Call ``function`` under cProfile when profiling; keep its top functions."""
    if not PROFILE:
        return function(*args, **kwargs)
    profile = cProfile.Profile()
    value = profile.runcall(function, *args, **kwargs)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(25)
        results.setdefault("profiles", {})[f"{name} (by {order})"] = out.getvalue()
    return value


# --- build -------------------------------------------------------------------


def create_content(site, today: datetime.date) -> dict:
    # The week opens on Saturday mornings: the settings open Saturday.
    folder, kind, end, places = site_build.create_service(
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
    first_place = places[0][0]
    return {
        "folder_url_path": "/".join(folder.getPhysicalPath()),
        "type_uid": kind.UID(),
        "place_uid": first_place.UID(),
        "place_path": "/".join(first_place.getPhysicalPath()),
        "schedule_end": end.isoformat(),
    }


def all_counters():
    from collective.rendezvous.slots.generation import counters

    return list(counters())


def time_full_generation(results: dict) -> None:
    """Every counter from scratch: drop the stores, then ``regenerate_all``."""
    from collective.rendezvous.slots.generation import regenerate_all
    from collective.rendezvous.slots.store import STORE_ATTRIBUTE

    def clear():
        for counter in all_counters():
            if STORE_ATTRIBUTE in counter.__dict__:
                delattr(counter, STORE_ATTRIBUTE)
        transaction.commit()

    clear()
    started = time.perf_counter()
    summary = regenerate_all()
    generated = time.perf_counter()
    transaction.commit()
    committed = time.perf_counter()
    results["full_generation"] = {
        "seconds": generated - started,
        "commit_seconds": committed - generated,
        "counters": summary.counters,
        "days": summary.days_added,
        "slots": summary.slots_added,
    }
    if PROFILE:
        clear()
        profiled(results, "full generation (regenerate_all)", regenerate_all)
        transaction.commit()


def time_schedule_edit(results: dict, today: datetime.date) -> None:
    """One counter: move its row's end date (alternately inside the horizon)."""
    from collective.rendezvous.slots.generation import Context
    from collective.rendezvous.slots.generation import regenerate

    counter = all_counters()[0]
    original = [dict(row) for row in counter.schedule]
    ends = (add_months(today, 5), original[0]["end"])  # drop, then restore, a month
    runs, with_commit, changed = [], [], []
    for n in range(EDIT_RUNS + (1 if PROFILE else 0)):
        counter.schedule = [dict(original[0], end=ends[n % 2])]
        started = time.perf_counter()
        if PROFILE and n == EDIT_RUNS:
            summary = profiled(
                results,
                "one counter after a schedule edit (regenerate)",
                lambda: regenerate(counter, Context()),
            )
        else:
            summary = regenerate(counter, Context())
        done = time.perf_counter()
        transaction.commit()
        committed = time.perf_counter()
        if n < EDIT_RUNS:
            runs.append(done - started)
            with_commit.append(committed - started)
            changed.append(summary.days_added + summary.days_removed)
    counter.schedule = original
    regenerate(counter, Context())
    transaction.commit()
    results["schedule_edit"] = {
        "runs": runs,
        "with_commit": with_commit,
        "median": statistics.median(runs),
        "median_with_commit": statistics.median(with_commit),
        "days_changed_per_run": statistics.median(changed),
    }


def time_idle_tick(results: dict, root) -> None:
    """``regenerate_all`` right after another one: nothing to load or write."""
    from collective.rendezvous.slots.generation import regenerate_all

    regenerate_all()
    transaction.commit()
    runs, written = [], []
    for _n in range(TICK_RUNS):
        started = time.perf_counter()
        summary = regenerate_all()
        runs.append(time.perf_counter() - started)
        written.append(len(root._p_jar._registered_objects))
        transaction.commit()
    profiled(results, "tick with nothing to do (regenerate_all)", regenerate_all)
    transaction.abort()
    results["idle_tick"] = {
        "runs": runs,
        "median": statistics.median(runs),
        "changed": summary.changed,
        "objects_written": max(written),
    }


def slots_service(site, folder, form: dict):
    """The ``@slots`` service of ``folder`` on a request carrying ``form``."""
    from collective.rendezvous.services.slots.get import SlotsGet

    request = site.REQUEST
    request.form.clear()
    request.form.update(form)
    request.other["ACTUAL_URL"] = folder.absolute_url() + "/@slots"
    request.environ["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in form.items())
    service = SlotsGet()  # plone:service would add the view's __init__
    service.context, service.request = folder, request
    return service


def encode(body) -> str:
    """JSON as ``SlotsGet.render`` writes it (compact): its own function."""
    from collective.rendezvous.services.slots.get import encode

    return encode(body)


def time_slots_inprocess(results: dict, site, info: dict, key: str) -> None:
    """``@slots`` in-process as Anonymous, by stage: the add-on's share of a GET.

    ``free_slots`` is the query (slots/query.py); ``reply`` is the service's
    reply (the query again, plus one dict per slot); ``json`` is the encoding
    ``SlotsGet.render`` does (compact, ``services/slots/get.py`` ``encode``).
    """
    from collective.rendezvous.slots.query import free_slots
    from plone import api

    folder = api.content.get(path=info["folder_url_path"])
    kind = api.content.get(UID=info["type_uid"])
    place = api.content.get(UID=info["place_uid"])
    first = datetime.date.fromisoformat(info["today"])
    queries = {
        "place": (place, first + datetime.timedelta(days=PLACE_DAYS)),
        "site": (None, first + datetime.timedelta(days=SITE_DAYS)),
    }
    newSecurityManager(None, nobody)
    measures = {}
    for name, (where, last) in queries.items():
        form = {"type": kind.UID(), "start": first.isoformat(), "end": last.isoformat()}
        if where is not None:
            form["place"] = where.UID()
        service = slots_service(site, folder, form)
        encode(service.reply())
        stages = {"free_slots": [], "reply": [], "json": [], "total": []}
        for _n in range(INPROCESS_RUNS):
            started = time.perf_counter()
            slots = free_slots(kind, folder, first, last, where)
            queried = time.perf_counter()
            body = service.reply()
            replied = time.perf_counter()
            encode(body)
            encoded = time.perf_counter()
            stages["free_slots"].append(queried - started)
            stages["reply"].append(replied - queried)
            stages["json"].append(encoded - replied)
            stages["total"].append(encoded - queried)
        measures[name] = {
            stage: {
                "min": min(runs),
                "median": statistics.median(runs),
                "n": len(runs),
            }
            for stage, runs in stages.items()
        }
        measures[name]["items"] = len(slots)
        profiled(
            results,
            f"@slots in-process, {name} ({key})",
            lambda service=service: encode(service.reply()),
        )
    transaction.abort()
    results.setdefault("inprocess", {})[key] = measures


def build(root) -> dict:
    results: dict = {}
    login_admin(root, os.environ["BENCH_ADMIN_PASSWORD"])
    transaction.commit()
    started = time.perf_counter()
    site = create_site(root)
    transaction.commit()
    site_made = time.perf_counter()
    today = site_today()
    info = create_content(site, today)
    info["today"] = today.isoformat()
    # The before-commit hook (subscribers/slots.py) generates every counter.
    transaction.commit()
    content_made = time.perf_counter()
    results["info"] = info
    results["build"] = {
        "site_seconds": site_made - started,
        "content_seconds": content_made - site_made,
        "counters": len(all_counters()),
    }
    time_full_generation(results)
    time_schedule_edit(results, today)
    time_idle_tick(results, root)
    time_slots_inprocess(results, site, info, "before")
    return results


# --- book --------------------------------------------------------------------


def book(root) -> dict:
    """Take ``BOOKINGS`` slots: half at the measured place over its two months,
    half over the whole site in the measured week; spread round-robin over
    (counter, day) records, at random free starts still ahead of now."""
    from collective.rendezvous.scheduling import slot_key
    from collective.rendezvous.slots.generation import site_timezone
    from collective.rendezvous.slots.store import get_store
    from plone import api

    results: dict = {}
    info = json.loads(os.environ["BENCH_INFO"])
    site = root[SITE_ID]
    setSite(site)
    login_admin(root)
    today = datetime.date.fromisoformat(info["today"])
    now = slot_key(datetime.datetime.now(site_timezone()))
    generator = random.Random(20261128)
    place = api.content.get(path=info["place_path"])
    place_counters = [c for c in all_counters() if c.__parent__ == place]
    groups = (
        (place_counters, today + datetime.timedelta(days=PLACE_DAYS), BOOKINGS // 2),
        (all_counters(), today + datetime.timedelta(days=SITE_DAYS), BOOKINGS // 2),
    )
    taken = 0
    for counters, last, wanted in groups:
        records = [
            record
            for counter in counters
            for _day, record in get_store(counter).between(today, last)
        ]
        generator.shuffle(records)
        done = 0
        while done < wanted:
            progress = False
            for record in records:
                free = [s for s in record.starts if s >= now and record.is_free(s)]
                if not free:
                    continue
                start = generator.choice(free)
                taken += 1
                record.take(start, start + record.duration, f"bench-{taken}")
                done += 1
                progress = True
                if done == wanted:
                    break
            if not progress:
                raise RuntimeError(f"only {done} free slots to take, not {wanted}")
    started = time.perf_counter()
    transaction.commit()
    results["book"] = {"taken": taken, "commit_seconds": time.perf_counter() - started}
    time_slots_inprocess(results, site, info, "after")
    return results


def main(root) -> None:
    phases = {"build": build, "book": book}
    results = phases[PHASE](root)
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main(app)  # noqa: F821 - ``app`` (with a request) is given by zconsole
