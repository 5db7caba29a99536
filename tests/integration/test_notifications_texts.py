"""Notification texts without HTTP (issue 7): merge fields, defaults, forms.

Checks the merge fields and their validation, the dates in French, the
shipped defaults in both languages, what an event sends (global matrix, then
the type's overrides), the quiet hours, and that both forms refuse bad texts.
"""

from collective.rendezvous.content.validation import RendezvousValidationError
from collective.rendezvous.controlpanels import get_settings
from collective.rendezvous.notifications import dispatch
from collective.rendezvous.notifications import texts
from collective.rendezvous.notifications.dispatch import parse_quiet_hours
from collective.rendezvous.notifications.reminders import due_at
from collective.rendezvous.notifications.reminders import in_quiet
from collective.rendezvous.notifications.schema import check_matrix
from collective.rendezvous.notifications.schema import check_overrides
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import to_datetime
from helpers import make_service
from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from zoneinfo import ZoneInfo
from zope.i18n import translate

import datetime
import icalendar
import pytest
import re
import transaction


PARIS = ZoneInfo("Europe/Paris")


class TestMergeFields:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "Bonjour {0}, le {1} au {2} ({3}, {4}) : {5}, {6}, avant {7}.",
            "Code {code}, lien {link}",
            "{{littéral}} et {{0}}",
            "Pas de champ du tout",
        ],
    )
    def test_valid(self, text):
        assert texts.check_template(text)

    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("Bonjour {9}", "{9}"),
            ("{8}", "{8}"),
            ("{}", "{}"),
            ("{nom}", "{nom}"),
            ("{0.__class__}", "{0.__class__}"),
            ("{0[0]}", "{0[0]}"),
            ("{1!r}", "{1!r}"),
            ("{1:%d/%m}", "{1:%d/%m}"),
        ],
    )
    def test_unknown_field(self, text, shown):
        with pytest.raises(RendezvousValidationError) as info:
            texts.check_template(text)
        message = info.value.doc()
        assert message.mapping["field"] == shown
        assert "Unknown merge field" in translate(message)
        french = translate(message, target_language="fr")
        assert french.startswith(f"Champ de fusion inconnu « {shown} »")

    @pytest.mark.parametrize("text", ["{0", "0}", "Bonjour { 0", "a }} }", "{{0}"])
    def test_broken_braces(self, text):
        with pytest.raises(RendezvousValidationError) as info:
            texts.check_template(text)
        assert "brace" in translate(info.value.doc())
        assert "accolade" in translate(info.value.doc(), target_language="fr")

    def test_render(self):
        values = {"0": "Jeanne", "1": "mardi 1 décembre 2026 à 09h00", "code": "AB"}
        assert (
            texts.render("{0} – {1} – {code} – {{x}} – {7}", values)
            == "Jeanne – mardi 1 décembre 2026 à 09h00 – AB – {x} – "
        )

    def test_stored_bad_text_falls_back(self):
        assert texts.safe_render("{9", {"0": "J"}, "Bonjour {0}") == "Bonjour J"

    def test_matrix_rows_are_checked(self):
        rows = texts.default_matrix()
        assert check_matrix(rows)
        rows[4]["sms_body"] = "RDV {10}"
        with pytest.raises(RendezvousValidationError) as info:
            check_matrix(rows)
        assert info.value.doc().mapping["number"] == 5
        assert info.value.doc().mapping["column"] == "sms_body"
        rows = texts.default_matrix() + [texts.default_matrix()[0]]
        with pytest.raises(RendezvousValidationError):
            check_matrix(rows)

    def test_override_rows_are_checked(self):
        assert check_overrides([{"event": "moved", "channel": "sms", "send": False}])
        for rows in (
            [{"event": "moved", "channel": "pigeon"}],
            [{"event": "birthday", "channel": "mail"}],
            [{"event": "moved", "channel": "mail", "subject": "{code"}],
            [
                {"event": "moved", "channel": "mail"},
                {"event": "moved", "channel": "mail"},
            ],
        ):
            with pytest.raises(RendezvousValidationError):
                check_overrides(rows)


