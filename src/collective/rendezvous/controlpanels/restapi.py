"""``@controlpanels/rendezvous``: the settings over plone.restapi (GET, PATCH).

GET never returns the write-only settings (``SECRETS``: the SMS gateway
token, the ANTS tokens); PATCH sets them, keeps them when they are left
out and removes them when sent empty. The hub's token is stored as its
SHA-256 (``HASHED``).
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
SECRETS = ("sms_gateway_token", "ants_hub_token_hash", "ants_token")
# Secrets stored as their SHA-256: the hub's token is only ever compared.
HASHED = ("ants_hub_token_hash",)


def keep_secrets(values: dict, drop_empty: bool = True) -> None:
    """Among new values: hash the secrets stored hashed; with ``drop_empty``
    (the form, whose secret fields are always sent empty), drop the empty
    ones so that the stored ones are kept. PATCH sends a secret only to set
    it, or to remove it with "" (then stored empty)."""
    from collective.rendezvous.ants.settings import hash_token

    for name in SECRETS:
        if name not in values:
            continue
        if not (values[name] or "").strip():
            if drop_empty:
                del values[name]
            else:
                values[name] = ""
        elif name in HASHED:
            values[name] = hash_token(values[name])


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
