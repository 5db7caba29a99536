"""Generate and refresh the stored slots of counters from their configuration.

Called at once when a counter, a reference week, an appointment type, a place
or the settings are saved (X1, see subscribers/slots.py), and for every
counter by the nightly ``@@rendezvous-tick`` (roll forward, drop past days).
A counter's days are regenerated only when what they derive from changed: the
inputs are summed up in a signature kept on the store, so a tick right after
another one loads and writes nothing.
"""

from collective.rendezvous import logger
from collective.rendezvous import scheduling
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.controlpanels.settings import closure_dates
from collective.rendezvous.controlpanels.settings import opening_calendar_inputs
from collective.rendezvous.interfaces import SlotsLostEvent
from collective.rendezvous.slots.store import DaySlots
from collective.rendezvous.slots.store import get_store
from dataclasses import dataclass
from dataclasses import field
from plone import api
from plone.app.uuid.utils import uuidToObject
from zoneinfo import ZoneInfo
from zope.event import notify

import datetime
import hashlib


DEFAULT_TIMEZONE = "Europe/Paris"


def site_timezone() -> ZoneInfo:
    """The site's time zone (``plone.portal_timezone``), Europe/Paris if unset."""
    name = api.portal.get_registry_record("plone.portal_timezone", default=None)
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


