"""Catalog indexers."""

from collective.rendezvous.content.booking import IBooking
from plone.indexer import indexer


@indexer(IBooking)
def booking_appointment_type(booking):
    """A booking is found by the UID of its counter's appointment type."""
    return booking.__parent__.appointment_type
