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

    def __init__(self, now: datetime.datetime | None = None):
        self.tz = site_timezone()
        self.now = (now or datetime.datetime.now(self.tz)).astimezone(self.tz)
        self.today = self.now.date()
        self.opening = opening_calendar_inputs()
        self._weeks: dict[str, scheduling.WeekTemplate | None] = {}

    def week(self, uid: str):
        if uid not in self._weeks:
            week = uuidToObject(uid, unrestricted=True)
            self._weeks[uid] = week.template() if week is not None else None
        return self._weeks[uid]


def counter_inputs(counter, context: Context):
    """The engine's inputs for a counter, or None when it cannot have slots."""
    appointment_type = counter.get_appointment_type()
    if appointment_type is None:
        return None
    try:
        horizon = scheduling.parse_horizon(appointment_type.horizon or "")
        duration = scheduling.validate_duration(appointment_type.duration or 0)
    except scheduling.SchedulingError:
        logger.warning(
            "Counter %s: its type has an invalid duration or horizon", counter
        )
        return None
    rows = [
        scheduling.ScheduleRow(row["week"], row["start"], row["end"])
        for row in counter.schedule or ()
    ]
    weeks = {}
    for row in rows:
        template = context.week(row.week)
        if template is not None:
            weeks[row.week] = template
    place = counter.__parent__
    closures = (
        context.opening.closures
        | closure_dates(getattr(counter, "closures", None))
        | (closure_dates(place.closures) if IPlace.providedBy(place) else frozenset())
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


def regenerate(counter, context: Context | None = None, force: bool = False) -> Summary:
    """Bring the counter's stored days in line with its configuration.

    Past days are dropped; days that closed or whose slots changed are
    rewritten. Taken slots that no longer exist are reported in
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
        wanted, digest = {}, None
    else:
        digest = signature(inputs, context.tz)
        if store.signature == digest and not force:
            return summary
        rows, weeks, duration, calendar, first, last = inputs
        wanted = {
            day.toordinal(): keys
            for day, keys in scheduling.generate_keys(
                rows, weeks, duration, calendar, first, last, context.tz
            ).items()
        }
        duration_of_days = duration
    today = context.today.toordinal()
    lost = []
    for ordinal in list(store.days.keys()):
        if ordinal in wanted:
            continue
        record = store.days[ordinal]
        if ordinal < today:
            # The past: its slots are no longer offered; a day that holds
            # bookings stays, as their index (booking/index.py).
            if record.booked:
                continue
        elif record.taken:
            lost.extend((start, end, uid) for start, (end, uid) in record.taken.items())
        if not record.starts and record.booked:
            continue  # already emptied of slots, kept for its bookings
        summary.days_removed += 1
        summary.slots_removed += len(record.starts)
        if record.booked:
            record.starts = ()
            record.taken = {}
        else:
            del store.days[ordinal]
    for ordinal, keys in wanted.items():
        starts = tuple(keys)
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
        gone = {s: v for s, v in record.taken.items() if not record.covers(s, v[0])}
        if gone:
            record.taken = {s: v for s, v in record.taken.items() if s not in gone}
            lost.extend((start, end, uid) for start, (end, uid) in gone.items())
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
