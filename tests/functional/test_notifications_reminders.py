"""Reminders (issue 7): sent by @@rendezvous-tick once, before the quiet hours.

A booking 5 hours ahead gets exactly one reminder however many ticks run
(real clock, real HTTP, quiet hours off so that the test does not depend on
the time it runs). Quiet hours and moves are checked by calling the tick's
reminder function with a fixed ``now`` in this process.
"""

from test_bookings_api import at
from test_bookings_api import book
from test_notifications_mail import french_date
from test_notifications_mail import logged
from test_notifications_mail import notifying  # noqa: F401 - fixture
from test_notifications_mail import sms_server  # noqa: F401 - fixture
from test_notifications_mail import smtp_server  # noqa: F401 - fixture
from test_notifications_mail import text_of
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from zoneinfo import ZoneInfo

import datetime
import pytest
import time
import transaction


PARIS = ZoneInfo("Europe/Paris")
ALL_DAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


@pytest.fixture
def around_the_clock(site, manager, notifying):  # noqa: F811
    """Counters open every day of the year, 00:00 to 23:40; no quiet hours."""
    from collective.rendezvous.vocabularies.calendar import holidays_terms

    panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
    response = manager.patch(
        panel,
        json={
            "open_weekdays": list(ALL_DAYS),
            "holidays_open": [term.token for term in holidays_terms("metropole")],
            "quiet_hours": "",
        },
    )
    assert response.status_code == 204, response.text
    response = manager.patch(
        site["week"]["@id"], json=dict.fromkeys(ALL_DAYS, ["00h00-23h40"])
    )
    assert response.status_code == 204, response.text
    return site


def first_start_after(session, site, moment):  # noqa: F811
    """The first free slot starting at or after ``moment``."""
    day = moment.astimezone(PARIS).date()
    response = session.get(
        site["slots"],
        params={
            "type": site["type"]["UID"],
            "start": day.isoformat(),
            "end": (day + datetime.timedelta(days=2)).isoformat(),
            "counter": site["counters"][0]["UID"],
        },
    )
    assert response.status_code == 200, response.text
    for item in response.json()["items"]:
        if datetime.datetime.fromisoformat(item["start"]) >= moment:
            return item["start"]
    raise AssertionError("no free slot")


def tick(manager, notifying):  # noqa: F811
    url = f"{notifying['portal'].absolute_url()}/@@rendezvous-tick"
    response = manager.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_reminder_however_many_ticks(
    around_the_clock,
    anonymous,
    manager,
    notifying,  # noqa: F811
):
    clock = around_the_clock
    now = datetime.datetime.now(PARIS)
    start = first_start_after(anonymous, clock, now + datetime.timedelta(hours=5))
    response = book(anonymous, clock, start, counter=clock["counters"][0]["UID"])
    assert response.status_code == 201, response.text
    booking = response.json()
    notifying["mailbox"].received(1)
    notifying["sms"].received(1)
    notifying["mailbox"].clear()
    notifying["sms"].clear()

    summaries = [tick(manager, notifying) for _ in range(4)]
    assert [s["reminders_sent"] for s in summaries] == [1, 0, 0, 0]
    [(_f, recipients, message)] = notifying["mailbox"].received(1)
    assert recipients == ["jeanne@example.org"]
    moment = datetime.datetime.fromisoformat(start).astimezone(PARIS)
    when = french_date(moment.date(), moment.strftime("%H:%M"))
    assert str(message["Subject"]) == f"Rappel : votre rendez-vous du {when}"
    assert booking["code"] in text_of(message)
    [call] = notifying["sms"].received(1)
    assert call["json"]["text"].startswith("Rappel : rendez-vous Pièces d'identité")
    # More ticks later still send nothing more: the booking's log (written
    # by the tick's transaction) has the confirmation and one reminder per
    # channel, and no more; the servers received nothing more either.
    assert tick(manager, notifying)["reminders_sent"] == 0
    log = logged(manager, booking, 4)
    assert sorted((entry["event"], entry["channel"]) for entry in log) == [
        ("created", "mail"),
        ("created", "sms"),
        ("reminder", "mail"),
        ("reminder", "sms"),
    ]
    time.sleep(0.3)
    assert len(notifying["mailbox"].messages) == 1
    assert len(notifying["sms"].calls) == 1
    reminders = [entry for entry in log if entry["event"] == "reminder"]
    assert sorted(entry["channel"] for entry in reminders) == ["mail", "sms"]
    assert all(entry["status"] == "sent" for entry in reminders)
    assert all(entry["start"] for entry in reminders)


def test_not_due_yet(around_the_clock, anonymous, manager, notifying):  # noqa: F811
    clock = around_the_clock
    now = datetime.datetime.now(PARIS)
    start = first_start_after(anonymous, clock, now + datetime.timedelta(hours=7))
    assert book(anonymous, clock, start).status_code == 201
    notifying["mailbox"].received(1)
    assert tick(manager, notifying)["reminders_sent"] == 0


