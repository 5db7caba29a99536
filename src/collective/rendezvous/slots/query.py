"""Free slots offered to the current user, read from the counters' stores.

A slot is offered when ``now + min_notice <= start < now + horizon`` (R9).
Agents who may manage bookings on a counter see its slots from now on,
bypassing the notice, and see counters at places or of types that are not
visible on the portal; anonymous users and citizens see only portal-visible
types and places.
"""

from collective.rendezvous import scheduling
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.store import get_store
from plone import api
from typing import NamedTuple

import datetime


MANAGE_BOOKINGS = "collective.rendezvous: Manage bookings"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class FreeSlot(NamedTuple):
    """A free slot; tuples sort by start, then counter (the API's order)."""

    start: int  # minutes since the Unix epoch, UTC
    counter: str
    end: int
    place: str


def to_datetime(key: int, tz) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(key * 60, tz)


def minutes(moment: datetime.datetime) -> int:
    return scheduling.slot_key(moment)


def offered_counters(appointment_type, folder, place=None, counter=None):
    """(counter, may_manage) for the counters of a type this user may book on."""
    catalog = api.portal.get_tool("portal_catalog")
    query = {
        "portal_type": "Counter",
        "appointment_type": appointment_type.UID(),
        "path": "/".join((place or folder).getPhysicalPath()),
    }
    if counter is not None:
        query["UID"] = counter.UID()
    visible_type = bool(appointment_type.portal_visible)
    anonymous = api.user.is_anonymous()
    for brain in catalog.unrestrictedSearchResults(**query):
        obj = brain._unrestrictedGetObject()
        may_manage = not anonymous and api.user.has_permission(MANAGE_BOOKINGS, obj=obj)
        if not may_manage:
            parent = obj.__parent__
            if not visible_type or not getattr(parent, "portal_visible", True):
                continue
        yield obj, may_manage


def free_slots(
    appointment_type,
    folder,
    first: datetime.date,
    last: datetime.date,
    place=None,
    counter=None,
    now: datetime.datetime | None = None,
    count: int = 1,
) -> list[FreeSlot]:
    """The free slots offered to this user, sorted by start then counter.

    ``count`` > 1: the starts of that many free slots in a row on one
    counter (an appointment for several documents); the slot's end is the
    block's.
    """
    tz = site_timezone()
    now = (now or datetime.datetime.now(tz)).astimezone(tz)
    earliest, limit = citizen_window(appointment_type, now)
    citizen_from, agent_from, until = minutes(earliest), minutes(now), minutes(limit)
    result = []
    for obj, may_manage in offered_counters(appointment_type, folder, place, counter):
        store = get_store(obj)
        if store is None:
            continue
        since = agent_from if may_manage else citizen_from
        counter_uid, place_uid = obj.UID(), obj.__parent__.UID()
        for _day, record in store.between(first, last):
            duration = record.duration * count
            for start in record.free_blocks(count):
                if since <= start < until:
                    result.append(
                        FreeSlot(start, counter_uid, start + duration, place_uid)
                    )
    result.sort()
    return result


def citizen_window(appointment_type, now: datetime.datetime | None = None):
    """(earliest, limit): a citizen may book slots starting in [earliest, limit)."""
    tz = site_timezone()
    now = (now or datetime.datetime.now(tz)).astimezone(tz)
    horizon = scheduling.parse_horizon(appointment_type.horizon)
    notice = (
        scheduling.parse_notice(appointment_type.min_notice)
        if appointment_type.min_notice
        else None
    )
    earliest, limit = scheduling.offer_window(now, notice, horizon)
    return earliest.astimezone(tz), limit.astimezone(tz)


def last_open_day(appointment_type, now=None) -> datetime.date:
    """The last day on which citizens may book now (the horizon's)."""
    _earliest, limit = citizen_window(appointment_type, now)
    return (limit - datetime.timedelta(minutes=1)).date()


def opening_day(appointment_type, day: datetime.date, now=None) -> datetime.date:
    """The day a date beyond the horizon opens to bookings (the horizon rolls
    on every day: a date opens once ``now + horizon`` passes its start)."""
    tz = site_timezone()
    now = (now or datetime.datetime.now(tz)).astimezone(tz)
    horizon = scheduling.parse_horizon(appointment_type.horizon)
    start = datetime.datetime.combine(day, datetime.time(), tz)
    if horizon.end(now) > start:
        return now.date()
    # Months are calendar months (Jan 31 + 1m = Feb 28): step over the days.
    candidate = max(day - horizon.delta() - datetime.timedelta(days=4), now.date())
    while True:
        moment = datetime.datetime.combine(candidate, datetime.time(23, 59), tz)
        if horizon.end(moment) > start:
            return candidate
        candidate += datetime.timedelta(days=1)


def _distinct(slots):
    """One slot per (start, place): the counters of a place are one offer."""
    seen = set()
    for slot in slots:
        if (slot.start, slot.place) not in seen:
            seen.add((slot.start, slot.place))
            yield slot


def next_free_slot(appointment_type, folder, place=None, now=None, count=1):
    """The first free slot (``count`` in a row) offered to this user, or None."""
    tz = site_timezone()
    now = (now or datetime.datetime.now(tz)).astimezone(tz)
    last = last_open_day(appointment_type, now)
    first = now.date()
    while first <= last:
        until = min(first + datetime.timedelta(days=30), last)
        slots = free_slots(
            appointment_type, folder, first, until, place, now=now, count=count
        )
        if slots:
            return slots[0]
        first = until + datetime.timedelta(days=1)
    return None


def nearest_free_slots(
    appointment_type,
    folder,
    moment,
    count: int = 5,
    place=None,
    days: int = 14,
    documents: int = 1,
):
    """The ``count`` free slots closest to ``moment`` (one per time and place),
    sorted by start; the next free slot when none is within ``days``."""
    tz = site_timezone()
    earliest, limit = citizen_window(appointment_type)
    moment = moment.astimezone(tz)
    centre = min(max(moment, earliest), limit - datetime.timedelta(minutes=1)).date()
    slots = list(
        _distinct(
            free_slots(
                appointment_type,
                folder,
                centre - datetime.timedelta(days=days),
                centre + datetime.timedelta(days=days),
                place,
                count=documents,
            )
        )
    )
    if not slots:
        following = next_free_slot(appointment_type, folder, place, count=documents)
        return [following] if following is not None else []
    key = minutes(moment)
    slots.sort(key=lambda slot: (abs(slot.start - key), slot.start))
    return sorted(slots[:count])