class TestDates:
    def test_french(self):
        moment = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
        assert texts.format_moment(moment, "fr") == "mardi 1 décembre 2026 à 09h00"
        moment = datetime.datetime(2027, 8, 15, 14, 5, tzinfo=PARIS)
        assert texts.format_moment(moment, "fr") == "dimanche 15 août 2027 à 14h05"

    def test_english(self):
        moment = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
        assert texts.format_moment(moment, "en") == "Tuesday 1 December 2026 at 09:00"

    @pytest.mark.parametrize(
        ("minutes", "fr", "en"),
        [
            (1, "1 minute", "1 minute"),
            (20, "20 minutes", "20 minutes"),
            (60, "1 heure", "1 hour"),
            (90, "1 h 30", "1 h 30"),
            (120, "2 heures", "2 hours"),
        ],
    )
    def test_durations(self, minutes, fr, en):
        assert texts.format_duration(minutes, "fr") == fr
        assert texts.format_duration(minutes, "en") == en

    def test_sms_length(self):
        assert texts.sms_parts("Rappel : RDV à 09h00") == (20, 1)
        assert texts.sms_parts("x" * 161) == (161, 2)
        assert texts.sms_parts("ç" * 71) == (71, 2)  # not GSM 7-bit


class TestDefaults:
    def test_every_event_and_part_in_both_languages(self):
        for event in texts.EVENTS:
            for part in texts.PARTS:
                english = texts.default_text(event, part, "en")
                french = texts.default_text(event, part, "fr")
                assert english and french and english != french, (event, part)
                assert texts.check_template(english)
                assert texts.check_template(french)
                assert "{1}" in french and "{1}" in english
        assert texts.default_text("created", "subject", "fr") == (
            "Votre rendez-vous du {1} est confirmé"
        )
        assert "{link}" in texts.default_text("created", "mail_body", "fr")

    def test_written_at_install_in_the_site_language(self, portal):
        rows = get_settings().notification_matrix
        assert [row["event"] for row in rows] == list(texts.EVENTS)
        assert rows[0]["subject"] == "Your appointment on {1} is booked"
        assert all(row["mail"] for row in rows)
        assert [row["event"] for row in rows if row["sms"]] == [
            "created",
            "reminder",
            "moved",
            "unscheduled",
            "cancelled_agent",
        ]

    def test_reinstall_keeps_edited_texts(self, portal):
        rows = [dict(row) for row in get_settings().notification_matrix]
        rows[0]["subject"] = "Mon objet {code}"
        rows[1]["subject"] = ""
        get_settings().notification_matrix = rows
        api.portal.set_registry_record("plone.default_language", "fr")
        setup = api.portal.get_tool("portal_setup")
        setup.runAllImportStepsFromProfile("profile-collective.rendezvous:default")
        rows = get_settings().notification_matrix
        assert rows[0]["subject"] == "Mon objet {code}"
        assert rows[1]["subject"] == "Rappel : votre rendez-vous du {1}"

    def test_untouched_defaults_follow_the_site_language(self):
        english = texts.default_text("moved", "subject", "en")
        assert texts.effective_text("moved", "subject", english, "fr") == (
            "Votre rendez-vous est déplacé au {1}"
        )
        assert texts.effective_text("moved", "subject", "", "en") == english
        assert texts.effective_text("moved", "subject", "Mien {1}", "fr") == "Mien {1}"


