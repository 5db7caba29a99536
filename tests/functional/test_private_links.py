"""The citizen's private link over HTTP (issue 12, point 8).

Every answer that carries the token sends ``Referrer-Policy: no-referrer``
and ``Cache-Control: no-store``; REST clients may send the token in the
``X-Rendezvous-Token`` header; the manage page exchanges the token of its
link for a short-lived cookie and redirects to an address without it; an
unknown code and a wrong token get the same answer.
"""

from helpers import cancel_on_private_page
from test_booking_page import form_url
from test_booking_page import PERSON
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from urllib.parse import urlsplit

import icalendar
import pytest
import requests


def assert_private(response):
    """The answer is kept out of caches and of Referer headers."""
    assert response.headers.get("Referrer-Policy") == "no-referrer", (
        response.url,
        response.headers,
    )
    assert "no-store" in response.headers.get("Cache-Control", ""), (
        response.url,
        response.headers,
    )


@pytest.fixture
def booked(site, anonymous):  # noqa: F811
    response = book(
        anonymous,
        site,
        at(next_weekday(0), "09:40"),
        counter=site["counters"][0]["UID"],
    )
    assert response.status_code == 201, response.text
    assert_private(response)  # the new booking's body holds the token
    return response.json()


def manage_link(site, booked):  # noqa: F811
    return (
        f"{site['folder']['@id']}/rendezvous-manage"
        f"?code={booked['code']}&token={booked['token']}"
    )


