"""Who may do what with a booking, and where personal data must not leak
(issue 8, item 5; X10)."""

from helpers import cancel_on_private_page
from helpers import json_session
from helpers import owner_page_session
from helpers import page_session
from plone import api
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from urllib.parse import quote

import gzip
import pytest
import re
import requests
import transaction


NAME = "Zéphyrine Secretname"
EMAIL = "zephyrine.secret@example.org"


@pytest.fixture
def world(site, manager, anonymous, functional_portal):  # noqa: F811
    """Two services; the type belongs to service A; two citizens' bookings."""
    transaction.begin()  # see what the server committed while building the site
    for service in ("service_a", "service_b"):
        api.group.create(groupname=service)
        user = service.replace("service", "agent")
        api.user.create(
            email=f"{user}@example.org", username=user, password="secret-password"
        )
        api.group.add_user(groupname=service, username=user)
    api.portal.set_registry_record(
        "collective.rendezvous.service_groups", ["service_a", "service_b"]
    )
    transaction.commit()
    response = manager.patch(site["type"]["@id"], json={"services": ["service_a"]})
    assert response.status_code == 204
    day = next_weekday(0)
    mine = book(anonymous, site, at(day, "09:00"), beneficiary=NAME, email=EMAIL).json()
    other = book(anonymous, site, at(day, "09:20")).json()
    sessions = {
        "anonymous": json_session(),
        "agent_a": json_session("agent_a", "secret-password"),
        "agent_b": json_session("agent_b", "secret-password"),
        "manager": manager,
    }
    return {"mine": mine, "other": other, "sessions": sessions, "site": site}


# who -> (token to send, expected status for reading/cancelling "mine")
ACTORS = {
    "anonymous": (None, 401),
    "citizen": ("mine", 200),
    # Someone else's token, or no right on the booking: the same 404 as for
    # an unknown code (issue 12).
    "other_citizen": ("other", 404),
    "agent_a": (None, 200),
    "agent_b": (None, 404),
    "manager": (None, 200),
}


def actor(world, who):
    token_of, expected = ACTORS[who]
    session_name = who if who in world["sessions"] else "anonymous"
    token = world[token_of]["token"] if token_of else None
    return world["sessions"][session_name], token, expected


@pytest.mark.parametrize("who", list(ACTORS))
def test_read_booking(world, who):
    session, token, expected = actor(world, who)
    params = {"token": token} if token else {}
    response = session.get(world["mine"]["@id"], params=params)
    assert response.status_code == expected, response.text
    ics = session.get(f"{world['mine']['@id']}/ics", params=params)
    assert ics.status_code == expected
    if expected != 200:
        assert NAME not in response.text and EMAIL not in response.text
        assert NAME not in ics.text


@pytest.mark.parametrize("who", list(ACTORS))
def test_cancel_booking(world, who):
    session, token, expected = actor(world, who)
    response = session.post(
        f"{world['mine']['@id']}/cancel", json={"token": token} if token else {}
    )
    assert response.status_code == expected, response.text
    state = world["sessions"]["manager"].get(world["mine"]["@id"]).json()["state"]
    assert state == ("cancelled" if expected == 200 else "booked")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("agent_a", 200),
        ("agent_b", 404),
        ("manager", 200),
    ],
)
def test_mark_absent(world, who, expected, clock):
    clock.after(world["mine"]["start"])
    session, token, _ = actor(world, who)
    response = session.post(
        f"{world['mine']['@id']}/absent", json={"token": token} if token else {}
    )
    if who == "citizen":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("who", "count"),
    [("anonymous", None), ("agent_a", 2), ("agent_b", 0), ("manager", 2)],
)
def test_listing(world, who, count):
    session = world["sessions"][who]
    response = session.get(f"{world['site']['folder']['@id']}/@bookings")
    if count is None:
        assert response.status_code == 401
        assert NAME not in response.text
    else:
        assert response.status_code == 200
        assert response.json()["items_total"] == count