class TestQuietHours:
    quiet = parse_quiet_hours("21h00-08h00")

    def test_parse(self):
        assert self.quiet == (datetime.time(21), datetime.time(8))
        assert parse_quiet_hours("") is None
        assert parse_quiet_hours("08h00-08h00") is None
        assert parse_quiet_hours("12h00-14h00") == (
            datetime.time(12),
            datetime.time(14),
        )

    @pytest.mark.parametrize(
        ("hhmm", "quiet"),
        [("20:59", False), ("21:00", True), ("02:30", True), ("08:00", False)],
    )
    def test_in_quiet(self, hhmm, quiet):
        hour, minute = (int(part) for part in hhmm.split(":"))
        moment = datetime.datetime(2027, 3, 2, hour, minute, tzinfo=PARIS)
        assert in_quiet(moment, self.quiet) is quiet

    @pytest.mark.parametrize(
        ("start", "due"),
        [
            # 6 hours before 08:30 is 02:30: from 20:00 the evening before.
            ((2027, 3, 2, 8, 30), (2027, 3, 1, 20, 0)),
            ((2027, 3, 2, 9, 0), (2027, 3, 1, 20, 0)),
            ((2027, 3, 2, 14, 0), (2027, 3, 2, 8, 0)),
            ((2027, 3, 2, 17, 0), (2027, 3, 2, 11, 0)),
            # 6 hours before 03:00 is 21:00, in the quiet hours: 20:00.
            ((2027, 3, 3, 3, 0), (2027, 3, 2, 20, 0)),
        ],
    )
    def test_due(self, start, due):
        start = datetime.datetime(*start, tzinfo=PARIS)
        assert due_at(start, 6, self.quiet, PARIS) == datetime.datetime(
            *due, tzinfo=PARIS
        )

    def test_due_without_quiet_hours(self):
        start = datetime.datetime(2027, 3, 2, 8, 30, tzinfo=PARIS)
        assert due_at(start, 6, None, PARIS).hour == 2

    def test_due_across_a_clock_change(self):
        # Sunday 28 March 2027, clocks go forward at 02:00: six real hours
        # before 05:00 is 22:00 the evening before, not 23:00.
        start = datetime.datetime(2027, 3, 28, 5, 0, tzinfo=PARIS)
        due = due_at(start, 6, None, PARIS)
        utc = datetime.UTC
        assert start.astimezone(utc) - due.astimezone(utc) == datetime.timedelta(
            hours=6
        )
        assert (due.day, due.hour) == (27, 22)


@pytest.fixture
def booking(portal):
    """A booking made by the service (its messages are prepared, not sent)."""
    from collective.rendezvous.booking import service

    folder, kind, _counter = make_service(
        portal,
        type_title="Passeport",
        duration=30,
        place_title="Mairie annexe",
        address="2 place\nNord",
        counter_title="Guichet A",
    )
    today = datetime.date.today()
    slot = free_slots(
        kind,
        folder,
        today + datetime.timedelta(days=3),
        today + datetime.timedelta(days=40),
    )[0]
    api.portal.set_registry_record("plone.email_from_address", "rdv@example.org")
    api.portal.set_registry_record("plone.default_language", "fr")
    booking, token = service.book(
        folder,
        {
            "type": kind.UID(),
            "start": to_datetime(slot.start, datetime.UTC).isoformat(),
            "beneficiary": "Léa Dupont",
            "email": "lea@example.org",
            "phone": "06 11 22 33 44",
        },
    )
    return booking, token


