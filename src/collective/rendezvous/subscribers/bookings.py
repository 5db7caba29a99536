"""Bookings whose slot disappeared after a planning change, or whose counter
was deleted, are unscheduled (R6)."""

from Acquisition import aq_base
from collective.rendezvous import _
from collective.rendezvous.booking.index import bookings_of
from collective.rendezvous.booking.index import in_counter
from collective.rendezvous.booking.service import hand_over
from collective.rendezvous.booking.service import unschedule
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.folder import service_folder
from collective.rendezvous.slots.generation import site_timezone
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


def future_bookings(counter) -> list:
    """The counter's bookings still to come that are booked or unscheduled.

    Read from the day records from today on (booking/index.py), not by
    loading every booking the counter ever had.
    """
    now = datetime.datetime.now(datetime.UTC)
    today = now.astimezone(site_timezone()).date()
    return [
        booking
        for booking in bookings_of(counter, first=today)
        if booking.end > now
        and api.content.get_state(booking) in ("booked", "unscheduled")
    ]


def successor(counter, removed):
    """Another counter of the same type in the same service, to take over its
    bookings; none inside ``removed`` (what is being deleted). The counters of
    the same place come first, then the others by title."""
    folder = service_folder(counter)
    if folder is None:
        return None
    gone = "/".join(removed.getPhysicalPath()) + "/"
    place = counter.__parent__
    found = []
    for brain in api.content.find(
        context=folder, object_provides=ICounter, unrestricted=True
    ):
        other = brain._unrestrictedGetObject()
        if (
            other.appointment_type != counter.appointment_type
            or aq_base(other) is aq_base(counter)
            or "/".join(other.getPhysicalPath()).startswith(gone)
        ):
            continue
        same_place = aq_base(other.__parent__) is aq_base(place)
        found.append((not same_place, other.Title(), other.getId(), other))
    found.sort(key=lambda item: item[:3])
    return found[0][3] if found else None


def on_counter_removed_or_moved(counter, event) -> None:
    """A counter's future bookings are never lost with it (R6).

    Deleting a counter (or the place holding it) hands its future bookings
    over, unscheduled, to another counter of the same appointment type in the
    service, where agents move or cancel them; their citizens are told as for
    any unscheduling. When no such counter remains, the deletion is refused
    with a message until they are moved or cancelled. Moving a counter within
    its service keeps its bookings; moving it to another service with future
    bookings is refused (the service's code registry would lose them).
    Deleting the whole site is not stopped.
    """
    if IPloneSiteRoot.providedBy(event.object):
        return
    if event.newParent is not None and service_folder(
        event.newParent
    ) is service_folder(event.oldParent):
        return
    active = future_bookings(counter)
    if not active:
        return
    if event.newParent is not None:
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
    target = successor(counter, event.object)
    if target is None:
        raise BadRequest(
            translate(
                _(
                    "${counter} still has ${count} future bookings and no other "
                    "counter of its appointment type can take them: move or "
                    "cancel them before deleting it.",
                    mapping={"counter": counter.Title(), "count": len(active)},
                ),
                context=getRequest(),
            )
        )
    folder = service_folder(counter)
    for booking in active:
        hand_over(folder, booking, target)
