"""The SMS gateway's secrets (issue 12, point 10).

The token is write-only: GET of ``@controlpanels/rendezvous`` and the HTML
form never give it back, saving the form without retyping it keeps it. The
gateway's address must be https:// (http:// only to this machine), since
the token is sent to it with every message.
"""

from helpers import form_fields
from helpers import owner_page_session
from test_roles import rdv_manager  # noqa: F401 - fixture

import ast
import pytest
import transaction


TOKEN = "tok-9f8e7d6c5b4a-secret"
PREFIX = "collective.rendezvous."


@pytest.fixture
def panel(portal_url):
    return f"{portal_url}/@controlpanels/rendezvous"


@pytest.fixture
def form_url(portal_url):
    return f"{portal_url}/@@rendezvous-controlpanel"


@pytest.fixture
def stored(functional, functional_portal):
    """A setting as the server committed it, read in this process from the
    registry's records (``registry[name]`` answers from a cache that the
    server's commits do not clear here)."""
    path = functional_portal.getPhysicalPath()[1:]

    def stored(name):
        transaction.abort()
        connection = functional["zodbDB"].open()
        try:
            site = connection.root()["Application"].unrestrictedTraverse(path)
            return site.portal_registry.records._values[PREFIX + name]
        finally:
            connection.close()

    return stored


@pytest.fixture
def with_token(manager, panel, stored):
    response = manager.patch(
        panel,
        json={
            "sms_gateway": "http",
            "sms_gateway_url": "https://sms.example.org/send",
            "sms_gateway_token": TOKEN,
        },
    )
    assert response.status_code == 204, response.text
    assert stored("sms_gateway_token") == TOKEN
    return TOKEN


def test_get_never_returns_the_token(
    with_token,
    manager,
    rdv_manager,  # noqa: F811
    panel,
    form_url,
):
    for session in (manager, rdv_manager):
        response = session.get(panel)
        assert response.status_code == 200, response.text
        assert TOKEN not in response.text
        body = response.json()
        assert "sms_gateway_token" not in body["data"]
        # Still settable: in the schema, as a password.
        assert body["schema"]["properties"]["sms_gateway_token"]["widget"] == (
            "password"
        )
    with owner_page_session() as browser:
        html = browser.get(form_url).text
    assert 'name="form.widgets.sms_gateway_token"' in html
    assert TOKEN not in html
    [field] = [
        f
        for f in form_fields(html, "rendezvous-controlpanel")
        if "sms_gateway_token" in f[0]
    ]
    assert field == ("form.widgets.sms_gateway_token", "")


def test_form_saved_without_the_token_keeps_it(with_token, form_url, stored):
    with owner_page_session() as browser:
        fields = form_fields(browser.get(form_url).text, "rendezvous-controlpanel")
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
        assert stored("sms_gateway_token") == TOKEN
        # A new token typed in replaces it.
        fields = [
            (name, "tok-new" if name == "form.widgets.sms_gateway_token" else value)
            for name, value in form_fields(
                browser.get(form_url).text, "rendezvous-controlpanel"
            )
        ]
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
    assert stored("sms_gateway_token") == "tok-new"


def test_form_refused_does_not_echo_the_token(with_token, form_url, stored):
    """A form sent back with an error shows the token field empty."""
    with owner_page_session() as browser:
        fields = [
            (
                name,
                {
                    "form.widgets.sms_gateway_token": "tok-typed-in",
                    "form.widgets.sms_gateway_url": "http://sms.example.org/send",
                }.get(name, value),
            )
            for name, value in form_fields(
                browser.get(form_url).text, "rendezvous-controlpanel"
            )
        ]
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
    assert response.status_code == 200
    assert "must start with https://" in response.text
    assert "tok-typed-in" not in response.text and TOKEN not in response.text
    assert stored("sms_gateway_token") == TOKEN
    assert stored("sms_gateway_url") == "https://sms.example.org/send"


def test_patch_without_the_token_keeps_it(with_token, manager, panel, stored):
    data = manager.get(panel).json()["data"]
    # What GET gives, PATCH takes back: the token is kept.
    assert manager.patch(panel, json=data).status_code == 204
    assert stored("sms_gateway_token") == TOKEN
    # Sent empty on purpose: removed.
    response = manager.patch(panel, json={"sms_gateway_token": ""})
    assert response.status_code == 204, response.text
    assert stored("sms_gateway_token") == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://sms.example.org/send",
        "http://127.0.0.1.example.org/send",
        "http://127.0.0.1@sms.example.org/send",
        "http://localhost.example.org/send",
        "ftp://sms.example.org/send",
        "https://",
    ],
)
def test_insecure_gateway_url_refused(with_token, manager, panel, url, stored):
    before = manager.get(panel).json()["data"]
    response = manager.patch(panel, json={"sms_gateway_url": url})
    assert response.status_code == 400, response.text
    errors = ast.literal_eval(response.json()["message"])
    assert [error["field"] for error in errors] == ["sms_gateway_url"]
    assert manager.get(panel).json()["data"] == before
    assert stored("sms_gateway_url") == "https://sms.example.org/send"


@pytest.mark.parametrize(
    "url",
    [
        "https://sms.example.org/send",
        "http://127.0.0.1:8025/send",
        "http://localhost/send",
        "http://[::1]:8025/send",
    ],
)
def test_secure_or_loopback_gateway_url_accepted(manager, panel, url, stored):
    response = manager.patch(panel, json={"sms_gateway_url": url})
    assert response.status_code == 204, response.text
    assert stored("sms_gateway_url") == url


def test_refused_message_is_translated(functional_portal, manager, panel):
    from plone import api

    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    transaction.commit()
    response = manager.patch(
        panel,
        json={"sms_gateway_url": "http://sms.example.org/"},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "doit commencer par https://" in response.json()["message"]


def test_gateway_does_not_send_the_token_over_http():
    """Set in the registry by other means: the gateway still refuses."""
    from collective.rendezvous.notifications.gateways import HTTPJSONGateway
    from collective.rendezvous.notifications.gateways import SMSError

    with pytest.raises(SMSError, match="https"):
        HTTPJSONGateway().send(
            "+33612345678",
            "text",
            {"url": "http://sms.example.org/send", "token": TOKEN, "sender": ""},
        )
