"""Test layers: one sandbox fixture, integration and functional (real HTTP) layers."""

from plone import api
from plone.app.contenttypes.testing import PLONE_APP_CONTENTTYPES_FIXTURE
from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PloneSandboxLayer
from plone.testing.zope import WSGI_SERVER_FIXTURE

import collective.rendezvous


class Layer(PloneSandboxLayer):
    """A Plone site with collective.rendezvous installed."""

    defaultBases = (PLONE_APP_CONTENTTYPES_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        import plone.restapi

        self.loadZCML(package=plone.restapi)
        self.loadZCML(package=collective.rendezvous)

    def setUpPloneSite(self, portal):
        # A French town hall's site, like the one `make start` creates.
        api.portal.set_registry_record("plone.portal_timezone", "Europe/Paris")
        applyProfile(portal, "collective.rendezvous:default")
        # The limits against abuse off: the tests book many times for the
        # same citizen from 127.0.0.1. tests/functional/test_limits.py (and
        # test_booking_page.py's test_rate_limit) turn them on.
        from collective.rendezvous.controlpanels.settings import get_settings

        settings = get_settings()
        settings.bookings_per_hour = 0
        settings.bookings_per_contact = 0


FIXTURE = Layer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,),
    name="CollectiveRendezvousLayer:IntegrationTesting",
)

FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE, WSGI_SERVER_FIXTURE),
    name="CollectiveRendezvousLayer:FunctionalTesting",
)