def test_rest_get_with_token_or_header(booked, anonymous):
    url = booked["@id"]
    response = anonymous.get(url, params={"token": booked["token"]})
    assert response.status_code == 200, response.text
    assert_private(response)
    # The token in a header, not in the URL.
    response = anonymous.get(url, headers={"X-Rendezvous-Token": booked["token"]})
    assert response.status_code == 200, response.text
    assert response.json()["beneficiary"] == "Jeanne Martin"
    assert_private(response)
    response = anonymous.get(
        f"{url}/ics", headers={"X-Rendezvous-Token": booked["token"]}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert_private(response)
    # A wrong header is refused even with nothing in the URL.
    response = anonymous.get(url, headers={"X-Rendezvous-Token": "x" * 32})
    assert response.status_code == 404
    assert_private(response)
    # Actions take the header too.
    response = anonymous.post(
        f"{url}/cancel", json={}, headers={"X-Rendezvous-Token": booked["token"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "cancelled"


def test_unknown_code_and_wrong_token_answer_the_same(booked, site, anonymous):  # noqa: F811
    base = booked["@id"].rsplit("/", 1)[0]
    unknown = f"{base}/ZZZZZZZZ"
    wrong = {"token": "x" * 32}
    for method, suffix, kwargs in (
        ("get", "", {"params": wrong}),
        ("get", "", {"headers": {"X-Rendezvous-Token": wrong["token"]}}),
        ("get", "/ics", {"params": wrong}),
        ("post", "/cancel", {"json": wrong}),
        ("post", "/reschedule", {"json": {**wrong, "start": booked["start"]}}),
    ):
        known = getattr(anonymous, method)(booked["@id"] + suffix, **kwargs)
        other = getattr(anonymous, method)(unknown + suffix, **kwargs)
        assert known.status_code == other.status_code == 404, (method, suffix)
        assert known.json() == other.json(), (method, suffix)
    # Without any token: 401 whether the code exists or not.
    known, other = anonymous.get(booked["@id"]), anonymous.get(unknown)
    assert known.status_code == other.status_code == 401
    assert known.json() == other.json()
    # The agents' actions: the same for a citizen, whatever the code.
    known = anonymous.post(f"{booked['@id']}/absent", json={"token": booked["token"]})
    other = anonymous.post(f"{unknown}/absent", json={"token": booked["token"]})
    assert known.status_code == other.status_code == 401
    assert known.json() == other.json()
    # The private page: the same status and message.
    page = f"{site['folder']['@id']}/rendezvous-manage"
    known = requests.get(page, params={"code": booked["code"], **wrong}, timeout=30)
    other = requests.get(page, params={"code": "ZZZZZZZZ", **wrong}, timeout=30)
    assert known.status_code == other.status_code == 404
    for response in (known, other):
        assert "This link does not open any booking" in response.text
        assert "Jeanne Martin" not in response.text
        assert_private(response)
    known = requests.get(f"{page}/{booked['code']}", timeout=30)
    other = requests.get(f"{page}/ZZZZZZZZ", timeout=30)
    assert known.status_code == other.status_code == 401
    assert "needs the link from your confirmation e-mail" in known.text
    assert "needs the link from your confirmation e-mail" in other.text
    # No browser login dialog on the citizen's page.
    assert "WWW-Authenticate" not in known.headers


def test_manage_page_exchanges_the_token_for_a_cookie(booked, site, manager):  # noqa: F811
    link = manage_link(site, booked)
    with requests.Session() as browser:
        first = browser.get(link, allow_redirects=False, timeout=30)
        assert first.status_code == 302
        assert_private(first)
        clean = first.headers["Location"]
        assert clean == (f"{site['folder']['@id']}/rendezvous-manage/{booked['code']}")
        cookie = first.headers["Set-Cookie"]
        assert cookie.startswith(f"rendezvous_token={booked['token']};")
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert f"Path={urlsplit(clean).path}" in cookie
        assert "Max-Age=1800" in cookie
        assert "Secure" not in cookie  # the test server speaks plain http
        page = browser.get(clean, timeout=30)
        assert page.status_code == 200
        assert_private(page)
        assert booked["code"] in page.text and "09:40" in page.text
        # Neither the cancel form nor the .ics link carries the token.
        assert f'action="{clean}"' in page.text
        assert f'href="{clean}/ics"' in page.text
        ics = browser.get(f"{clean}/ics", timeout=30)
        assert ics.status_code == 200
        assert_private(ics)
        [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
        assert booked["code"] in str(event["summary"])
        # Moving: the calendar's links carry the token, privately.
        assert f"move={booked['code']}" in page.text
        # The cookie is for this booking's page only: not sent elsewhere.
        assert requests.get(f"{clean}/ics", timeout=30).status_code == 401
        # The cancel button works from the address without the token.
        response = cancel_on_private_page(browser, clean, timeout=30)
        assert response.status_code == 200
        assert "Your appointment is cancelled" in response.text
    items = manager.get(f"{site['folder']['@id']}/@bookings").json()["items"]
    assert items[0]["state"] == "cancelled"


def test_confirmation_and_move_pages_are_private(site, manager):  # noqa: F811
    day = next_weekday(1)
    url, params = form_url(site, day, "10:00")
    with requests.Session() as browser:
        response = browser.post(
            url, params=params, data=PERSON, allow_redirects=False, timeout=30
        )
        assert response.status_code == 302
        assert_private(response)  # its Location holds the token
        location = response.headers["Location"]
        token = location.split("token=")[1].split("&")[0]
        response = browser.get(location, allow_redirects=False, timeout=30)
        assert response.status_code == 302
        assert_private(response)
        assert response.headers["Location"].endswith("?new=1")
        confirmation = browser.get(response.headers["Location"], timeout=30)
        assert confirmation.status_code == 200
        assert_private(confirmation)
        assert "Your appointment is booked" in confirmation.text
        assert token not in confirmation.url
        # The private link, to keep, is shown on the confirmation only.
        link = location.replace("&new=1", "").replace("&", "&amp;")
        assert f'value="{link}"' in confirmation.text
        later = browser.get(confirmation.url.split("?")[0], timeout=30)
        assert later.status_code == 200
        assert token not in later.text.split("move=")[0]
        assert "rdv-private-link" not in later.text
    [booking] = manager.get(f"{site['folder']['@id']}/@bookings").json()["items"]
    # The calendar while moving: its URL and links hold the token.
    url, params = form_url(site, day, "11:00", move=booking["code"], token=token)
    page = requests.get(url, params=params, timeout=30)
    assert "Move my appointment here" in page.text
    assert_private(page)
    params.pop("slot")
    page = requests.get(url, params=params, timeout=30)
    assert f"token={token}" in page.text
    assert_private(page)
