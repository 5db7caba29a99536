"""Issue 12.5: the add-on's REST writes refuse what another site could forge.

A browser logged in to Plone sends its ``__ac`` cookie with any request to the
site, even one a foreign page makes; a ``text/plain`` POST needs no CORS
preflight. Authenticated writes must be JSON with credentials in the
Authorization header, or carry plone.protect's token; anonymous citizens with
their booking token are not concerned.
"""

from helpers import cookie_session
from helpers import csrf_token
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import json
import pytest
import requests
import transaction


@pytest.fixture
def browser(portal_url):
    """The site owner, logged in through the login form (cookie only)."""
    with cookie_session(portal_url, SITE_OWNER_NAME, SITE_OWNER_PASSWORD) as session:
        yield session


@pytest.fixture
def booked(site, anonymous):  # noqa: F811
    """A citizen's booking next Monday at 09:00 (JSON, with its token)."""
    response = book(anonymous, site, at(next_weekday(0), "09:00"))
    assert response.status_code == 201, response.text
    return response.json()


def state(manager, booking) -> str:
    response = manager.get(booking["@id"])
    assert response.status_code == 200, response.text
    return response.json()["state"]


FORGED = (
    # What a foreign page can send without a preflight: text/plain...
    {"headers": {"Content-Type": "text/plain"}},
    # ... and what a same-origin script could send without the token.
    {"headers": {"Content-Type": "application/json"}},
)


def actions(site, booking):  # noqa: F811
    """(url, body) of every authenticated REST write of the add-on."""
    folder = site["folder"]["@id"]
    monday = next_weekday(0)
    return {
        "book": (
            f"{folder}/@bookings",
            {
                "type": site["type"]["UID"],
                "start": at(monday, "10:00"),
                "beneficiary": "Forged",
            },
        ),
        "cancel": (f"{booking['@id']}/cancel", {"reason": "forged"}),
        "reschedule": (
            f"{booking['@id']}/reschedule",
            {"start": at(monday, "11:00")},
        ),
        "absent": (f"{booking['@id']}/absent", {}),
        "attended": (f"{booking['@id']}/attended", {}),
        "apply": (
            f"{site['week']['@id']}/@apply",
            {
                "counter": site["counters"][0]["UID"],
                "start": monday.isoformat(),
                "end": monday.isoformat(),
            },
        ),
    }


@pytest.mark.parametrize("forged", FORGED, ids=["text-plain", "json-no-token"])
@pytest.mark.parametrize(
    "action", ["book", "cancel", "reschedule", "absent", "attended", "apply"]
)
def test_cookie_session_refused(
    site,  # noqa: F811
    manager,
    booked,
    browser,
    action,
    forged,
):
    url, body = actions(site, booked)[action]
    before = manager.get(f"{site['folder']['@id']}/@bookings").json()["items"]
    schedule = manager.get(site["counters"][0]["@id"]).json()["schedule"]
    response = browser.post(
        url,
        data=json.dumps(body),
        headers={"Accept": "application/json", **forged["headers"]},
    )
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "Forbidden"
    assert "CSRF" in response.json()["message"]
    # Nothing changed.
    assert manager.get(f"{site['folder']['@id']}/@bookings").json()["items"] == before
    assert manager.get(site["counters"][0]["@id"]).json()["schedule"] == schedule


def test_cookie_session_refused_in_french(site, manager, booked, browser):  # noqa: F811
    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    transaction.commit()
    response = browser.post(
        f"{booked['@id']}/cancel",
        data="{}",
        headers={
            "Accept": "application/json",
            "Content-Type": "text/plain",
            "Accept-Language": "fr",
        },
    )
    assert response.status_code == 403, response.text
    assert "refusée" in response.json()["message"]
    assert state(manager, booked) == "booked"


