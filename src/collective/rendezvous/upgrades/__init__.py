"""Upgrade steps of the default profile, one per metadata.xml version bump."""


def register_settings(context) -> None:
    """Add the records of new settings fields; existing values are kept.

    ``registerInterface`` creates the missing records with their defaults and
    leaves the others as they are, unlike a re-import that could reset them.
    """
    from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
    from collective.rendezvous.controlpanels.interfaces import PREFIX
    from collective.rendezvous.setuphandlers import unshare_settings_rows
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    unshare_settings_rows()  # see there: the rows' fields of another connection
    getUtility(IRegistry).registerInterface(IRendezvousSettings, prefix=PREFIX)
    unshare_settings_rows()


def to_1002(context) -> None:
    """Everything version 1002 changed for a site installed at 1001.

    The new settings records (values kept); the "My agenda" action; the
    booking page in the navigation; the site's address for the links in
    notifications and counters made internal (the install handler's work).
    """
    from collective.rendezvous.setuphandlers import post_install
    from plone import api

    register_settings(context)
    setup = api.portal.get_tool("portal_setup")
    setup.runImportStepFromProfile(
        "profile-collective.rendezvous:default", "actions", run_dependencies=False
    )
    displayed = list(api.portal.get_registry_record("plone.displayed_types") or ())
    if "RendezvousFolder" not in displayed:
        api.portal.set_registry_record(
            "plone.displayed_types", tuple(displayed) + ("RendezvousFolder",)
        )
    post_install(context)
