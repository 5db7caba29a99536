"""The limits on online bookings against abuse, over HTTP (issue 12, points 1-3).

One limit per client address (``bookings_per_hour``, 429 + Retry-After) and a
cap on the active bookings of one e-mail address and of one phone number
(``bookings_per_contact``), inside the booking service: the REST service and
the HTML form share them. Only bookings made count; whoever manages the
counter is exempt, a plain member is not.
"""

from helpers import json_session
from plone import api
from test_booking_page import bookings_of
from test_booking_page import form_url
from test_booking_page import PERSON
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import pytest
import requests
import transaction


def settings(manager, portal_url, **values):
    response = manager.patch(f"{portal_url}/@controlpanels/rendezvous", json=values)
    assert response.status_code == 204, response.text


def person(n: int) -> dict:
    """A different citizen each time: the cap per contact stays out of the way."""
    return {"email": f"citizen{n}@example.org", "phone": f"06123456{n:02d}"}


SLOTS = ("09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00")


@pytest.fixture
def members(functional_portal, site, manager):  # noqa: F811
    """agent: in the service group of the type; member: a plain member."""
    transaction.begin()
    api.group.create(groupname="etat_civil")
    for user in ("agent", "member"):
        api.user.create(
            email=f"{user}@example.org", username=user, password="secret-password"
        )
    api.group.add_user(groupname="etat_civil", username="agent")
    # Only the groups of this setting are services (issue 12, point 6).
    api.portal.set_registry_record(
        "collective.rendezvous.service_groups", ["etat_civil"]
    )
    transaction.commit()
    response = manager.patch(site["type"]["@id"], json={"services": ["etat_civil"]})
    assert response.status_code == 204, response.text
    with (
        json_session("agent", "secret-password") as agent,
        json_session("member", "secret-password") as member,
    ):
        yield {"agent": agent, "member": member}


def test_rest_limit_per_address(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=2)
    day = next_weekday(0)
    statuses = [
        book(anonymous, site, at(day, hhmm), **person(n)).status_code
        for n, hhmm in enumerate(SLOTS[:2])
    ]
    assert statuses == [201, 201]
    refused = book(anonymous, site, at(day, "10:00"), **person(9))
    assert refused.status_code == 429, refused.text
    assert refused.json()["type"] == "TooManyRequests"
    assert "Too many bookings" in refused.json()["message"]
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert len(bookings_of(manager, site)) == 2
    # The refusal took nothing: the slot is still offered.
    free = anonymous.get(
        site["slots"],
        params={
            "type": site["type"]["UID"],
            "start": day.isoformat(),
            "end": day.isoformat(),
        },
    ).json()["items"]
    assert at(day, "10:00") in {item["start"] for item in free}


def test_limit_message_is_translated(site, manager, anonymous, portal_url):  # noqa: F811
    transaction.begin()  # see what the server committed while building the site
    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    transaction.commit()
    settings(manager, portal_url, bookings_per_hour=1)
    day = next_weekday(1)
    assert book(anonymous, site, at(day, "09:00")).status_code == 201
    refused = anonymous.post(
        f"{site['folder']['@id']}/@bookings",
        json={"type": site["type"]["UID"], "start": at(day, "09:20"), **PERSON},
        headers={"Accept-Language": "fr"},
    )
    assert refused.status_code == 429, refused.text
    assert "Trop de rendez-vous" in refused.json()["message"]
    assert refused.headers["Retry-After"]


def test_window_slides(site, manager, anonymous, portal_url, monkeypatch):  # noqa: F811
    from collective.rendezvous.booking import ratelimit

    settings(manager, portal_url, bookings_per_hour=1)
    day = next_weekday(2)
    assert book(anonymous, site, at(day, "09:00"), **person(1)).status_code == 201
    assert book(anonymous, site, at(day, "09:20"), **person(2)).status_code == 429
    later = ratelimit.now() + 3601
    monkeypatch.setattr(ratelimit, "now", lambda: later)
    assert book(anonymous, site, at(day, "09:20"), **person(2)).status_code == 201
    # The scheduled task forgets what expired (here: nothing yet).
    tick = manager.get(f"{portal_url}/@@rendezvous-tick")
    assert tick.status_code == 200, tick.text
    assert tick.json()["limit_entries_removed"] == 0
    monkeypatch.setattr(ratelimit, "now", lambda: later + 3601)
    tick = manager.get(f"{portal_url}/@@rendezvous-tick")
    assert tick.json()["limit_entries_removed"] == 1


