"""``@controlpanels/rendezvous``: the settings over plone.restapi (GET, PATCH).

GET never returns the write-only settings (``SECRETS``: the SMS gateway
token); PATCH sets them, and keeps them when they are left out.
"""

from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
from collective.rendezvous.controlpanels.interfaces import PREFIX
from collective.rendezvous.interfaces import IBrowserLayer
from plone.restapi.controlpanels import RegistryConfigletPanel
from plone.restapi.controlpanels.interfaces import IControlpanel
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.controlpanels import ControlpanelSerializeToJson
from zope.component import adapter
from zope.interface import implementer
from zope.interface import Interface


# Settings that can be written, never read back: a manager who can change
# the settings must not be able to take the SMS provider's credentials.
SECRETS = ("sms_gateway_token",)


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


@implementer(ISerializeToJson)
@adapter(IRendezvousControlpanel)
class RendezvousControlpanelSerializer(ControlpanelSerializeToJson):
    """plone.restapi's panel serializer, without the write-only values."""

    def __call__(self):
        result = super().__call__()
        for name in SECRETS:
            result.get("data", {}).pop(name, None)
            field = result.get("schema", {}).get("properties", {}).get(name)
            if field is not None:
                field["widget"] = "password"  # Volto's password input
        return result
