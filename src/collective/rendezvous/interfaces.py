"""Browser layer, marker interfaces and events of collective.rendezvous."""

from zope.interface import implementer
from zope.interface.interfaces import IObjectEvent
from zope.interface.interfaces import ObjectEvent
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IBrowserLayer(IDefaultBrowserLayer):
    """Marker interface for the browser layer set when the add-on is installed."""


class ISlotsLostEvent(IObjectEvent):
    """Taken slots of a counter disappeared after a planning change (R6).

    ``lost`` lists (start, end, booking id), start and end in minutes since
    the Unix epoch (UTC).
    """


@implementer(ISlotsLostEvent)
class SlotsLostEvent(ObjectEvent):
    def __init__(self, counter, lost):
        super().__init__(counter)
        self.lost = list(lost)


class IBookingEvent(IObjectEvent):
    """Something happened to a booking; ``object`` is the Booking.

    Subscribers send the notifications of R6 (after the transaction commits).
    """


class IBookingCreatedEvent(IBookingEvent):
    """A booking was made."""


class IBookingMovedEvent(IBookingEvent):
    """A booking moved to another slot (``previous_start`` holds the old one)."""


class IBookingCancelledEvent(IBookingEvent):
    """A booking was cancelled; ``by`` is "citizen" or "agent"."""


class IBookingAbsentEvent(IBookingEvent):
    """The citizen did not come."""


class IBookingAttendedEvent(IBookingEvent):
    """The citizen came."""


class IBookingUnscheduledEvent(IBookingEvent):
    """A planning change removed the booking's slot."""


@implementer(IBookingEvent)
class BookingEvent(ObjectEvent):
    def __init__(self, booking, by: str = ""):
        super().__init__(booking)
        self.by = by


@implementer(IBookingCreatedEvent)
class BookingCreatedEvent(BookingEvent):
    pass


@implementer(IBookingMovedEvent)
class BookingMovedEvent(BookingEvent):
    pass


@implementer(IBookingCancelledEvent)
class BookingCancelledEvent(BookingEvent):
    pass


@implementer(IBookingAbsentEvent)
class BookingAbsentEvent(BookingEvent):
    pass


@implementer(IBookingAttendedEvent)
class BookingAttendedEvent(BookingEvent):
    pass


@implementer(IBookingUnscheduledEvent)
class BookingUnscheduledEvent(BookingEvent):
    pass
