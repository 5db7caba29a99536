"""Browser layer, marker interfaces and events of collective.rendezvous."""

from zope.interface import implementer
from zope.interface.interfaces import IObjectEvent
from zope.interface.interfaces import ObjectEvent
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IBrowserLayer(IDefaultBrowserLayer):
    """Marker interface for the browser layer set when the add-on is installed."""


class ISlotsLostEvent(IObjectEvent):
    """Taken slots of a counter disappeared after a planning change (R6).

    ``lost`` lists (start, end, booking UID), start and end in minutes since
    the Unix epoch (UTC).
    """


@implementer(ISlotsLostEvent)
class SlotsLostEvent(ObjectEvent):
    def __init__(self, counter, lost):
        super().__init__(counter)
        self.lost = list(lost)
