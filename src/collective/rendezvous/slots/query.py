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
) -> list[FreeSlot]:
    """The free slots offered to this user, sorted by start then counter."""
    tz = site_timezone()
    now = (now or datetime.datetime.now(tz)).astimezone(tz)
    horizon = scheduling.parse_horizon(appointment_type.horizon)
    notice = (
        scheduling.parse_notice(appointment_type.min_notice)
        if appointment_type.min_notice
        else None
    )
    earliest, limit = scheduling.offer_window(now, notice, horizon)
    citizen_from, agent_from, until = minutes(earliest), minutes(now), minutes(limit)
    result = []
    for obj, may_manage in offered_counters(appointment_type, folder, place, counter):
        store = get_store(obj)
        if store is None:
            continue
        since = agent_from if may_manage else citizen_from
        counter_uid, place_uid = obj.UID(), obj.__parent__.UID()
        for _day, record in store.between(first, last):
            duration = record.duration
            for start in record.free_starts():
                if since <= start < until:
                    result.append(
                        FreeSlot(start, counter_uid, start + duration, place_uid)
                    )
    result.sort()
    return result
