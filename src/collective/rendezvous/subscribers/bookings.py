"""Bookings whose slot disappeared after a planning change are unscheduled (R6)."""

from collective.rendezvous.booking.service import unschedule
from plone.app.uuid.utils import uuidToObject


def on_slots_lost(counter, event) -> None:
    for _start, _end, booking_uid in event.lost:
        booking = uuidToObject(booking_uid, unrestricted=True)
        if booking is not None:
            unschedule(booking)
