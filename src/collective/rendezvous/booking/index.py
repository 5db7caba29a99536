"""Where bookings are found: the counters' day records, not the portal catalog.

A booking transaction must not write site-wide structures that concurrent
bookings of other counters also write: the portal catalog's indexes and
metadata, the IntIds utility. Their BTrees merge most concurrent inserts but
not all (a bucket splits, a tree grows), and every such conflict costs a
retry and, past Zope's retries, a 500. The booking benchmark measured 0.5
retries per booking and 5xx answers with 8 clients on different counters
while bookings were cataloged (docs/performance.rst).

So bookings are not cataloged and have no IntId. Each counter's day record
(``slots.store.DaySlots``), which the booking rewrites anyway as its guard,
lists the ids of the day's bookings; the service's code registry maps a code
to its counter. Finding bookings is then: counters (which are cataloged) ->
their day records -> the bookings, all inside the counter.
"""

from collective.rendezvous.booking import codes
from collective.rendezvous.content.booking import IBooking
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.store import get_store
from plone.app.uuid.utils import uuidToObject

import datetime


def day_of(booking) -> datetime.date:
    """The day (site time zone) whose record lists the booking."""
    return booking.start.astimezone(site_timezone()).date()


def register(counter, booking, duration: int) -> None:
    """List the booking in its counter's record of its day."""
    store = get_store(counter, create=True)
    store.day_for_booking(day_of(booking), duration).add_booking(booking.getId())


def unregister(counter, booking) -> None:
    store = get_store(counter)
    record = store.day(day_of(booking)) if store is not None else None
    if record is not None:
        record.remove_booking(booking.getId())


def bookings_of(
    counter, first: datetime.date | None = None, last: datetime.date | None = None
):
    """The counter's bookings of the days from first to last, by start."""
    store = get_store(counter)
    if store is None:
        return []
    found = []
    for _day, record in store.between(first, last):
        for booking_id in record.booked:
            booking = counter._getOb(booking_id, None)
            if booking is not None and IBooking.providedBy(booking):
                found.append(booking)
    found.sort(key=lambda booking: (booking.start, booking.getId()))
    return found


def find(folder, code: str):
    """The booking with this code in this service, or None."""
    counter_uid = codes.lookup(folder, code)
    counter = uuidToObject(counter_uid, unrestricted=True) if counter_uid else None
    if counter is None:
        return None
    booking = counter._getOb(codes.normalise(code).lower(), None)
    return booking if IBooking.providedBy(booking) else None


def in_counter(counter, booking_id: str):
    booking = counter._getOb(booking_id, None)
    return booking if IBooking.providedBy(booking) else None