def test_html_form_and_rest_share_the_limit(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=2)
    day = next_weekday(3)
    assert book(anonymous, site, at(day, "09:00"), **person(1)).status_code == 201
    url, params = form_url(site, day, "09:20")
    data = {**PERSON, **person(2)}
    response = requests.post(
        url, params=params, data=data, allow_redirects=False, timeout=30
    )
    assert response.status_code == 302, response.text[:2000]
    url, params = form_url(site, day, "09:40")
    data = {**PERSON, **person(3)}
    response = requests.post(
        url, params=params, data=data, allow_redirects=False, timeout=30
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many bookings" in response.text
    assert book(anonymous, site, at(day, "10:00"), **person(4)).status_code == 429
    assert len(bookings_of(manager, site)) == 2


def test_refused_attempts_do_not_count(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=2)
    day = next_weekday(4)
    url, params = form_url(site, day, "09:00")
    for n in range(30):
        # Typos in the e-mail field, over REST and in the page.
        response = book(anonymous, site, at(day, "09:00"), email=f"jeanne{n}@")
        assert response.status_code == 400, response.text
        if n % 10 == 0:
            response = requests.post(
                url, params=params, data={**PERSON, "email": "nope"}, timeout=30
            )
            assert "not a valid e-mail" in response.text
    # Slots taken meanwhile are refused too, and do not count either.
    for _ in range(2):  # both counters
        assert book(manager, site, at(day, "09:20"), **person(0)).status_code == 201
    for _ in range(2):
        assert book(anonymous, site, at(day, "09:20"), **person(5)).status_code == 409
    statuses = [
        book(anonymous, site, at(day, hhmm), **person(n)).status_code
        for n, hhmm in enumerate(("10:00", "10:20", "10:40"), start=1)
    ]
    assert statuses == [201, 201, 429]


def test_cap_per_email(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=100, bookings_per_contact=3)
    day = next_weekday(0)
    made = [
        book(
            anonymous, site, at(day, hhmm), email="Jeanne@Example.org", phone=""
        ).json()
        for hhmm in SLOTS[:3]
    ]
    assert all("code" in item for item in made)
    # The same mailbox written otherwise: refused, on the e-mail field.
    for email in ("jeanne@example.org", "JEANNE+rdv@example.org"):
        refused = book(anonymous, site, at(day, "10:00"), email=email, phone="")
        assert refused.status_code == 409, refused.text
        assert refused.json()["field"] == "email"
        assert "e-mail address" in refused.json()["message"]
    assert len(bookings_of(manager, site)) == 3
    # Another address books; a cancellation makes room again.
    other = book(anonymous, site, at(day, "10:00"), email="paul@example.org", phone="")
    assert other.status_code == 201, other.text
    first = made[0]
    cancel = anonymous.post(
        f"{site['folder']['@id']}/@bookings/{first['code']}/cancel",
        json={"token": first["token"]},
    )
    assert cancel.status_code == 200, cancel.text
    again = book(anonymous, site, at(day, "10:20"), email="jeanne@example.org")
    assert again.status_code == 201, again.text


def test_cap_per_phone(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=100, bookings_per_contact=2)
    day = next_weekday(1)
    for n, (hhmm, phone) in enumerate(
        [("09:00", "06 12 34 56 78"), ("09:20", "+33612345678")]
    ):
        response = book(
            anonymous, site, at(day, hhmm), email=f"x{n}@example.org", phone=phone
        )
        assert response.status_code == 201, response.text
    refused = book(
        anonymous, site, at(day, "09:40"), email="y@example.org", phone="0612345678"
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "phone"
    assert "phone number" in refused.json()["message"]
    # In the page, the message is by the phone field.
    url, params = form_url(site, day, "09:40")
    data = {**PERSON, "email": "z@example.org", "phone": "0612345678"}
    page = requests.post(url, params=params, data=data, timeout=30)
    assert page.status_code == 200
    assert 'aria-describedby="rdv-phone-help rdv-phone-error"' in page.text
    assert len(bookings_of(manager, site)) == 2


def test_cap_off(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=0, bookings_per_contact=0)
    day = next_weekday(2)
    for hhmm in SLOTS[:5]:
        assert book(anonymous, site, at(day, hhmm)).status_code == 201


def test_member_is_limited_agent_is_not(site, manager, members, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=1, bookings_per_contact=1)
    day = next_weekday(3)
    member = members["member"]
    assert book(member, site, at(day, "09:00"), **person(1)).status_code == 201
    refused = book(member, site, at(day, "09:20"), **person(2))
    assert refused.status_code == 429, refused.text
    assert refused.headers["Retry-After"]
    # The agent of the counter books for citizens past both limits (from the
    # same address, for the same citizen).
    agent = members["agent"]
    for hhmm in SLOTS[1:4]:
        response = book(agent, site, at(day, hhmm), **person(1))
        assert response.status_code == 201, response.text
    assert len(bookings_of(manager, site)) == 4


def test_tick_forgets_cancelled_contacts(site, manager, anonymous, portal_url):  # noqa: F811
    settings(manager, portal_url, bookings_per_hour=0, bookings_per_contact=1)
    day = next_weekday(4)
    made = book(anonymous, site, at(day, "09:00"), phone="").json()
    assert book(anonymous, site, at(day, "09:20"), phone="").status_code == 409
    tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
    assert tick["limit_entries_removed"] == 0
    cancel = anonymous.post(
        f"{site['folder']['@id']}/@bookings/{made['code']}/cancel",
        json={"token": made["token"]},
    )
    assert cancel.status_code == 200, cancel.text
    # The e-mail's entry listed only the cancelled booking: it goes.
    tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
    assert tick["limit_entries_removed"] == 1
    assert book(anonymous, site, at(day, "09:20"), phone="").status_code == 201
