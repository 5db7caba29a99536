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


def test_mail_and_ics_carry_names_as_text(site, anonymous, notifying):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book

    day = next_weekday(1)
    response = book(anonymous, site, at(day, "09:00"), beneficiary=ATTACK)
    assert response.status_code == 201, response.text
    booked = response.json()
    [(_from, _to, message)] = notifying["mailbox"].received(1)
    # Plain text only: nothing a mail client would render as HTML.
    assert not any(part.get_content_type() == "text/html" for part in message.walk())
    assert ATTACK in message.get_body(preferencelist=("plain",)).get_content()
    # Headers cannot be forged through the name (no line breaks are accepted).
    assert "onerror" not in str(message["Subject"])
    response = anonymous.get(f"{booked['@id']}/ics", params={"token": booked["token"]})
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert booked["code"] in str(event["summary"])
    assert ATTACK not in response.text


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