def test_cookie_session_with_token_accepted(
    site,  # noqa: F811
    manager,
    booked,
    browser,
    portal_url,
):
    token = csrf_token(browser, portal_url)
    response = browser.post(
        f"{booked['@id']}/cancel",
        json={"reason": "by phone"},
        headers={"Accept": "application/json", "X-CSRF-TOKEN": token},
    )
    assert response.status_code == 200, response.text
    assert state(manager, booked) == "cancelled"
    url, body = actions(site, booked)["apply"]
    response = browser.post(
        url,
        params={"_authenticator": token},
        json=body,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_cookie_session_with_wrong_token_refused(
    site,  # noqa: F811
    manager,
    booked,
    browser,
):
    response = browser.post(
        f"{booked['@id']}/cancel",
        json={},
        headers={"Accept": "application/json", "X-CSRF-TOKEN": "0" * 40},
    )
    assert response.status_code == 403, response.text
    assert state(manager, booked) == "booked"


def test_basic_auth_json_accepted(site, manager, booked):  # noqa: F811
    url, body = actions(site, booked)["apply"]
    response = manager.post(url, json=body)
    assert response.status_code == 200, response.text
    response = manager.post(f"{booked['@id']}/cancel", json={"reason": "phone"})
    assert response.status_code == 200, response.text
    assert state(manager, booked) == "cancelled"


def test_basic_auth_text_plain_refused(site, manager, booked):  # noqa: F811
    """A browser that knows Basic credentials sends them to any page's form."""
    response = manager.post(
        f"{booked['@id']}/cancel",
        data="{}",
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 403, response.text
    assert state(manager, booked) == "booked"


def test_anonymous_citizen_with_token_unchanged(site, manager, booked):  # noqa: F811
    # A citizen's browser, no session: as before, JSON or not.
    response = requests.post(
        f"{booked['@id']}/cancel",
        data=json.dumps({"token": booked["token"]}),
        headers={"Accept": "application/json", "Content-Type": "text/plain"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert state(manager, booked) == "cancelled"


# plone.restapi's own writes on the add-on's content and settings: the same rule.


def test_cookie_session_content_writes_refused(site, manager, browser, portal_url):  # noqa: F811
    counter = site["counters"][0]["@id"]
    json_headers = {"Accept": "application/json", "Content-Type": "application/json"}
    before = manager.get(counter).json()
    response = browser.patch(counter, json={"title": "Forged"}, headers=json_headers)
    assert response.status_code == 403, response.text
    assert "CSRF" in response.json()["message"]
    # A text/plain POST that plone.restapi would read as JSON: no counter added.
    response = browser.post(
        site["place"]["@id"],
        data=json.dumps(
            {
                "@type": "Counter",
                "title": "Forged",
                "appointment_type": site["type"]["UID"],
            }
        ),
        headers={"Accept": "application/json", "Content-Type": "text/plain"},
    )
    assert response.status_code == 403, response.text
    response = browser.delete(counter, headers={"Accept": "application/json"})
    assert response.status_code == 403, response.text
    after = manager.get(counter)
    assert after.status_code == 200
    assert after.json()["title"] == before["title"]
    items = manager.get(site["place"]["@id"]).json()["items"]
    assert "Forged" not in [item["title"] for item in items]
    panel = f"{portal_url}/@controlpanels/rendezvous"
    response = browser.patch(panel, json={"bookings_per_hour": 1}, headers=json_headers)
    assert response.status_code == 403, response.text
    assert manager.get(panel).json()["data"]["bookings_per_hour"] != 1


def test_cookie_session_content_writes_with_token(site, manager, browser, portal_url):  # noqa: F811
    token = csrf_token(browser, portal_url)
    response = browser.patch(
        site["counters"][0]["@id"],
        json={"title": "Guichet A"},
        headers={"Accept": "application/json", "X-CSRF-TOKEN": token},
    )
    assert response.status_code == 204, response.text
    assert manager.get(site["counters"][0]["@id"]).json()["title"] == "Guichet A"


def test_basic_auth_content_writes_accepted(site, manager):  # noqa: F811
    response = manager.patch(site["counters"][0]["@id"], json={"title": "Guichet A"})
    assert response.status_code == 204, response.text
    response = manager.delete(site["counters"][1]["@id"])
    assert response.status_code == 204, response.text
    assert manager.get(site["counters"][1]["@id"]).status_code == 404
