"""``@controlpanels/rendezvous``: the settings over plone.restapi (GET, PATCH)."""

from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
from collective.rendezvous.controlpanels.interfaces import PREFIX
from collective.rendezvous.interfaces import IBrowserLayer
from plone.restapi.controlpanels import RegistryConfigletPanel
from plone.restapi.controlpanels.interfaces import IControlpanel
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Interface


class IRendezvousControlpanel(IControlpanel):
    """The "Rendez-vous" control panel of plone.restapi."""


@implementer(IRendezvousControlpanel)
@adapter(Interface, IBrowserLayer)
class RendezvousControlpanel(RegistryConfigletPanel):
    """The registry-backed panel of the "rendezvous" configlet."""

    schema = IRendezvousSettings
    schema_prefix = PREFIX
    configlet_id = "rendezvous"
    configlet_category_id = "Products"
    # Until the configlet is found (it is, once the profile is installed).
    title = "Rendez-vous"
    group = ""
