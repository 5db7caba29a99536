"""RendezvousFolder: the container of an appointment service's configuration."""

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