class TestMessages:
    def test_created_is_logged_pending_until_the_commit(self, booking):
        booking, token = booking
        log = list(booking.notifications)
        assert [(e["event"], e["channel"], e["status"]) for e in log] == [
            ("created", "mail", "pending"),
            ("created", "sms", "pending"),
        ]
        hooks = list(transaction.get().getAfterCommitHooks())
        assert len(hooks) == 1
        _hook, args, _kws = hooks[0]
        jobs = args[-1]
        assert [channel for _id, channel, _payload in jobs] == ["mail", "sms"]
        assert token  # only the created message gets it, from the event
        mail = jobs[0][2]["message"]
        assert mail["To"] == "lea@example.org"
        body = mail.get_body(preferencelist=("plain",)).get_content()
        assert token in body
        assert "Lieu : Mairie annexe, Guichet A" in body
        assert "Durée : 30 minutes" in body
        calendar = icalendar.Calendar.from_ical(
            next(mail.iter_attachments()).get_content()
        )
        assert str(calendar["method"]) == "REQUEST"
        sms = jobs[1][2]
        assert sms["to"] == "+33611223344"
        assert "2 place, Nord" not in sms["text"]  # {4} is not in that SMS
        assert sms["gateway"] == "log"

    def test_merge_values(self, booking):
        booking, token = booking
        config = dispatch.read_config()
        values = dispatch.merge_values(booking, config, token)
        local = booking.start.astimezone(PARIS)
        assert values["0"] == "Léa Dupont"
        assert values["1"] == texts.format_moment(local, "fr")
        assert " à " in values["1"]
        assert (values["2"], values["3"], values["4"]) == (
            "Guichet A",
            "Mairie annexe",
            "2 place\nNord",
        )
        assert (values["5"], values["6"], values["7"]) == (
            "Passeport",
            "30 minutes",
            "",
        )
        assert values["code"] == booking.code
        assert values["link"].endswith(f"code={booking.code}&token={token}")
        later = dispatch.merge_values(booking, config)
        # No address stored (the test site was installed by a script): the
        # path of the service, never the request's host.
        assert later["link"] == "/rdv"

    def test_public_url(self, booking, portal):
        booking, token = booking
        get_settings().public_url = "https://www.ville.example.org"
        config = dispatch.read_config()
        link = dispatch.merge_values(booking, config, token)["link"]
        assert link.startswith("https://www.ville.example.org/rdv/rendezvous-manage?")
        data = dispatch.calendar_file(booking, "REQUEST", config)
        event = next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT")))
        assert str(event["uid"]) == f"{booking.UID()}@www.ville.example.org"

    def test_plan_global_then_overrides(self, booking):
        booking, _token = booking
        config = dispatch.read_config()
        planned = dispatch.plan(booking, "absent", config)
        assert set(planned) == {"mail"}
        assert planned["mail"]["subject"] == "Rendez-vous manqué du {1}"
        kind = booking.__parent__.get_appointment_type()
        kind.notification_overrides = [
            {
                "event": "absent",
                "channel": "mail",
                "send": True,
                "subject": "Absent {1}",
            },
            {"event": "absent", "channel": "sms", "send": True, "body": "SMS {code}"},
            {"event": "moved", "channel": "mail", "send": False},
        ]
        planned = dispatch.plan(booking, "absent", config)
        assert planned["mail"]["subject"] == "Absent {1}"
        # The body was not overridden: the global one.
        assert planned["mail"]["body"].startswith("Bonjour {0},")
        assert planned["sms"]["body"] == "SMS {code}"
        assert "mail" not in dispatch.plan(booking, "moved", config)
        assert "sms" in dispatch.plan(booking, "moved", config)

    def test_no_row_no_message(self, booking):
        booking, _token = booking
        get_settings().notification_matrix = [
            row for row in get_settings().notification_matrix if row["event"] != "moved"
        ]
        assert dispatch.plan(booking, "moved", dispatch.read_config()) == {}

    def test_no_recipient_no_message(self, booking):
        booking, _token = booking
        booking.email = ""
        booking.phone = ""
        assert dispatch.build(booking, "cancelled_agent", dispatch.read_config()) == []

    def test_results_recorded(self, booking):
        booking, _token = booking
        first, second = (entry["id"] for entry in booking.notifications)
        now = datetime.datetime.now(datetime.UTC)
        failed = dispatch.apply_results(
            booking,
            [(first, "sent", "sent", now), (second, "failed", "HTTP 503", now)],
        )
        assert failed
        log = booking.notifications
        assert (log[0]["status"], log[0]["attempts"]) == ("sent", 1)
        assert (log[1]["status"], log[1]["result"]) == ("failed", "HTTP 503")


