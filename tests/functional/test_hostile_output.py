"""Hostile names and texts are harmless wherever they are shown (issue 8, item 4):
agents' pages, mails and calendar files. (CSV formula injection is tested in
test_agenda.py::TestExportAndFeed::test_csv.)"""

from test_agenda import agenda_url
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import citizen_booking
from test_notifications_mail import notifying  # noqa: F401 - fixture
from test_notifications_mail import sms_server  # noqa: F401 - fixture
from test_notifications_mail import smtp_server  # noqa: F401 - fixture
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import icalendar


ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_agenda_escapes_names(site, agents, anonymous):  # noqa: F811
    day = next_weekday(0)
    citizen_booking(anonymous, site, day, "09:00", beneficiary=ATTACK, comment=ATTACK)
    page = agents["a"].get(agenda_url(site["counters"][0], day))
    assert page.status_code == 200
    assert ATTACK not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text


def test_mail_and_ics_carry_names_as_text(site, anonymous, manager, notifying):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book

    # The default subjects do not name the beneficiary: this one does ({0}),
    # so the hostile name really goes into a header.
    panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
    rows = manager.get(panel).json()["data"]["notification_matrix"]
    [created] = [row for row in rows if row["event"] == "created"]
    created["subject"] = "RDV de {0} le {1}"
    response = manager.patch(panel, json={"notification_matrix": rows})
    assert response.status_code == 204, response.text

    day = next_weekday(1)
    response = book(anonymous, site, at(day, "09:00"), beneficiary=ATTACK)
    assert response.status_code == 201, response.text
    booked = response.json()
    [(_from, recipients, message)] = notifying["mailbox"].received(1)
    # Plain text only: nothing a mail client would render as HTML.
    assert not any(part.get_content_type() == "text/html" for part in message.walk())
    assert ATTACK in message.get_body(preferencelist=("plain",)).get_content()
    # The name is in the subject as text, on one line; no header is added
    # and the mail goes to the citizen only.
    subject = str(message["Subject"])
    assert subject.startswith(f"RDV de {ATTACK} le ")
    assert "\n" not in subject and "\r" not in subject
    assert recipients == ["jeanne@example.org"]
    assert not {"Bcc", "Cc"} & set(message.keys())
    response = anonymous.get(f"{booked['@id']}/ics", params={"token": booked["token"]})
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert booked["code"] in str(event["summary"])
    assert ATTACK not in response.text


def test_agents_feed_carries_names_as_text(site, agents, anonymous):  # noqa: F811
    """The agents' calendar feed has the names (and comments) of the bookings:
    they stay text inside their properties, and cannot add events."""
    from test_agenda import make_feed_key

    import requests

    day = next_weekday(3)
    forged = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged\r\nUID:forged"
    booked = citizen_booking(
        anonymous, site, day, "09:00", beneficiary=ATTACK, comment=forged
    )
    counter = site["counters"][0]["@id"]
    url = make_feed_key(agents["a"], counter)
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")  # no forged second event
    summary = str(event["SUMMARY"])
    assert booked["code"] in summary and ATTACK in summary
    assert str(event["DESCRIPTION"]).endswith(forged.replace("\r\n", "\n"))
    assert "forged" not in str(event["UID"])
    # Each line of the file is a property of the calendar, never a forged one.
    assert "\r\nSUMMARY:forged" not in response.text
    assert "\r\nBEGIN:VEVENT" in response.text
    assert response.text.split("\r\n").count("BEGIN:VEVENT") == 1


def test_line_breaks_in_names_are_refused(site, anonymous):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book

    response = book(
        anonymous,
        site,
        at(next_weekday(2), "09:00"),
        beneficiary="Jeanne\r\nBcc: victim@example.org",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "beneficiary"
