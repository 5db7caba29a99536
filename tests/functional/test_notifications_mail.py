"""Notifications with real parts (issue 7): an SMTP server and an SMS gateway.

An aiosmtpd server on loopback receives the site's mail (MailHost points at
it), a loopback HTTP server plays the SMS gateway. Bookings are made, moved,
cancelled and marked over real HTTP; the functional layer's server runs in
this process, so the after-commit hooks send from its thread: the tests wait
for the messages with a timeout.

The fixtures here are imported by the other ``test_notifications_*`` files.
"""

from aiosmtpd.controller import Controller
from email import message_from_bytes
from email import policy
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import datetime
import icalendar
import json
import pytest
import socket
import threading
import time
import transaction


FROM = "rendez-vous@mairie.example.org"
SMS_TOKEN = "s3cret-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float = 10.0, what: str = "the messages"):
    """Poll until ``predicate()`` is true (the server sends after commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Mailbox:
    """The aiosmtpd handler: keeps every message received."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def received(self, count: int = 1, timeout: float = 10.0):
        wait_for(lambda: len(self.messages) >= count, timeout, f"{count} mail(s)")
        time.sleep(0.2)  # anything more would be a duplicate: let it arrive
        with self.lock:
            return list(self.messages)

    def subjects(self):
        with self.lock:
            return [str(message["Subject"]) for _f, _t, message in self.messages]


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


class Gateway(BaseHTTPRequestHandler):
    """The SMS provider: records each POST; answers ``server.status``."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.calls.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(body),
                }
            )
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"sms-{len(self.server.calls)}"}).encode())

    def log_message(self, *args):
        pass


class SMSServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
        self.httpd.calls = []
        self.httpd.status = 200
        self.httpd.lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sms/send"

    @property
    def calls(self):
        with self.httpd.lock:
            return list(self.httpd.calls)

    def clear(self):
        with self.httpd.lock:
            self.httpd.calls.clear()
        self.httpd.status = 200

    def received(self, count: int = 1, timeout: float = 10.0):
        wait_for(lambda: len(self.calls) >= count, timeout, f"{count} SMS")
        time.sleep(0.2)
        return self.calls

    def texts(self):
        return [call["json"]["text"] for call in self.calls]


@pytest.fixture(scope="session")
def sms_server():
    server = SMSServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def notifying(functional_portal, smtp_server, sms_server):
    """A French site whose MailHost and SMS gateway are the loopback servers."""
    from plone import api

    controller, mailbox = smtp_server
    mailbox.clear()
    sms_server.clear()
    portal = functional_portal
    # Plone's MailHost reads its server from the registry (Site Setup > Mail).
    portal.MailHost.smtp_host = "127.0.0.1"
    portal.MailHost.smtp_port = controller.port
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record("plone.smtp_port", controller.port)
    api.portal.set_registry_record("plone.email_from_address", FROM)
    api.portal.set_registry_record("plone.email_from_name", "Mairie de Démoville")
    api.portal.set_registry_record("plone.default_language", "fr")
    prefix = "collective.rendezvous."
    api.portal.set_registry_record(prefix + "sms_gateway", "http")
    api.portal.set_registry_record(prefix + "sms_gateway_url", sms_server.url)
    api.portal.set_registry_record(prefix + "sms_gateway_token", SMS_TOKEN)
    api.portal.set_registry_record(prefix + "sms_sender", "MAIRIE")
    # What the install stores on a real site (the test site was installed by
    # a script, without an address): links are built on it, not the request.
    api.portal.set_registry_record(prefix + "public_url", portal.absolute_url())
    transaction.commit()
    return {"mailbox": mailbox, "sms": sms_server, "portal": portal}


def calendar_of(message):
    """The parsed .ics attached to a mail, and its METHOD."""
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            data = part.get_content()
            if isinstance(data, str):
                data = data.encode("utf-8")
            return icalendar.Calendar.from_ical(data)
    return None


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def agent_view(manager, booking):
    response = manager.get(booking["@id"])
    assert response.status_code == 200, response.text
    return response.json()


def channels_logged(manager, booking, event):
    """The channels the booking's notification log has for an event.

    The log is written in the transaction of the action, so it says at once
    and for sure what was sent (or tried), where the fake servers can only
    say what arrived so far.
    """
    log = agent_view(manager, booking)["notifications"]
    return sorted(entry["channel"] for entry in log if entry["event"] == event)


def logged(manager, booking, count):
    """The booking's notification log once ``count`` entries are settled."""

    def settled():
        log = agent_view(manager, booking)["notifications"]
        done = [entry for entry in log if entry["status"] != "pending"]
        return log if len(log) >= count and len(done) == len(log) else None

    return wait_for(settled, what="the notification log")