class TestForms:
    def render_panel(self, portal, form):
        from z3c.form.interfaces import IFormLayer
        from zope.interface import alsoProvides

        request = portal.REQUEST
        alsoProvides(request, IFormLayer)
        request.form.update(form)
        request.method = "POST"
        return portal.restrictedTraverse("@@rendezvous-controlpanel")()

    def matrix_form(self, rows):
        data = {"form.widgets.notification_matrix.count": str(len(rows))}
        for index, row in enumerate(rows):
            prefix = f"form.widgets.notification_matrix.{index}.widgets."
            data[prefix + "event"] = [row["event"]]
            data[prefix + "event-empty-marker"] = "1"
            for flag in ("mail", "sms"):
                if row[flag]:
                    data[prefix + flag] = ["selected"]
                data[prefix + flag + "-empty-marker"] = "1"
            for part in texts.PARTS:
                data[prefix + part] = row[part]
            data[f"form.widgets.notification_matrix.{index}-empty-marker"] = "1"
        return data

    def test_panel_shows_the_notifications(self, portal):
        setRoles(portal, TEST_USER_ID, ["Manager"])
        html = portal.restrictedTraverse("@@rendezvous-controlpanel")()
        assert "Notifications sent" in html
        assert "Your appointment on {1} is booked" in html
        assert "Quiet hours" in html
        # SMS texts show their length (and update it as they are typed).
        sms = texts.default_text("created", "sms_body", "en")
        assert html.count("rendezvous-sms-length") >= 7
        assert re.search(rf'<span class="count"\s*>{len(sms)}</span>', html)
        assert "oninput=" in html

    def test_panel_refuses_a_bad_text(self, portal):
        setRoles(portal, TEST_USER_ID, ["Manager"])
        before = get_settings().notification_matrix
        rows = [dict(row) for row in before]
        rows[0]["subject"] = "Votre rendez-vous {9}"
        form = {"form.buttons.save": "Save", **self.matrix_form(rows)}
        html = self.render_panel(portal, form)
        assert "Unknown merge field" in html
        assert "{9}" in html
        assert get_settings().notification_matrix == before

    def test_panel_saves_a_good_text(self, portal):
        from test_controlpanel import form_data

        setRoles(portal, TEST_USER_ID, ["Manager"])
        rows = [dict(row) for row in get_settings().notification_matrix]
        rows[0]["subject"] = "RDV {code} le {1}"
        rows[0]["sms"] = False
        form = form_data(**self.matrix_form(rows))
        form["form.widgets.reminder_hours"] = "12"
        form["form.widgets.quiet_hours"] = "22h00-07h00"
        self.render_panel(portal, form)
        saved = get_settings().notification_matrix
        assert saved[0]["subject"] == "RDV {code} le {1}"
        assert saved[0]["sms"] is False
        assert get_settings().reminder_hours == 12
        assert get_settings().quiet_hours == "22h00-07h00"

    def test_type_form_refuses_a_bad_override(self, booking, portal):
        from z3c.form.interfaces import IFormLayer
        from zope.interface import alsoProvides

        booking, _token = booking
        kind = booking.__parent__.get_appointment_type()
        request = portal.REQUEST
        alsoProvides(request, IFormLayer)
        prefix = "form.widgets.notification_overrides"
        request.form.update(
            {
                "form.widgets.IDublinCore.title": "Passeport",
                "form.widgets.title": "Passeport",
                "form.widgets.detail": "d",
                "form.widgets.duration": "30",
                "form.widgets.horizon": "3m",
                f"{prefix}.count": "1",
                f"{prefix}.0.widgets.event": ["moved"],
                f"{prefix}.0.widgets.event-empty-marker": "1",
                f"{prefix}.0.widgets.channel": ["mail"],
                f"{prefix}.0.widgets.channel-empty-marker": "1",
                f"{prefix}.0.widgets.send": ["selected"],
                f"{prefix}.0.widgets.send-empty-marker": "1",
                f"{prefix}.0.widgets.subject": "Déplacé {1",
                f"{prefix}.0.widgets.body": "",
                f"{prefix}.0-empty-marker": "1",
                "form.buttons.save": "Save",
            }
        )
        request.method = "POST"
        html = kind.restrictedTraverse("@@edit")()
        assert "brace" in html
        assert kind.notification_overrides == []

    def test_type_form_shows_the_overrides(self, booking):
        booking, _token = booking
        kind = booking.__parent__.get_appointment_type()
        html = kind.restrictedTraverse("@@edit")()
        assert "Notifications of this type" in html
        assert "form.widgets.notification_overrides" in html
