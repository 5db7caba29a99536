"""Phones, SMS destinations and mail addresses over HTTP (issue 12.4, 13.8-10).

The loopback SMTP servers are aiosmtpd's, one without SMTPUTF8 (the
session's, from test_notifications_mail) and one with it; the mails are
parsed with the strict policy of Python's email package (any defect raises).
"""

from aiosmtpd.controller import Controller
from email import message_from_bytes
from email import message_from_string
from email import policy
from test_bookings_api import at
from test_bookings_api import book
from test_bookings_api import free_starts
from test_notifications_mail import agent_view
from test_notifications_mail import calendar_of
from test_notifications_mail import free_port
from test_notifications_mail import FROM
from test_notifications_mail import logged
from test_notifications_mail import notifying  # noqa: F401 - fixture
from test_notifications_mail import sms_server  # noqa: F401 - fixture
from test_notifications_mail import smtp_server  # noqa: F401 - fixture
from test_notifications_mail import text_of
from test_notifications_mail import wait_for
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import pytest
import threading
import time
import transaction


STRICT = policy.default.clone(raise_on_defect=True)
NNBSP = "\u202f"


def strict(raw: bytes):
    """The message parsed strictly: a defect raises.

    A message with UTF-8 headers (RFC 6532, sent with SMTPUTF8) is decoded
    first: the bytes parser would keep them as escaped bytes.
    """
    if raw.isascii():
        message = message_from_bytes(raw, policy=STRICT)
    else:
        message = message_from_string(raw.decode("utf-8"), policy=STRICT)
    assert not message.defects
    for part in message.walk():
        assert not part.defects
    return message


