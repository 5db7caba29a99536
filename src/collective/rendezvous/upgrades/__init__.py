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