class TestFixedClock:
    """The reminder function of the tick, with a fixed ``now``, in this process."""

    @pytest.fixture
    def env(self, site, notifying):  # noqa: F811
        from plone import api
        from zope.component.hooks import setSite

        setSite(notifying["portal"])
        transaction.begin()
        return {"folder": api.content.get(UID=site["folder"]["UID"]), **notifying}

    def book(self, site, env, day, hhmm):  # noqa: F811
        from collective.rendezvous.booking import service
        from plone import api

        with api.env.adopt_roles(["Manager"]):
            booking, _token = service.book(
                env["folder"],
                {
                    "type": site["type"]["UID"],
                    "start": at(day, hhmm),
                    "counter": site["counters"][0]["UID"],
                    "beneficiary": "Paul Durand",
                    "email": "paul@example.org",
                    "phone": "0612345678",
                },
            )
        transaction.commit()
        env["mailbox"].received(1)
        env["sms"].received(1)
        env["mailbox"].clear()
        env["sms"].clear()
        transaction.begin()
        return booking

    def remind(self, day, hhmm) -> int:
        from collective.rendezvous.notifications.reminders import send_reminders

        transaction.begin()
        hour, minute = (int(part) for part in hhmm.split(":"))
        now = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)
        count = send_reminders(now=now)
        transaction.commit()
        return count

    def test_brought_forward_before_quiet_hours(self, site, env):  # noqa: F811
        monday = next_weekday(0)
        sunday = monday - datetime.timedelta(days=1)
        self.book(site, env, monday, "09:00")
        # Due at 03:00, in the quiet hours (21h00-08h00): due from 20:00.
        assert self.remind(sunday, "15:00") == 0
        assert self.remind(sunday, "19:59") == 0
        assert self.remind(sunday, "20:00") == 1
        [(_f, _t, message)] = env["mailbox"].received(1)
        assert str(message["Subject"]).startswith("Rappel")
        assert len(env["sms"].received(1)) == 1
        assert self.remind(sunday, "20:05") == 0
        assert self.remind(monday, "03:00") == 0
        assert self.remind(monday, "08:30") == 0
        time.sleep(0.3)
        assert len(env["mailbox"].messages) == 1

    def test_never_in_the_quiet_hours(self, site, env):  # noqa: F811
        monday = next_weekday(0)
        sunday = monday - datetime.timedelta(days=1)
        self.book(site, env, monday, "10:00")
        # The tick did not run before the quiet hours (or the booking came
        # later): the reminder waits for their end.
        assert self.remind(sunday, "21:30") == 0
        assert self.remind(monday, "02:00") == 0
        assert self.remind(monday, "07:59") == 0
        time.sleep(0.3)
        assert env["mailbox"].messages == []
        assert self.remind(monday, "08:00") == 1
        assert len(env["mailbox"].received(1)) == 1

    def test_afternoon_appointment_not_moved(self, site, env):  # noqa: F811
        from collective.rendezvous.notifications.dispatch import parse_quiet_hours
        from collective.rendezvous.notifications.reminders import due_at

        quiet = parse_quiet_hours("21h00-08h00")
        start = datetime.datetime(2027, 3, 2, 14, 0, tzinfo=PARIS)
        assert due_at(start, 6, quiet, PARIS) == start - datetime.timedelta(hours=6)

    def test_moved_booking_gets_a_new_reminder(self, site, env):  # noqa: F811
        from collective.rendezvous.booking import service
        from plone import api

        tuesday = next_weekday(1)
        booking = self.book(site, env, tuesday, "11:00")
        assert self.remind(tuesday, "05:00") == 0  # quiet hours
        assert self.remind(tuesday, "08:00") == 1
        env["mailbox"].received(1)
        env["mailbox"].clear()
        env["sms"].clear()
        transaction.begin()
        booking = service.get_booking(env["folder"], booking.code)
        with api.env.adopt_roles(["Manager"]):
            service.reschedule(env["folder"], booking, at(tuesday, "11:40"), by="agent")
        transaction.commit()
        env["mailbox"].received(1)  # the "moved" mail
        env["mailbox"].clear()
        assert self.remind(tuesday, "08:10") == 1
        [(_f, _t, message)] = env["mailbox"].received(1)
        assert french_date(tuesday, "11:40") in str(message["Subject"])
        assert self.remind(tuesday, "08:20") == 0

    def test_cancelled_booking_is_not_reminded(self, site, env):  # noqa: F811
        from collective.rendezvous.booking import service
        from plone import api

        wednesday = next_weekday(2)
        booking = self.book(site, env, wednesday, "10:00")
        transaction.begin()
        booking = service.get_booking(env["folder"], booking.code)
        with api.env.adopt_roles(["Manager"]):
            service.cancel(booking, by="agent")
        transaction.commit()
        env["mailbox"].received(1)
        assert self.remind(wednesday, "08:00") == 0

    def test_reminder_switched_off_for_the_type(self, site, env, manager):  # noqa: F811
        overrides = [
            {"event": "reminder", "channel": "mail", "send": False},
            {"event": "reminder", "channel": "sms", "send": False},
        ]
        response = manager.patch(
            site["type"]["@id"], json={"notification_overrides": overrides}
        )
        assert response.status_code == 204, response.text
        thursday = next_weekday(3)
        self.book(site, env, thursday, "10:00")
        assert self.remind(thursday, "08:00") == 0
        time.sleep(0.3)
        assert env["mailbox"].messages == []
        assert env["sms"].calls == []
