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

from AccessControl.SecurityManagement import newSecurityManager
from zope.component.hooks import setSite

import datetime
import json
import os
import time
import transaction


SITE_ID = "Plone"
FOLDER_ID = "rendez-vous"
ADMIN = "admin"
PLACES = 10
COUNTERS_PER_PLACE = 4
DURATION = 15
HORIZON = "3m"
SCHEDULE_MONTHS = 4
DAY = ["08h00-18h00"]
OPEN_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

WRITES_SAMPLE = 30  # booking transactions whose writes are described

PHASE = os.environ.get("BENCH_PHASE", "build")
OUTPUT = os.environ["BENCH_OUTPUT"]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def site_today() -> datetime.date:
    from collective.rendezvous.slots.generation import site_timezone

    return datetime.datetime.now(site_timezone()).date()


def login_admin(root, password: str | None = None) -> None:
    """Act as a Zope-level Manager ``admin`` (made on first use)."""
    users = root.acl_users
    if users.getUser(ADMIN) is None:
        users._doAddUser(ADMIN, password, ["Manager"], [])
    newSecurityManager(None, users.getUser(ADMIN).__of__(users))


def create_site(root):
    from plone.base.utils import get_installer
    from Products.CMFPlone.factory import addPloneSite

    site = addPloneSite(
        root,
        SITE_ID,
        title="Bench",
        distribution_name="classic",
        setup_content=False,
        default_language="fr",
        portal_timezone="Europe/Paris",
    )
    setSite(site)
    get_installer(site, site.REQUEST).install_product("collective.rendezvous")
    return site


def create_content(site, today: datetime.date) -> dict:
    from collective.rendezvous.controlpanels.settings import get_settings
    from plone import api

    get_settings().open_weekdays = list(OPEN_WEEKDAYS)
    folder = api.content.create(
        container=site, type="RendezvousFolder", id=FOLDER_ID, title="Rendez-vous"
    )
    week = api.content.create(
        container=folder,
        type="ReferenceWeek",
        id="semaine-type",
        title="Semaine type",
        monday=list(DAY),
        tuesday=list(DAY),
        wednesday=list(DAY),
        thursday=list(DAY),
        friday=list(DAY),
        saturday=list(DAY),
        sunday=[],
    )
    kind = api.content.create(
        container=folder,
        type="AppointmentType",
        id="pieces-d-identite",
        title="Pièces d'identité",
        detail="CNI et passeport.",
        duration=DURATION,
        horizon=HORIZON,
        min_notice="",
        portal_visible=True,
    )
    end = add_months(today, SCHEDULE_MONTHS)
    counters = []
    for p in range(1, PLACES + 1):
        place = api.content.create(
            container=folder,
            type="Place",
            id=f"lieu-{p}",
            title=f"Lieu {p}",
            address=f"{p} place de la Mairie",
            portal_visible=True,
        )
        for c in range(1, COUNTERS_PER_PLACE + 1):
            counter = api.content.create(
                container=place,
                type="Counter",
                id=f"guichet-{c}",
                title=f"Guichet {c}",
                appointment_type=kind.UID(),
                schedule=[{"week": week.UID(), "start": today, "end": end}],
            )
            counters.append(
                {
                    "uid": counter.UID(),
                    "place": place.UID(),
                    "path": "/".join(counter.getPhysicalPath()),
                }
            )
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
