"""Bookings whose slot disappeared after a planning change are unscheduled (R6)."""

from collective.rendezvous import _
from collective.rendezvous.booking.index import in_counter
from collective.rendezvous.booking.service import unschedule
from collective.rendezvous.content.booking import IBooking
from collective.rendezvous.content.folder import service_folder
from plone import api
from plone.base.interfaces import IPloneSiteRoot
from zExceptions import BadRequest
from zope.globalrequest import getRequest
from zope.i18n import translate

import datetime


def on_slots_lost(counter, event) -> None:
    for _start, _end, booking_id in event.lost:
        booking = in_counter(counter, booking_id)
        if booking is not None:
            unschedule(booking)


def refuse_removal_with_bookings(counter, event) -> None:
    """A counter with future bookings is not deleted: its bookings would be lost.

    Deleting a counter (or the place or service holding it) is refused with a
    message until its future bookings are moved or cancelled. Moving and
    renaming are allowed, and so is deleting the whole site.
    """
    if IPloneSiteRoot.providedBy(event.object):
        return
    # A move within the same service keeps its bookings reachable (the
    # service's code registry finds them); a move to another service would not.
    if event.newParent is not None and service_folder(
        event.newParent
    ) is service_folder(event.oldParent):
        return
    now = datetime.datetime.now(datetime.UTC)
    active = [
        booking
        for booking in counter.objectValues()
        if IBooking.providedBy(booking)
        and booking.end > now
        and api.content.get_state(booking) in ("booked", "unscheduled")
    ]
    if active and event.newParent is not None:
        raise BadRequest(
            translate(
                _(
                    "${counter} still has ${count} future bookings: it cannot "
                    "move to another appointment service.",
                    mapping={"counter": counter.Title(), "count": len(active)},
                ),
                context=getRequest(),
            )
        )
    if active:
        raise BadRequest(
            translate(
                _(
                    "${counter} still has ${count} future bookings: move or "
                    "cancel them before deleting it.",
                    mapping={"counter": counter.Title(), "count": len(active)},
                ),
                context=getRequest(),
            )
        )
