"""Issue 12.7: links in mails and SMS, and .ics UIDs, never come from the
request's Host header.

The real SMTP and SMS servers of the notification tests receive what the
site sends; requests are made with ``Host: evil.example``, as anyone can.
"""

from helpers import owner_page_session
from plone import api
from test_bookings_api import at
from test_notifications_mail import calendar_of
from test_notifications_mail import notifying  # noqa: F401 - fixture
from test_notifications_mail import sms_server  # noqa: F401 - fixture
from test_notifications_mail import smtp_server  # noqa: F401 - fixture
from test_notifications_mail import text_of
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import icalendar
import pytest
import transaction


EVIL = {"Host": "evil.example"}
PREFIX = "collective.rendezvous."


def set_urls(public_url: str, site_url: str) -> None:
    transaction.abort()
    api.portal.set_registry_record(PREFIX + "public_url", public_url)
    api.portal.set_registry_record(PREFIX + "site_url", site_url)
    transaction.commit()


def book_through(anonymous, site, notifying, hhmm="10:00", headers=EVIL):  # noqa: F811
    response = anonymous.post(
        f"{site['folder']['@id']}/@bookings",
        json={
            "type": site["type"]["UID"],
            "start": at(next_weekday(0), hhmm),
            "counter": site["counters"][0]["UID"],
            "beneficiary": "Jeanne Martin",
            "email": "jeanne@example.org",
            "phone": "06 12 34 56 78",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    [(_f, _t, message)] = notifying["mailbox"].received(1)
    [sms] = notifying["sms"].received(1)
    return response.json(), message, sms


def uid_of(message) -> str:
    return str(next(iter(calendar_of(message).walk("VEVENT")))["uid"])


def folder_path(site) -> str:  # noqa: F811
    """The service's path below the site, e.g. ``/rendez-vous``."""
    return "/" + site["folder"]["@id"].split("/", 4)[4]


@pytest.mark.parametrize(
    ("public_url", "site_url", "base"),
    [
        ("https://www.ville.example.org", "", "https://www.ville.example.org"),
        # Empty public address: the address stored at install.
        ("", "https://mairie.example.org", "https://mairie.example.org"),
        (
            "https://www.ville.example.org",
            "http://old.example.org",
            "https://www.ville.example.org",
        ),
    ],
)
def test_host_header_never_reaches_a_message(
    site,  # noqa: F811
    anonymous,
    notifying,  # noqa: F811
    public_url,
    site_url,
    base,
):
    set_urls(public_url, site_url)
    booking, mail, sms = book_through(anonymous, site, notifying)
    # The REST answer goes back to whoever asked: it may use their host...
    assert "evil.example" in booking["manage_url"]
    # ... but what is sent to the citizen uses the stored address only.
    text = text_of(mail)
    link = f"{base}{folder_path(site)}/rendezvous-manage?code={booking['code']}"
    assert link in text, text
    assert link in sms["json"]["text"], sms
    for part in (text, sms["json"]["text"], mail.as_string()):
        assert "evil.example" not in part
    host = base.split("/")[2]
    assert uid_of(mail) == f"{booking['UID']}@{host}"


def test_calendar_uid_does_not_depend_on_the_host(
    site,  # noqa: F811
    anonymous,
    notifying,  # noqa: F811
    portal_url,
):
    set_urls("", "https://mairie.example.org")
    booking, mail, _sms = book_through(anonymous, site, notifying, headers={})
    uid = uid_of(mail)
    assert uid == f"{booking['UID']}@mairie.example.org"
    # Moved through another host name: the calendar gets the same event.
    notifying["mailbox"].clear()
    notifying["sms"].clear()
    moved = anonymous.post(
        f"{booking['@id']}/reschedule",
        json={"token": booking["token"], "start": at(next_weekday(0), "11:00")},
        headers=EVIL,
    )
    assert moved.status_code == 200, moved.text
    [(_f, _t, message)] = notifying["mailbox"].received(1)
    assert uid_of(message) == uid
    assert "evil.example" not in message.as_string()
    # The .ics of the REST API too, whichever host it is asked through.
    for headers in ({}, EVIL):
        response = anonymous.get(
            f"{booking['@id']}/ics",
            params={"token": booking["token"]},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        event = next(
            iter(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
        )
        assert str(event["uid"]) == uid


def test_without_any_stored_address_no_host_at_all(
    site,  # noqa: F811
    anonymous,
    notifying,  # noqa: F811
):
    set_urls("", "")
    booking, mail, sms = book_through(anonymous, site, notifying)
    link = f"{folder_path(site)}/rendezvous-manage?code={booking['code']}"
    assert link in text_of(mail)
    for part in (text_of(mail), sms["json"]["text"], mail.as_string()):
        assert "evil.example" not in part
    assert uid_of(mail) == f"{booking['UID']}@collective.rendezvous"


def test_control_panel_warns_when_public_url_is_empty(portal_url):
    with owner_page_session() as session:
        set_urls("", "https://mairie.example.org")
        page = session.get(f"{portal_url}/@@rendezvous-controlpanel")
        assert page.status_code == 200
        assert 'id="rendezvous-public-url-missing"' in page.text
        set_urls("https://www.ville.example.org", "")
        page = session.get(f"{portal_url}/@@rendezvous-controlpanel")
        assert page.status_code == 200
        assert 'id="rendezvous-public-url-missing"' not in page.text
