"""A real WSGI server answers plone.restapi over HTTP with the add-on installed."""

from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import requests


def test_restapi_get_over_http(functional_portal):
    url = functional_portal.absolute_url()
    assert url.startswith("http://localhost:")
    response = requests.get(
        f"{url}/@addons/collective.rendezvous",
        headers={"Accept": "application/json"},
        auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "collective.rendezvous"
    assert body["is_installed"] is True
    assert body["profile_type"] == "default"