class RawMailbox:
    """An aiosmtpd handler keeping the envelope and the raw bytes."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "options": [o.upper() for o in envelope.mail_options],
                    "raw": envelope.original_content or envelope.content,
                }
            )
        return "250 Message accepted for delivery"

    def received(self, count: int = 1):
        wait_for(lambda: len(self.messages) >= count, what=f"{count} mail(s)")
        time.sleep(0.2)
        with self.lock:
            return list(self.messages)


@pytest.fixture(scope="module")
def utf8_server():
    mailbox = RawMailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True
    )
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture(scope="module")
def ascii_server():
    mailbox = RawMailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=False
    )
    controller.start()
    yield controller, mailbox
    controller.stop()


def use_server(portal, controller, smtputf8: bool):
    from plone import api

    transaction.abort()  # see what the server's requests committed
    portal.MailHost.smtp_port = controller.port
    api.portal.set_registry_record("plone.smtp_port", controller.port)
    api.portal.set_registry_record("collective.rendezvous.mail_smtputf8", smtputf8)
    transaction.commit()


@pytest.fixture
def restore_settings(notifying):  # noqa: F811
    """Put back what these tests change in the site's settings."""
    from plone import api

    yield
    transaction.abort()
    prefix = "collective.rendezvous."
    api.portal.set_registry_record(prefix + "mail_smtputf8", False)
    api.portal.set_registry_record(prefix + "phone_region", "FR")
    api.portal.set_registry_record(
        prefix + "sms_countries",
        ["FR", "GP", "BL", "MF", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF"],
    )
    transaction.commit()


def sms_entries(manager, booking, count=2):
    log = logged(manager, booking, count)
    return [entry for entry in log if entry["channel"] == "sms"]


# -- 13.8: addresses with accents --------------------------------------------------


class TestInternationalAddresses:
    def test_smtputf8_server_gets_the_address_intact(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
        utf8_server,
        restore_settings,
    ):
        controller, mailbox = utf8_server
        use_server(notifying["portal"], controller, smtputf8=True)
        response = book(
            anonymous, site, at(next_weekday(0), "09:00"), email="zoé@exemple.fr"
        )
        assert response.status_code == 201, response.text
        booking = response.json()
        assert booking["email"] == "zoé@exemple.fr"
        [mail] = mailbox.received(1)
        assert mail["to"] == ["zoé@exemple.fr"]
        assert "SMTPUTF8" in mail["options"]
        message = strict(mail["raw"])
        assert message["To"].addresses[0].addr_spec == "zoé@exemple.fr"
        assert booking["code"] in text_of(message)
        log = logged(manager, booking, 2)
        assert next(e for e in log if e["channel"] == "mail")["status"] == "sent"

    def test_server_without_smtputf8_gets_the_idna_domain(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
        ascii_server,
        restore_settings,
    ):
        controller, mailbox = ascii_server
        use_server(notifying["portal"], controller, smtputf8=False)
        response = book(
            anonymous, site, at(next_weekday(0), "09:20"), email="x@bücher.example"
        )
        assert response.status_code == 201, response.text
        [mail] = mailbox.received(1)
        assert mail["to"] == ["x@xn--bcher-kva.example"]
        assert "SMTPUTF8" not in mail["options"]
        assert mail["raw"].isascii()
        message = strict(mail["raw"])
        assert message["To"].addresses[0].addr_spec == "x@xn--bcher-kva.example"
        assert response.json()["code"] in text_of(message)

    def test_accented_local_part_refused_when_the_server_cannot_carry_it(
        self,
        site,  # noqa: F811
        anonymous,
        notifying,  # noqa: F811
        restore_settings,
    ):
        day = next_weekday(0)
        before = free_starts(anonymous, site, day)
        response = anonymous.post(
            f"{site['folder']['@id']}/@bookings",
            json={
                "type": site["type"]["UID"],
                "start": at(day, "09:40"),
                "beneficiary": "Zoé",
                "email": "zoé@exemple.fr",
            },
            headers={"Accept-Language": "fr"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["field"] == "email"
        assert "avant le @" in response.json()["message"]
        assert free_starts(anonymous, site, day) == before
        time.sleep(0.3)
        assert notifying["mailbox"].messages == []

    def test_same_refusal_in_the_html_form(
        self,
        site,  # noqa: F811
        notifying,  # noqa: F811
        restore_settings,
    ):
        from helpers import page_session

        day = next_weekday(0)
        with page_session() as browser:
            response = browser.post(
                site["folder"]["@id"],
                params={
                    "appointment_type": site["type"]["UID"],
                    "slot": at(day, "10:00"),
                },
                data={
                    "beneficiary": "Zoé",
                    "email": "zoé@exemple.fr",
                    "consent": "1",
                    "submit": "1",
                },
            )
        assert response.status_code == 200, response.text
        assert "avant le @" in response.text
        assert "rendezvous-manage" not in response.url

    @pytest.mark.parametrize(
        "email", ["x@bücher..example", "x@-bad-.example", "a@b@c.fr", "x@xn--a.fr"]
    )
    def test_unmailable_addresses_refused(self, site, anonymous, email):  # noqa: F811
        response = book(anonymous, site, at(next_weekday(0), "10:20"), email=email)
        assert response.status_code == 400, response.text


# -- 13.10: headers, invitations, merge fields, same slot ---------------------------


@pytest.fixture
def booked_strict(site, anonymous, notifying, ascii_server, restore_settings):  # noqa: F811
    """A booking whose confirmation went to the raw mailbox."""
    controller, mailbox = ascii_server
    mailbox.messages.clear()
    use_server(notifying["portal"], controller, smtputf8=False)
    day = next_weekday(1)
    response = book(
        anonymous, site, at(day, "10:00"), counter=site["counters"][0]["UID"]
    )
    assert response.status_code == 201, response.text
    [mail] = mailbox.received(1)
    return {"booking": response.json(), "day": day, "mailbox": mailbox, "mail": mail}


class TestMailHeaders:
    def test_auto_submitted_and_strictly_valid(self, booked_strict):
        message = strict(booked_strict["mail"]["raw"])
        assert message["Auto-Submitted"] == "auto-generated"
        # No option and no "what to bring" on this type: their lines are left out.
        text = text_of(message)
        assert "Option" not in text
        assert "apporter" not in text
        assert "\n\n\n" not in text

    def test_request_has_organizer_and_attendee(self, booked_strict):
        message = strict(booked_strict["mail"]["raw"])
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        organizer = event["organizer"]
        assert str(organizer).lower() == f"mailto:{FROM}"
        assert organizer.params["CN"] == "Mairie de Démoville"
        attendee = event["attendee"]
        assert str(attendee).lower() == "mailto:jeanne@example.org"
        assert attendee.params["CN"] == "Jeanne Martin"
        assert attendee.params["PARTSTAT"] == "ACCEPTED"

    def test_cancel_has_organizer_and_attendee(self, booked_strict, anonymous):
        booking, mailbox = booked_strict["booking"], booked_strict["mailbox"]
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        message = strict(mailbox.received(2)[1]["raw"])
        assert message["Auto-Submitted"] == "auto-generated"
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "CANCEL"
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["organizer"]).lower() == f"mailto:{FROM}"
        assert str(event["attendee"]).lower() == "mailto:jeanne@example.org"

    def test_moving_to_the_same_slot_changes_and_sends_nothing(
        self,
        booked_strict,
        anonymous,
        manager,
        notifying,  # noqa: F811
    ):
        booking, mailbox = booked_strict["booking"], booked_strict["mailbox"]
        logged(manager, booking, 2)
        before = agent_view(manager, booking)
        notifying["sms"].clear()
        response = anonymous.post(
            f"{booking['@id']}/reschedule",
            json={"token": booking["token"], "start": booking["start"]},
        )
        assert response.status_code == 200, response.text
        assert response.json()["start"] == booking["start"]
        after = agent_view(manager, booking)
        assert after["history"] == before["history"]
        assert after["notifications"] == before["notifications"]
        assert after["previous_start"] == before["previous_start"]
        time.sleep(0.5)
        assert len(mailbox.messages) == 1
        assert notifying["sms"].calls == []


class TestOptionAndWhatToBring:
    @pytest.fixture
    def kind(self, site, manager):  # noqa: F811
        response = manager.patch(
            site["type"]["@id"],
            json={
                "options": ["CNI", "Passeport"],
                "what_to_bring": "Une photo d'identité\nUn justificatif de domicile",
            },
        )
        assert response.status_code == 204, response.text
        return site

    def test_mail_and_confirmation_page(
        self,
        kind,
        anonymous,
        notifying,  # noqa: F811
        ascii_server,
        restore_settings,
    ):
        from helpers import page_session

        controller, mailbox = ascii_server
        mailbox.messages.clear()
        use_server(notifying["portal"], controller, smtputf8=False)
        response = book(anonymous, kind, at(next_weekday(2), "09:00"), option="CNI")
        assert response.status_code == 201, response.text
        booking = response.json()
        message = strict(mailbox.received(1)[0]["raw"])
        text = text_of(message).replace("\r\n", "\n")
        assert "Option : CNI" in text
        assert "À apporter : Une photo d'identité\nUn justificatif de domicile" in text
        with page_session() as browser:
            page = browser.get(booking["manage_url"] + "&new=1")
        assert page.status_code == 200
        assert "CNI" in page.text
        assert "Pièces à apporter" in page.text
        assert "Un justificatif de domicile" in page.text

    def test_a_stored_old_default_gets_the_new_fields(
        self,
        kind,
        anonymous,
        manager,
        notifying,  # noqa: F811
        ascii_server,
        restore_settings,
    ):
        """A site that stored the earlier shipped default text gets the new one."""
        from collective.rendezvous.notifications import texts
        from zope.i18n import translate

        old = translate(
            texts.LEGACY_TEXTS[texts.CREATED][texts.MAIL_BODY], target_language="fr"
        )
        assert "{option}" not in old and old.startswith("Bonjour")
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        rows = manager.get(panel).json()["data"]["notification_matrix"]
        for row in rows:
            if row["event"] == "created":
                row["mail_body"] = old
        assert manager.patch(panel, json={"notification_matrix": rows}).ok
        controller, mailbox = ascii_server
        mailbox.messages.clear()
        use_server(notifying["portal"], controller, smtputf8=False)
        response = book(
            anonymous, kind, at(next_weekday(2), "09:20"), option="Passeport"
        )
        assert response.status_code == 201, response.text
        text = text_of(strict(mailbox.received(1)[0]["raw"]))
        assert "Option : Passeport" in text
        assert "À apporter : Une photo" in text

    def test_merge_fields_accepted_in_the_settings(self, manager, notifying):  # noqa: F811
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        rows = manager.get(panel).json()["data"]["notification_matrix"]
        rows[0]["sms_body"] = "RDV {1} {option} {bring}"
        response = manager.patch(panel, json={"notification_matrix": rows})
        assert response.status_code == 204, response.text


# -- 12.4 and 13.9: phones and SMS destinations -------------------------------------


class TestSMSCountries:
    @pytest.mark.parametrize(
        "phone",
        [
            "+262692123456",  # La Réunion
            "+262639012345",  # Mayotte
            "+590690001234",  # Guadeloupe
            "+594694201234",  # Guyane
            "+596696201234",  # Martinique
            "+687751234",  # Nouvelle-Calédonie
            "+68987123456",  # Polynésie française
            "+508551234",  # Saint-Pierre-et-Miquelon
            "+681821234",  # Wallis-et-Futuna
        ],
    )
    def test_overseas_mobiles_get_sms(self, site, anonymous, manager, notifying, phone):  # noqa: F811
        response = book(anonymous, site, at(next_weekday(3), "09:00"), phone=phone)
        assert response.status_code == 201, response.text
        assert response.json()["phone"] == phone
        [call] = notifying["sms"].received(1)
        assert call["json"]["to"] == phone
        [entry] = sms_entries(manager, response.json())
        assert entry["status"] == "sent"

    @pytest.mark.parametrize(
        "phone, region",
        [("+12015550123", "US"), ("+2693212345", "KM"), ("+447400123456", "GB")],
    )
    def test_other_countries_book_but_get_no_sms(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
        phone,
        region,
    ):
        response = book(anonymous, site, at(next_weekday(3), "09:20"), phone=phone)
        assert response.status_code == 201, response.text
        booking = response.json()
        assert booking["phone"] == phone
        notifying["mailbox"].received(1)
        [entry] = sms_entries(manager, booking)
        assert entry["status"] == "skipped"
        assert region in entry["result"]
        assert phone not in entry["result"]
        time.sleep(0.3)
        assert notifying["sms"].calls == []

    def test_the_list_is_a_setting(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
        restore_settings,
    ):
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        data = manager.get(panel).json()["data"]
        tokens = {
            item["token"] if isinstance(item, dict) else item
            for item in data["sms_countries"]
        }
        assert tokens >= {"FR", "RE", "YT", "GP", "MQ", "GF", "NC", "PF", "PM", "WF"}
        response = manager.patch(panel, json={"sms_countries": ["FR"]})
        assert response.status_code == 204, response.text
        response = book(
            anonymous, site, at(next_weekday(3), "09:40"), phone="+262692123456"
        )
        assert response.status_code == 201, response.text
        [entry] = sms_entries(manager, response.json())
        assert entry["status"] == "skipped"
        assert notifying["sms"].calls == []

    def test_a_landline_books_but_gets_no_sms(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
    ):
        from helpers import page_session

        response = book(
            anonymous, site, at(next_weekday(3), "10:00"), phone="01 23 45 67 89"
        )
        assert response.status_code == 201, response.text
        booking = response.json()
        assert booking["phone"] == "+33123456789"
        [entry] = sms_entries(manager, booking)
        assert entry["status"] == "skipped"
        assert "mobile" in entry["result"]
        assert notifying["sms"].calls == []
        with page_session() as browser:
            confirmation = browser.get(booking["manage_url"] + "&new=1").text
            form = browser.get(
                site["folder"]["@id"],
                params={
                    "appointment_type": site["type"]["UID"],
                    "slot": at(next_weekday(3), "10:20"),
                },
            ).text
        assert "Aucun SMS ne sera envoyé" in confirmation
        assert "un numéro fixe est accepté mais n'en reçoit pas" in form


class TestPhoneRegion:
    @pytest.fixture
    def reunion(self, site, manager):  # noqa: F811
        response = manager.patch(site["place"]["@id"], json={"phone_region": "RE"})
        assert response.status_code == 204, response.text
        return site

    @pytest.mark.parametrize(
        "written",
        [
            "0692 12 34 56",
            f"0692{NNBSP}12{NNBSP}34{NNBSP}56",
            "0692\u00a012\u00a034\u00a056",
            "0692.12.34.56",
            "+262 692 12 34 56",
        ],
    )
    def test_national_form_in_la_reunion(self, reunion, anonymous, written):
        response = book(anonymous, reunion, at(next_weekday(4), "09:00"), phone=written)
        assert response.status_code == 201, response.text
        assert response.json()["phone"] == "+262692123456"

    def test_mainland_mobile_still_read_in_la_reunion(self, reunion, anonymous):
        response = book(
            anonymous, reunion, at(next_weekday(4), "09:20"), phone="06 12 34 56 78"
        )
        assert response.status_code == 201, response.text
        assert response.json()["phone"] == "+33612345678"

    def test_mayotte_number_in_a_mayotte_place(self, site, manager, anonymous):  # noqa: F811
        manager.patch(site["place"]["@id"], json={"phone_region": "YT"})
        response = book(
            anonymous, site, at(next_weekday(4), "09:40"), phone="0639 01 23 45"
        )
        assert response.status_code == 201, response.text
        assert response.json()["phone"] == "+262639012345"

    def test_without_region_the_site_setting_applies(
        self,
        site,  # noqa: F811
        anonymous,
        manager,
        notifying,  # noqa: F811
        restore_settings,
    ):
        day = next_weekday(4)
        response = book(anonymous, site, at(day, "10:00"), phone="0690 00 12 34")
        assert response.status_code == 400, response.text
        panel = f"{notifying['portal'].absolute_url()}/@controlpanels/rendezvous"
        assert manager.patch(panel, json={"phone_region": "GP"}).status_code == 204
        response = book(anonymous, site, at(day, "10:00"), phone="0690 00 12 34")
        assert response.status_code == 201, response.text
        assert response.json()["phone"] == "+590690001234"

    def test_a_wrong_region_is_refused(self, site, manager):  # noqa: F811
        response = manager.patch(site["place"]["@id"], json={"phone_region": "XX"})
        assert response.status_code == 400, response.text
