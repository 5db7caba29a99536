"""RendezvousFolder: the container of an appointment service's configuration."""

from Acquisition import aq_chain
from Acquisition import aq_inner
from plone.dexterity.content import Container
from plone.supermodel import model
from zope.interface import implementer


class IRendezvousFolder(model.Schema):
    """Holds appointment types, places (with their counters) and reference weeks.

    Title and description come from the ``plone.basic`` behavior.
    """


@implementer(IRendezvousFolder)
class RendezvousFolder(Container):
    """The citizens' entry point: its default view is the booking page."""


def service_folder(obj):
    """The appointment service (RendezvousFolder) holding ``obj``, or None."""
    for item in aq_chain(aq_inner(obj)):
        if IRendezvousFolder.providedBy(item):
            return item
    return None
