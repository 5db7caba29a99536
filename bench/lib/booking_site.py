"""The Zope side of ``bench/booking.py``; not a benchmark of its own.

``bench/booking.py`` runs it with ``zconsole run <tmp>/etc/zope.conf
bench/lib/booking_site.py`` (zconsole gives ``app``, the Zope root with a
request, in the globals), while the server is not running: a FileStorage has
one process.

Environment:

``BENCH_PHASE``
    ``build``: a Plone site with the add-on, Saturday opened in the settings,
    one RendezvousFolder, one ReferenceWeek (Monday to Saturday
    08h00-18h00), one 15-minute AppointmentType (``3m`` horizon, no notice,
    visible on the portal) and 10 places of 4 counters scheduled from today to
    today + 4 months; commit (the before-commit hook generates the slots).
    ``objects``: describe the objects of ``BENCH_OIDS`` (JSON list of hex
    oids): their class and the chain of objects holding them (attribute or
    BTree key at each step), up to content or a tool with a path; and group
    the objects written by the last booking transactions by their holder.
``BENCH_OUTPUT``
    The JSON file where the results are written.
``BENCH_ADMIN_PASSWORD``
    The password of the Zope user ``admin`` (Manager) made by ``build``.
"""

from zope.component.hooks import setSite

import datetime
import json
import os
import time
import transaction


PLACES = 10
COUNTERS_PER_PLACE = 4
DURATION = 15
HORIZON = "3m"
SCHEDULE_MONTHS = 4
DAY = ["08h00-18h00"]

WRITES_SAMPLE = 30  # booking transactions whose writes are described

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


def create_content(site, today: datetime.date) -> dict:
    folder, kind, end, places = site_build.create_service(
        site,
        today,
        workday=DAY,
        saturday=DAY,
        duration=DURATION,
        horizon=HORIZON,
        places=PLACES,
        counters_per_place=COUNTERS_PER_PLACE,
        schedule_months=SCHEDULE_MONTHS,
    )
    counters = [
        {
            "uid": counter.UID(),
            "place": place.UID(),
            "path": "/".join(counter.getPhysicalPath()),
        }
        for place, place_counters in places
        for counter in place_counters
    ]
    return {
        "folder_path": "/".join(folder.getPhysicalPath()),
        "type_uid": kind.UID(),
        "counters": counters,
        "schedule_end": end.isoformat(),
    }


def build(root) -> dict:
    login_admin(root, os.environ["BENCH_ADMIN_PASSWORD"])
    transaction.commit()
    started = time.perf_counter()
    site = create_site(root)
    transaction.commit()
    site_made = time.perf_counter()
    today = site_today()
    info = create_content(site, today)
    info["today"] = today.isoformat()
    transaction.commit()  # the before-commit hook generates every counter
    from collective.rendezvous.slots.store import get_store
    from plone import api

    slots = days = 0
    for counter in info["counters"]:
        store = get_store(api.content.get(path=counter["path"]))
        for _day, record in store.between(today, add_months(today, SCHEDULE_MONTHS)):
            days += 1
            slots += len(record.starts)
    info["slots"], info["days"] = slots, days
    return {
        "info": info,
        "site_seconds": site_made - started,
        "content_seconds": time.perf_counter() - site_made,
    }


def current_records(storage) -> dict[bytes, bytes]:
    """oid -> data of the current revision of every object (FileStorage)."""
    records = {}
    for transaction_ in storage.iterator():
        for record in transaction_:
            records[record.oid] = record.data
    return records


def slot_owner(state, target: bytes) -> str | None:
    """Where ``target`` sits in a persistent object's state, if it is named."""
    if isinstance(state, dict):
        for key, value in state.items():
            if getattr(value, "_p_oid", None) == target:
                return f".{key}"
            if isinstance(value, dict):
                for inner, item in value.items():
                    if getattr(item, "_p_oid", None) == target:
                        return f".{key}[{inner!r}]"
    return None