@dataclass
class Summary:
    """What a regeneration did, summed over counters."""

    counters: int = 0
    changed: int = 0
    days_added: int = 0
    days_changed: int = 0
    days_removed: int = 0
    slots_added: int = 0
    slots_removed: int = 0
    lost: list = field(default_factory=list)

    def add(self, other: "Summary") -> None:
        for name in (
            "counters",
            "changed",
            "days_added",
            "days_changed",
            "days_removed",
            "slots_added",
            "slots_removed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lost.extend(other.lost)

    def as_dict(self) -> dict:
        return {
            "counters": self.counters,
            "changed": self.changed,
            "days_added": self.days_added,
            "days_changed": self.days_changed,
            "days_removed": self.days_removed,
            "slots_added": self.slots_added,
            "slots_removed": self.slots_removed,
            "bookings_lost": len(self.lost),
        }


class Context:
    """What regenerating several counters shares: settings, zone, weeks, now."""

    def __init__(
        self,
        now: datetime.datetime | None = None,
        opening=None,
        weeks: dict | None = None,
    ):
        """``opening`` and ``weeks`` (UID -> template) replace the stored
        settings and reference weeks: what a change would do (``would_lose``)."""
        self.tz = site_timezone()
        self.now = (now or datetime.datetime.now(self.tz)).astimezone(self.tz)
        self.today = self.now.date()
        self.opening = opening if opening is not None else opening_calendar_inputs()
        self._weeks: dict[str, scheduling.WeekTemplate | None] = dict(weeks or {})

    def week(self, uid: str):
        if uid not in self._weeks:
            week = uuidToObject(uid, unrestricted=True)
            self._weeks[uid] = week.template() if week is not None else None
        return self._weeks[uid]


# What ``counter_inputs`` can read from a change not saved yet instead of
# the counter: its own fields, and the closures of its place.
CHANGES = (
    "appointment_type",
    "schedule",
    "closures",
    "place_closures",
    "duration",
    "horizon",
)


def counter_inputs(counter, context: Context, **changes):
    """The engine's inputs for a counter, or None when it cannot have slots.

    ``changes`` (names in ``CHANGES``) replace what is stored: the counter's
    ``appointment_type`` (UID), ``schedule`` and ``closures``, its place's
    closures (``place_closures``), its type's ``duration`` and ``horizon``.
    """
    unknown = set(changes) - set(CHANGES)
    if unknown:
        raise TypeError(f"Unknown changes: {sorted(unknown)}")
    if "appointment_type" in changes:
        uid = changes["appointment_type"]
        appointment_type = uuidToObject(uid, unrestricted=True) if uid else None
    else:
        appointment_type = counter.get_appointment_type()
    if appointment_type is None:
        return None
    try:
        horizon = scheduling.parse_horizon(
            changes.get("horizon", appointment_type.horizon) or ""
        )
        duration = scheduling.validate_duration(
            changes.get("duration", appointment_type.duration) or 0
        )
    except scheduling.SchedulingError:
        logger.warning(
            "Counter %s: its type has an invalid duration or horizon", counter
        )
        return None
    rows = [
        scheduling.ScheduleRow(row["week"], row["start"], row["end"])
        for row in changes.get("schedule", counter.schedule) or ()
    ]
    weeks = {}
    for row in rows:
        template = context.week(row.week)
        if template is not None:
            weeks[row.week] = template
    place = counter.__parent__
    if IPlace.providedBy(place):
        place_closures = changes.get("place_closures", place.closures)
    else:
        place_closures = None
    closures = (
        context.opening.closures
        | closure_dates(changes.get("closures", getattr(counter, "closures", None)))
        | closure_dates(place_closures)
    )
    calendar = scheduling.OpeningCalendar(
        open_weekdays=context.opening.open_weekdays,
        region=context.opening.region,
        holidays_open=context.opening.holidays_open,
        closures=closures,
    )
    last = horizon.end(context.now).date()
    return rows, weeks, duration, calendar, context.today, last


def signature(inputs, tz: ZoneInfo) -> str:
    """A stable digest of everything a counter's days derive from."""
    rows, weeks, duration, calendar, first, last = inputs
    canonical = repr(
        (
            [(r.week, r.start, r.end) for r in rows],
            sorted((uid, sorted(t.items())) for uid, t in weeks.items()),
            duration,
            sorted(calendar.open_weekdays),
            calendar.region,
            sorted(calendar.holidays_open),
            sorted(calendar.closures),
            first,
            last,
            tz.key,
        )
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def wanted_days(inputs, tz: ZoneInfo) -> dict[int, tuple[int, ...]]:
    """The slot starts of each open day (date ordinal) these inputs give."""
    rows, weeks, duration, calendar, first, last = inputs
    return {
        day.toordinal(): tuple(keys)
        for day, keys in scheduling.generate_keys(
            rows, weeks, duration, calendar, first, last, tz
        ).items()
    }


def losses(store, wanted: dict, duration: int | None, today: int) -> list:
    """The taken slots, ``(start, end, booking id)``, that rewriting the
    store's days as ``wanted`` (ordinal -> starts) would take away.

    Reads the store, writes nothing. The past loses nothing; a day no
    longer wanted loses all it holds from today on; a day whose slots change
    keeps a booking while each of its slots is still there (several in a
    row for several documents, see ``DaySlots.covers``).
    """
    lost = []
    for ordinal, record in store.days.items(today):
        if not record.taken:
            continue
        if ordinal not in wanted:
            lost.extend((start, end, uid) for start, (end, uid) in record.taken.items())
            continue
        starts = wanted[ordinal]
        if record.starts == starts and record.duration == duration:
            continue
        new = DaySlots(starts, duration)
        lost.extend(
            (start, end, uid)
            for start, (end, uid) in record.taken.items()
            if not new.covers(start, end)
        )
    return lost


def would_lose(counter, context: Context | None = None, **changes) -> list:
    """The taken slots, ``(start, end, booking id)``, that regenerating the
    counter would take away, with ``changes`` (see ``counter_inputs``) and
    the context's settings and weeks instead of what is stored.

    Writes nothing: what a form shows before saving a change (R6), and
    what ``regenerate`` then unschedules.
    """
    context = context or Context()
    store = get_store(counter)
    if store is None:
        return []
    inputs = counter_inputs(counter, context, **changes)
    if inputs is None:
        return losses(store, {}, None, context.today.toordinal())
    if store.signature == signature(inputs, context.tz):
        return []
    return losses(
        store, wanted_days(inputs, context.tz), inputs[2], context.today.toordinal()
    )


def regenerate(counter, context: Context | None = None, force: bool = False) -> Summary:
    """Bring the counter's stored days in line with its configuration.

    Past days are dropped; days that closed or whose slots changed are
    rewritten. Taken slots that no longer exist (``losses``) are reported in
    ``Summary.lost`` and announced with ``SlotsLostEvent`` (the booking layer
    unschedules those bookings, R6).
    """
    context = context or Context()
    summary = Summary(counters=1)
    inputs = counter_inputs(counter, context)
    store = get_store(counter, create=inputs is not None)
    if store is None:
        return summary
    if inputs is None:
        wanted, digest, duration_of_days = {}, None, None
    else:
        digest = signature(inputs, context.tz)
        if store.signature == digest and not force:
            return summary
        wanted = wanted_days(inputs, context.tz)
        duration_of_days = inputs[2]
    today = context.today.toordinal()
    lost = losses(store, wanted, duration_of_days, today)
    for ordinal in list(store.days.keys()):
        if ordinal in wanted:
            continue
        record = store.days[ordinal]
        if ordinal < today and record.booked:
            # The past: its slots are no longer offered; a day that holds
            # bookings stays, as their index (booking/index.py).
            continue
        if not record.starts and record.booked:
            continue  # already emptied of slots, kept for its bookings
        summary.days_removed += 1
        summary.slots_removed += len(record.starts)
        if record.booked:
            record.starts = ()
            record.taken = {}
        else:
            del store.days[ordinal]
    for ordinal, starts in wanted.items():
        record = store.days.get(ordinal)
        if record is None:
            store.days[ordinal] = DaySlots(starts, duration_of_days)
            summary.days_added += 1
            summary.slots_added += len(starts)
            continue
        if record.starts == starts and record.duration == duration_of_days:
            continue
        summary.days_changed += 1
        summary.slots_added += len(set(starts) - set(record.starts))
        summary.slots_removed += len(set(record.starts) - set(starts))
        record.starts = starts
        record.duration = duration_of_days
        # A booking keeps its time while each of its slots is still there
        # (several in a row for several documents, see DaySlots.covers).
        kept = {s: v for s, v in record.taken.items() if record.covers(s, v[0])}
        if len(kept) != len(record.taken):
            record.taken = kept
    store.signature = digest
    if summary.days_added or summary.days_changed or summary.days_removed:
        summary.changed = 1
    if lost:
        summary.lost = [(counter.UID(), *item) for item in lost]
        notify(SlotsLostEvent(counter, lost))
    return summary


def counters(site=None, **query):
    """The counters of the site (unrestricted), optionally filtered by catalog."""
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Counter", **query):
        yield brain._unrestrictedGetObject()


def regenerate_all(now: datetime.datetime | None = None, **query) -> Summary:
    """Regenerate every counter (or those matching the catalog ``query``)."""
    context = Context(now)
    summary = Summary()
    for counter in counters(**query):
        summary.add(regenerate(counter, context))
    return summary
