"""Install and uninstall handlers, and the profiles hidden from the add-ons panel."""

from plone.base.interfaces import INonInstallable
from zope.interface import implementer


@implementer(INonInstallable)
class HiddenProfiles:
    """Profiles and products that the Add-ons control panel must not offer."""

    def getNonInstallableProfiles(self):
        return [
            "collective.rendezvous:uninstall",
        ]

    def getNonInstallableProducts(self):
        return []


# Object actions of our types that open views of the add-on's browser layer:
# gone with the layer, so the uninstall takes them out of the types (a
# reinstall's typeinfo import puts them back).
LAYER_ACTIONS = (
    "rendezvous_agenda",
    "rendezvous_feed",
    "rendezvous_backoffice",
    "apply",
)
TYPES = (
    "RendezvousFolder",
    "AppointmentType",
    "Place",
    "ReferenceWeek",
    "Counter",
    "Booking",
)
# The folder's own view (rendezvous-view) needs the layer; Plone's listing
# does not, so the content left after an uninstall still opens.
FALLBACK_VIEW = "listing_view"


def _unbound_rows() -> dict:
    """Copies of the settings' row fields that no ZODB connection holds."""
    from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
    from persistent import Persistent
    from zope.schema import getFields

    import copy

    return {
        name: copy.copy(field.value_type)
        for name, field in getFields(IRendezvousSettings).items()
        if isinstance(getattr(field, "value_type", None), Persistent)
    }


# Taken when the module is imported (ZCML loading), before any install.
_ROWS = _unbound_rows()


def unshare_settings_rows() -> None:
    """Give the settings' row fields fresh copies no connection holds.

    The rows of the list settings (closures, partner types, notifications)
    are collective.z3cform.datagridfield's *persistent* ``DictRow`` fields,
    created once at import time. ``registerInterface`` stores that very
    object in the registry (plone.registry adapts a persistent field to
    itself), so it then belongs to the ZODB connection of that install: a
    later install through another connection of the same process (uninstall
    then install again without restarting) failed with "Attempt to store an
    object from a foreign database connection", and the schema kept an object
    of a closed connection. Called before and after each registration, so the
    registry stores a copy and the schema keeps one of its own.
    """
    from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
    from zope.schema import getFields

    import copy

    fields = getFields(IRendezvousSettings)
    for name, row in _ROWS.items():
        fields[name].value_type = copy.copy(row)


def pre_install(context):
    """Run before the default profile is applied."""
    unshare_settings_rows()


def post_install(context):
    """Run after the default profile is applied.

    Store the site's address for the links in notifications
    (``public_url``, ``site_url``). Content made before this version keeps
    the workflow state it had: put the configuration content in the state
    its fields ask for (counters and reference weeks internal, see
    subscribers/states.py).
    """
    from collective.rendezvous.links import store_site_url
    from collective.rendezvous.subscribers.states import sync_state
    from plone import api

    unshare_settings_rows()
    store_site_url(api.portal.get())
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type=["AppointmentType", "Place", "ReferenceWeek", "Counter"]
    ):
        obj = brain._unrestrictedGetObject()
        sync_state(obj)
        obj.reindexObject(idxs=["review_state", "allowedRolesAndUsers"])


def uninstall(context):
    """Run after the uninstall profile is applied.

    The content stays (it holds personal data: deleting it is the site
    administrator's decision, see the control panel and docs/admin-guide.rst),
    so the types stay too, but unaddable (profiles/uninstall/rolemap.xml) and
    without the views the browser layer took away. The settings stay unless
    ``delete_settings_on_uninstall`` is ticked.
    """
    from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
    from collective.rendezvous.controlpanels.interfaces import PREFIX
    from plone import api
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility
    from zope.schema import getFieldNames

    types_tool = api.portal.get_tool("portal_types")
    for name in TYPES:
        fti = types_tool.get(name)
        if fti is None:
            continue
        if name == "RendezvousFolder":
            fti.manage_changeProperties(
                default_view=FALLBACK_VIEW,
                view_methods=(FALLBACK_VIEW,),
                global_allow=False,
            )
        drop = [
            index
            for index, action in enumerate(fti.listActions())
            if action.getId() in LAYER_ACTIONS
        ]
        if drop:
            fti.deleteActions(drop)

    registry = getUtility(IRegistry)
    displayed = registry.get("plone.displayed_types", ())
    if "RendezvousFolder" in displayed:
        registry["plone.displayed_types"] = tuple(
            name for name in displayed if name != "RendezvousFolder"
        )

    if registry.get(f"{PREFIX}.delete_settings_on_uninstall", False):
        for name in getFieldNames(IRendezvousSettings):
            key = f"{PREFIX}.{name}"
            if key in registry.records:
                del registry.records[key]