def describe(root) -> dict:
    """Name the conflicting oids, and what a booking transaction writes.

    ``objects``: for each oid of ``BENCH_OIDS``, its class and the chain of
    referrers (read from the storage's current records with
    ``referencesf``), each step naming the attribute or BTree key holding the
    object below, up to an object with a known path (content, tools) or a
    counter's slot record. ``writes``: the objects written by the last
    ``WRITES_SAMPLE`` transactions of ``POST .../@bookings`` (their note is
    the request path), grouped by what holds them.
    """
    from collective.rendezvous.slots.store import get_store
    from plone import api
    from ZODB.serialize import referencesf
    from ZODB.utils import p64

    site = root[SITE_ID]
    setSite(site)
    login_admin(root)
    connection = root._p_jar
    wanted = json.loads(os.environ["BENCH_OIDS"])
    named = {root._p_oid: "/ (Zope root)", site._p_oid: f"/{SITE_ID}"}
    groups = {}  # oid of a named object -> group label for ``writes``
    for obj in site.objectValues():
        named[obj._p_oid] = f"/{SITE_ID}/{obj.getId()}"
    for brain in api.content.find(context=site[FOLDER_ID]):
        obj = brain.getObject()
        path = "/".join(obj.getPhysicalPath())
        named[obj._p_oid] = path
        groups[obj._p_oid] = {
            "Booking": "the booking itself (and its own parts)",
            "Counter": "its counter (container, ordering)",
        }.get(brain.portal_type, f"{brain.portal_type} {path}")
        if brain.portal_type == "Counter":
            store = get_store(obj)
            named[store._p_oid] = f"{path} slot store"
            for ordinal, record in store.days.items():
                day = datetime.date.fromordinal(ordinal).isoformat()
                named[record._p_oid] = f"{path} DaySlots {day}"
                groups[record._p_oid] = "its counter's DaySlots record (the guard)"
    storage = connection.db().storage
    records = {}
    bookings = []  # oids written by each POST @bookings transaction
    for transaction_ in storage.iterator():
        oids = []
        for record in transaction_:
            records[record.oid] = record.data
            oids.append(record.oid)
        note = transaction_.description or b""
        if b"@bookings" in note:
            bookings.append(oids)
    referrers: dict[bytes, list[bytes]] = {}
    for oid, data in records.items():
        if data is None:
            continue
        for ref in set(referencesf(data)):
            referrers.setdefault(ref, []).append(oid)

    def kind(obj) -> str:
        return type(obj).__name__

    def hold(parent, child: bytes) -> str:
        """How ``parent`` refers to ``child``: attribute, key or node."""
        try:
            state = parent.__getstate__()
        except Exception:  # noqa: BLE001 - a ghost or an odd state
            state = None
        where = slot_owner(state, child)
        if where:
            return where
        items = getattr(parent, "items", None)
        if callable(items) and hasattr(parent, "_p_resolveConflict"):
            try:
                for key, value in items():
                    if getattr(value, "_p_oid", None) == child:
                        return f"[{key!r}]"[:80]
            except Exception:  # noqa: BLE001, S110 - not a mapping after all
                pass
            return " (node)"
        return " (inside)"

    def chain(oid: bytes) -> tuple[list[str], bytes | None]:
        """The steps from ``oid`` up to a named object, and that object."""
        steps = []
        current = oid
        seen = set()
        for _depth in range(12):
            if current in named:
                steps.append(named[current])
                return steps, current
            seen.add(current)
            try:
                obj = connection.get(current)
            except Exception as error:  # noqa: BLE001 - reported as is
                steps.append(f"not loadable: {error!r}")
                return steps, None
            parents = [p for p in referrers.get(current, ()) if p not in seen]
            if not parents:
                steps.append(kind(obj))
                return steps, None
            parent = connection.get(parents[0])
            steps.append(f"{kind(obj)} in {kind(parent)}{hold(parent, current)}")
            current = parents[0]
        return steps, None

    def group(oid: bytes) -> str:
        steps, top = chain(oid)
        text = " < ".join(steps)
        for marker, label in (
            ("plone_lexicon", "portal_catalog: plone_lexicon (words of text indexes)"),
            ("IntIds", "intids utility (five.intid, plone.app.linkintegrity)"),
            ("RelationCatalog", "zc.relation catalog (plone.app.relationfield)"),
            ("collective.rendezvous.codes", "codes registry (booking/codes.py)"),
            ("collective.rendezvous.limits", "limit tables (booking/ratelimit.py)"),
        ):
            if marker in text:
                return label
        if top in groups:
            return groups[top]
        for step in steps:
            if "Catalog.indexes[" in step:
                return "portal_catalog: index " + step.split("indexes", 1)[1]
        for step in steps:
            if " in Catalog." in step:
                return "portal_catalog: Catalog." + step.split(" in Catalog.", 1)[1]
        return " < ".join(steps[-3:])

    described = {}
    for text in wanted:
        steps, _top = chain(p64(int(text, 16)))
        described[text] = " < ".join(steps)
    writes = {}
    sample = bookings[-WRITES_SAMPLE:]
    for oids in sample:
        for oid in oids:
            label = group(oid)
            writes[label] = writes.get(label, 0) + 1
    transaction.abort()
    return {
        "objects": described,
        "writes": {
            "transactions": len(sample),
            "objects": sum(len(oids) for oids in sample),
            "groups": writes,
        },
    }


def main(root) -> None:
    phases = {"build": build, "objects": describe}
    results = phases[PHASE](root)
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main(app)  # noqa: F821 - ``app`` (with a request) is given by zconsole