@pytest.mark.parametrize("who", ["anonymous", "agent_b"])
def test_no_leak_through_plone(world, who, portal_url):
    session = world["sessions"][who]
    booking_url = (
        world["site"]["counters"][0]["@id"] + "/" + world["mine"]["code"].lower()
    )
    # The booking object itself.
    response = session.get(booking_url)
    assert response.status_code in (401, 403, 404)
    assert NAME not in response.text
    # Search and the catalog's metadata.
    for query in (
        {"SearchableText": "Secretname"},
        {"portal_type": "Booking"},
        {"fullobjects": 1},
    ):
        found = session.get(f"{portal_url}/@search", params=query)
        assert found.status_code == 200
        assert NAME not in found.text and EMAIL not in found.text
        assert world["mine"]["code"] not in found.text
    # The counter's listing.
    listing = session.get(
        world["site"]["counters"][0]["@id"], params={"fullobjects": 1}
    )
    assert NAME not in listing.text
    # The sitemap (off by default: turned on to be read).
    transaction.begin()
    api.portal.set_registry_record("plone.enable_sitemap", True)
    transaction.commit()
    sitemap = requests.get(f"{portal_url}/sitemap.xml.gz", timeout=30)
    assert sitemap.status_code == 200, sitemap.status_code
    text = gzip.decompress(sitemap.content).decode()
    # An index of pages: read them all.
    pages = re.findall(r"<loc>([^<]*sitemap\.xml\.gz\?page=\d+)</loc>", text)
    assert pages, text
    for page in pages:
        response = requests.get(page.replace("&amp;", "&"), timeout=30)
        assert response.status_code == 200, page
        text += gzip.decompress(response.content).decode()
    # It lists the public content (the service's folder), not the bookings.
    assert world["site"]["folder"]["@id"] in text
    assert world["mine"]["code"].lower() not in text
    assert NAME not in text


def test_bookings_are_not_in_the_catalog(world, portal_url):
    """Not even for their agents: bookings are found through their counters."""
    for who in ("agent_a", "manager"):
        found = world["sessions"][who].get(
            f"{portal_url}/@search",
            params={"portal_type": "Booking", "metadata_fields": "_all"},
        )
        assert found.status_code == 200
        assert found.json()["items_total"] == 0
        assert NAME not in found.text


# -- the pages ---------------------------------------------------------------
#
# The same six callers on every back-office page and on the citizen's private
# page, as a browser would call them (HTML, Plone's login redirect). A citizen
# holding a token is an anonymous visitor to the back office: the token opens
# their own booking's page, nothing else.

PAGE_ACTORS = ("anonymous", "citizen", "other_citizen", "agent_a", "agent_b", "manager")


def session_of(who):
    """The browser session of one of PAGE_ACTORS (citizens are anonymous)."""
    if who == "manager":
        return owner_page_session()
    if who.startswith("agent"):
        return page_session(who, "secret-password")
    return page_session()


def back_office_pages(world):
    """(name, url, shows the booking's personal data to its agents)."""
    rendezvous = world["site"]
    mine = world["mine"]
    [counter] = [
        c["@id"] for c in rendezvous["counters"] if c["UID"] == mine["counter"]
    ]
    day = mine["start"][:10]
    period = f"start={day}&end={day}"
    booking = f"{counter}/{mine['code'].lower()}"
    # The fixture books 09:00 and 09:20; 10:00 is free.
    free = quote(mine["start"].replace("T09:00", "T10:00"))
    return [
        ("counter agenda", f"{counter}/@@rendezvous-agenda?date={day}", True),
        (
            "place agenda",
            f"{rendezvous['place']['@id']}/@@rendezvous-agenda?date={day}",
            True,
        ),
        ("week agenda", f"{counter}/@@rendezvous-agenda?date={day}&view=week", True),
        ("book for", f"{counter}/@@rendezvous-book-for?start={free}", False),
        ("move", f"{booking}/@@rendezvous-move", True),
        (
            "unscheduled",
            f"{rendezvous['folder']['@id']}/@@rendezvous-unscheduled",
            False,
        ),
        (
            "export service",
            f"{rendezvous['folder']['@id']}/@@rendezvous-export.csv?{period}",
            True,
        ),
        (
            "export place",
            f"{rendezvous['place']['@id']}/@@rendezvous-export.csv?{period}",
            True,
        ),
        ("export counter", f"{counter}/@@rendezvous-export.csv?{period}", True),
        ("feed page", f"{counter}/@@rendezvous-feed", False),
        ("booking object", booking, True),
    ]