def french_date(day: datetime.date, hhmm: str) -> str:
    weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    hour, minute = hhmm.split(":")
    return (
        f"{weekdays[day.weekday()]} {day.day} {months[day.month - 1]} {day.year} "
        f"à {hour}h{minute}"
    )


@pytest.fixture
def booked(site, anonymous, notifying):  # noqa: F811
    """A citizen's booking, with the confirmation mail and SMS received."""
    day = next_weekday(0)
    response = book(
        anonymous, site, at(day, "10:00"), counter=site["counters"][0]["UID"]
    )
    assert response.status_code == 201, response.text
    body = response.json()
    mails = notifying["mailbox"].received(1)
    sms = notifying["sms"].received(1)
    return {"booking": body, "day": day, "mails": mails, "sms": sms}


class TestCreated:
    def test_mail(self, booked, site):  # noqa: F811
        booking, day = booked["booking"], booked["day"]
        [(mail_from, recipients, message)] = booked["mails"]
        assert mail_from == FROM
        assert recipients == ["jeanne@example.org"]
        assert "Mairie de Démoville" in str(message["From"])
        assert str(message["Subject"]) == (
            f"Votre rendez-vous du {french_date(day, '10:00')} est confirmé"
        )
        text = text_of(message)
        assert text.startswith("Bonjour Jeanne Martin,")
        assert f"Date : {french_date(day, '10:00')}" in text
        assert "Pièces d'identité" in text
        assert "Mairie, Guichet 1" in text
        assert "1 rue de la Paix" in text
        assert "Durée : 20 minutes" in text
        assert booking["code"] in text
        # The private link, with the token: only this message has it.
        assert booking["manage_url"] in text
        assert "{" not in text

    def test_ics(self, booked):
        booking = booked["booking"]
        [(_f, _t, message)] = booked["mails"]
        calendar = calendar_of(message)
        assert calendar is not None
        assert str(calendar["method"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("dtstart") == datetime.datetime.fromisoformat(
            booking["start"]
        )
        assert event.decoded("dtend") == datetime.datetime.fromisoformat(booking["end"])
        assert booking["code"] in str(event["summary"])
        assert str(event["status"]) == "CONFIRMED"

    def test_sms(self, booked):
        booking, day = booked["booking"], booked["day"]
        [call] = booked["sms"]
        assert call["path"] == "/sms/send"
        assert call["headers"]["Authorization"] == f"Bearer {SMS_TOKEN}"
        assert call["headers"]["Content-Type"].startswith("application/json")
        assert call["json"]["to"] == "+33612345678"
        assert call["json"]["from"] == "MAIRIE"
        text = call["json"]["text"]
        assert french_date(day, "10:00") in text
        assert booking["code"] in text
        assert booking["manage_url"] in text

    def test_log_visible_to_agents_only(self, booked, manager, anonymous):
        log = logged(manager, booked["booking"], 2)
        assert {(entry["event"], entry["channel"]) for entry in log} == {
            ("created", "mail"),
            ("created", "sms"),
        }
        for entry in log:
            assert entry["status"] == "sent"
            assert entry["attempts"] == 1
            assert datetime.datetime.fromisoformat(entry["done"])
        citizen = anonymous.get(
            booked["booking"]["@id"], params={"token": booked["booking"]["token"]}
        ).json()
        assert "notifications" not in citizen

    def test_agent_booking_without_email_or_phone(self, site, manager, notifying):  # noqa: F811
        response = book(manager, site, at(next_weekday(1), "09:00"), email="", phone="")
        assert response.status_code == 201, response.text
        time.sleep(0.5)
        assert notifying["mailbox"].messages == []
        assert notifying["sms"].calls == []
        assert agent_view(manager, response.json())["notifications"] == []


class TestLaterEvents:
    def test_moved(self, booked, anonymous, manager, notifying):
        booking, day = booked["booking"], booked["day"]
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        response = anonymous.post(
            f"{booking['@id']}/reschedule",
            json={"token": booking["token"], "start": at(day, "11:00")},
        )
        assert response.status_code == 200, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        old, new = french_date(day, "10:00"), french_date(day, "11:00")
        assert str(message["Subject"]) == f"Votre rendez-vous est déplacé au {new}"
        text = text_of(message)
        assert f"Votre rendez-vous du {old} est déplacé" in text
        assert f"Nouvelle date : {new}" in text
        # Later messages have no token: the link is the service's page.
        assert booking["token"] not in text
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("dtstart") == datetime.datetime.fromisoformat(
            at(day, "11:00")
        )
        [call] = notifying["sms"].received(1)
        assert old in call["json"]["text"] and new in call["json"]["text"]

    def test_cancelled_by_citizen(self, booked, anonymous, manager, notifying):
        booking, day = booked["booking"], booked["day"]
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == (
            f"Annulation de votre rendez-vous du {french_date(day, '10:00')}"
        )
        assert "est bien annulé" in text_of(message)
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "CANCEL"
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["status"]) == "CANCELLED"
        [(_f, _t, first)] = booked["mails"]
        first_event = next(iter(calendar_of(first).walk("VEVENT")))
        assert str(event["uid"]) == str(first_event["uid"])
        # Cancelled by the citizen: mail only out of the box.
        assert channels_logged(manager, booking, "cancelled_citizen") == ["mail"]
        time.sleep(0.3)
        assert notifying["sms"].calls == []

    def test_cancelled_by_agent(self, booked, manager, notifying):
        booking, day = booked["booking"], booked["day"]
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        response = manager.post(f"{booking['@id']}/cancel", json={"reason": "Grève"})
        assert response.status_code == 200, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == (
            f"Votre rendez-vous du {french_date(day, '10:00')} est annulé"
        )
        assert "annulé par nos services" in text_of(message)
        assert str(calendar_of(message)["method"]) == "CANCEL"
        [call] = notifying["sms"].received(1)
        assert "annulé par nos services" in call["json"]["text"]

    def test_absent(self, booked, manager, notifying, clock):
        booking, day = booked["booking"], booked["day"]
        clock.after(booking["start"])
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        response = manager.post(f"{booking['@id']}/absent", json={})
        assert response.status_code == 200, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == (
            f"Rendez-vous manqué du {french_date(day, '10:00')}"
        )
        text = text_of(message)
        assert site_page(booking) in text
        assert calendar_of(message) is None
        assert channels_logged(manager, booking, "absent") == ["mail"]
        time.sleep(0.3)
        assert notifying["sms"].calls == []

    def test_attended_sends_nothing(self, booked, manager, notifying, clock):
        clock.after(booked["booking"]["start"])
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        before = agent_view(manager, booked["booking"])["notifications"]
        response = manager.post(f"{booked['booking']['@id']}/attended", json={})
        assert response.status_code == 200, response.text
        # Nothing was even tried: the log has no new entry.
        assert agent_view(manager, booked["booking"])["notifications"] == before
        time.sleep(0.5)
        assert notifying["mailbox"].messages == []
        assert notifying["sms"].calls == []

    def test_unscheduled(self, booked, site, manager, notifying):  # noqa: F811
        booking, day = booked["booking"], booked["day"]
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        response = manager.patch(site["week"]["@id"], json={"monday": ["14h00-17h00"]})
        assert response.status_code == 204, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == (
            f"Votre rendez-vous du {french_date(day, '10:00')} ne peut pas être "
            "maintenu"
        )
        assert booking["code"] in text_of(message)
        [call] = notifying["sms"].received(1)
        assert booking["code"] in call["json"]["text"]
        log = logged(manager, booking, 4)
        assert [entry["event"] for entry in log] == [
            "created",
            "created",
            "unscheduled",
            "unscheduled",
        ]


def site_page(booking) -> str:
    """The appointment service's page (the ``{link}`` of later messages)."""
    return booking["@id"].split("/@bookings/")[0]


class TestMatrix:
    def test_event_switched_off(self, site, anonymous, manager, notifying):  # noqa: F811
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        rows = manager.get(panel).json()["data"]["notification_matrix"]
        for row in rows:
            if row["event"] == "created":
                row["sms"] = False
        response = manager.patch(panel, json={"notification_matrix": rows})
        assert response.status_code == 204, response.text
        response = book(anonymous, site, at(next_weekday(2), "09:40"))
        assert response.status_code == 201, response.text
        assert len(notifying["mailbox"].received(1)) == 1
        time.sleep(0.3)
        assert notifying["sms"].calls == []

    def test_texts_of_the_settings(self, site, anonymous, manager, notifying):  # noqa: F811
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        rows = manager.get(panel).json()["data"]["notification_matrix"]
        for row in rows:
            if row["event"] == "created":
                row["subject"] = "RDV {code} : {5}"
                row["mail_body"] = "{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}|{{ok}}"
                row["sms_body"] = "RDV {1} code {code}"
        assert manager.patch(panel, json={"notification_matrix": rows}).ok
        day = next_weekday(2)
        booking = book(
            anonymous, site, at(day, "09:40"), counter=site["counters"][0]["UID"]
        ).json()
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == f"RDV {booking['code']} : Pièces d'identité"
        assert text_of(message).strip() == (
            f"Jeanne Martin|{french_date(day, '09:40')}|Guichet 1|Mairie|"
            "1 rue de la Paix|Pièces d'identité|20 minutes||{ok}"
        )
        [call] = notifying["sms"].received(1)
        assert call["json"]["text"] == (
            f"RDV {french_date(day, '09:40')} code {booking['code']}"
        )


class TestFailures:
    def test_smtp_down_does_not_fail_the_booking(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,
        monkeypatch,
    ):
        from collective.rendezvous.notifications import dispatch
        from plone import api

        smtp_port = api.portal.get_registry_record("plone.smtp_port")
        # Nobody listens there.
        api.portal.set_registry_record("plone.smtp_port", free_port())
        transaction.commit()
        response = book(anonymous, site, at(next_weekday(3), "09:00"))
        assert response.status_code == 201, response.text
        booking = response.json()
        log = logged(manager, booking, 2)
        mail = next(entry for entry in log if entry["channel"] == "mail")
        assert mail["status"] == "failed"
        assert mail["attempts"] == 1
        assert "Connection" in mail["result"] or "refused" in mail["result"]
        assert "jeanne@example.org" not in mail["result"]
        assert next(e for e in log if e["channel"] == "sms")["status"] == "sent"
        # The booking is there, its slot taken.
        assert agent_view(manager, booking)["state"] == "booked"

        # The tick retries it once the server is back (no wait in tests).
        monkeypatch.setattr(dispatch, "RETRY_AFTER", datetime.timedelta(0))
        api.portal.set_registry_record("plone.smtp_port", smtp_port)
        transaction.commit()
        portal = notifying["portal"]
        tick = manager.get(f"{portal.absolute_url()}/@@rendezvous-tick").json()
        assert tick["notifications_retried"] == 1
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert booking["code"] in str(text_of(message))
        log = logged(manager, booking, 2)
        mail = next(entry for entry in log if entry["channel"] == "mail")
        assert mail["status"] == "sent"
        assert mail["attempts"] == 2
        again = manager.get(f"{portal.absolute_url()}/@@rendezvous-tick").json()
        assert again["notifications_retried"] == 0
        time.sleep(0.3)
        assert len(notifying["mailbox"].messages) == 1

    def test_gives_up_after_bounded_retries(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,
        monkeypatch,
    ):
        from collective.rendezvous.notifications import dispatch

        monkeypatch.setattr(dispatch, "RETRY_AFTER", datetime.timedelta(0))
        notifying["sms"].httpd.status = 503
        response = book(anonymous, site, at(next_weekday(3), "09:20"))
        assert response.status_code == 201, response.text
        booking = response.json()
        notifying["sms"].received(1)
        tick_url = f"{notifying['portal'].absolute_url()}/@@rendezvous-tick"
        retried = abandoned = 0
        for _ in range(dispatch.MAX_ATTEMPTS + 2):
            logged(manager, booking, 2)
            summary = manager.get(tick_url).json()
            retried += summary["notifications_retried"]
            abandoned += summary["notifications_abandoned"]
        assert retried == dispatch.MAX_ATTEMPTS - 1
        assert abandoned == 1
        assert len(notifying["sms"].calls) == dispatch.MAX_ATTEMPTS
        sms = next(
            entry for entry in logged(manager, booking, 2) if entry["channel"] == "sms"
        )
        assert sms["status"] == "abandoned"
        assert sms["attempts"] == dispatch.MAX_ATTEMPTS
        assert "HTTP 503" in sms["result"]


class TestAfterCommit:
    """In this process: nothing leaves before the commit, nothing twice."""

    @pytest.fixture
    def folder(self, site, notifying):  # noqa: F811
        from plone import api
        from zope.component.hooks import setSite

        portal = notifying["portal"]
        setSite(portal)
        transaction.begin()
        return api.content.get(UID=site["folder"]["UID"])

    def request(self, site, hhmm):  # noqa: F811
        return {
            "type": site["type"]["UID"],
            "start": at(next_weekday(4), hhmm),
            "beneficiary": "Paul Durand",
            "email": "paul@example.org",
        }

    def test_aborted_transaction_sends_nothing(self, site, folder, notifying):  # noqa: F811
        from collective.rendezvous.booking import service
        from plone import api

        with api.env.adopt_roles(["Manager"]):
            service.book(folder, self.request(site, "09:00"))
        # What a ConflictError does to the first attempt of a request.
        transaction.abort()
        time.sleep(0.3)
        assert notifying["mailbox"].messages == []
        # The retry commits: one message.
        transaction.begin()
        with api.env.adopt_roles(["Manager"]):
            service.book(folder, self.request(site, "09:00"))
        transaction.commit()
        assert len(notifying["mailbox"].received(1)) == 1

    def test_failed_commit_sends_nothing(self, site, folder, notifying):  # noqa: F811
        from collective.rendezvous.booking import service
        from plone import api

        with api.env.adopt_roles(["Manager"]):
            service.book(folder, self.request(site, "09:20"))
        current = transaction.get()
        hooks = list(current.getAfterCommitHooks())
        assert hooks
        for hook, args, kws in hooks:
            hook(False, *args, **kws)  # the commit failed
        transaction.abort()
        time.sleep(0.3)
        assert notifying["mailbox"].messages == []
