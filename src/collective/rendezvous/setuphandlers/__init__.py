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


def post_install(context):
    """Run after the default profile is applied: store the site's address
    for the links in notifications (``public_url``, ``site_url``)."""
    from collective.rendezvous.links import store_site_url
    from plone import api

    store_site_url(api.portal.get())


def uninstall(context):
    """Run after the uninstall profile is applied."""