def refused(response) -> bool:
    """401/403, or Plone's redirect of an anonymous visitor to the login form;
    404 below a booking, whose object is not traversable without the right."""
    return response.status_code in (401, 403, 404) or (
        response.status_code == 302
        and "require_login" in response.headers.get("Location", "")
    )


@pytest.mark.parametrize("who", PAGE_ACTORS)
def test_back_office_pages(world, who):
    session = session_of(who)
    token = {"citizen": "mine", "other_citizen": "other"}.get(who)
    params = {"token": world[token]["token"]} if token else {}
    for name, url, personal in back_office_pages(world):
        response = session.get(url, params=params, allow_redirects=False)
        if who in ("agent_a", "manager"):
            assert response.status_code == 200, (name, response.status_code)
            if personal:
                assert NAME in response.text, name
        else:
            assert refused(response), (name, response.status_code)
            assert NAME not in response.text and EMAIL not in response.text, name
    # What the pages post: an action on the booking needs the right service.
    day = world["mine"]["start"][:10]
    url = f"{world['site']['counters'][0]['@id']}/@@rendezvous-agenda?date={day}"
    response = session.post(
        url,
        data={"booking": world["mine"]["code"], "action": "cancel"},
        allow_redirects=False,
    )
    if who in ("agent_a", "manager"):
        # Without the CSRF token of the page: refused all the same.
        assert response.status_code == 403, response.status_code
    else:
        assert refused(response), response.status_code
    state = world["sessions"]["manager"].get(world["mine"]["@id"]).json()["state"]
    assert state == "booked"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("citizen", 200),
        ("other_citizen", 404),
        ("agent_a", 200),
        ("agent_b", 404),
        ("manager", 200),
    ],
)
def test_citizen_page(world, who, expected):
    """The private page of a booking: its token, or an agent of its counter."""
    session = session_of(who)
    token = {"citizen": "mine", "other_citizen": "other"}.get(who)
    params = {"code": world["mine"]["code"]}
    if token:
        params["token"] = world[token]["token"]
    url = f"{world['site']['folder']['@id']}/rendezvous-manage"
    response = session.get(url, params=params, allow_redirects=False)
    if who == "citizen":
        # The token is exchanged for a cookie, then the page loads without it.
        assert response.status_code == 302, response.status_code
        response = session.get(response.headers["Location"], allow_redirects=False)
    assert response.status_code == expected, response.status_code
    # The page shows the appointment (code, date, place), never the name.
    assert NAME not in response.text and EMAIL not in response.text
    assert (world["mine"]["code"] in response.text) == (expected == 200)
    # Cancelling from it needs the same right.
    response = cancel_on_private_page(session, url, data=params, allow_redirects=False)
    state = world["sessions"]["manager"].get(world["mine"]["@id"]).json()["state"]
    if expected == 200 and who == "citizen":
        assert response.status_code == 302
        assert state == "cancelled"
    elif expected != 200:
        assert response.status_code == expected
        assert state == "booked"
    else:
        # An agent's or manager's post without the page's CSRF token: refused
        # by plone.protect, and the booking is untouched.
        assert response.status_code == 403, response.status_code
        assert state == "booked"
