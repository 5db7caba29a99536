"""ANTS pre-application numbers at booking, and their declarations (issue 14).

Over real HTTP against the functional server, which talks to the fake hub
of tests/ants_fake.py (the ``ants_server`` fixture) on loopback. The
declarations are made by a background worker after the answer:
``settle()`` waits until it is idle before looking at the hub.
"""

from ants_fake import TOKEN
from test_bookings_api import all_bookings
from test_bookings_api import at
from test_bookings_api import CITIZEN
from test_bookings_api import free_starts
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from urllib.parse import quote

import datetime
import pytest
import transaction


MEETING_POINT = "MP-0042"
FRENCH = {"Accept-Language": "fr"}


def set_record(name, field, value):
    """Set a setting; registered here until the ANTS settings are merged."""
    from plone.registry import Record
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    registry = getUtility(IRegistry)
    key = f"collective.rendezvous.{name}"
    if key in registry.records:
        registry[key] = value
    else:
        registry.records[key] = Record(field, value)


@pytest.fixture
def ants(functional_portal, site, ants_server):  # noqa: F811
    """The site's ANTS connection on, to the fake hub; its type asks numbers."""
    from plone.registry import field

    transaction.begin()  # see what the site's HTTP requests made
    set_record("ants_enabled", field.Bool(), True)
    set_record("ants_environment", field.TextLine(), "custom")
    set_record("ants_custom_url", field.TextLine(), ants_server.url)
    set_record("ants_token", field.TextLine(), TOKEN)
    # The site's stored address, as a real install has: links are built on it.
    set_record("public_url", None, functional_portal.absolute_url())
    # Messages in the language the browser asks (FRENCH).
    from plone import api

    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    kind = content(site["type"]["UID"])
    kind.ants_reason = "CNI"
    kind.ants_requires_number = True
    place = content(site["place"]["UID"])
    place.ants_meeting_point_id = MEETING_POINT
    transaction.commit()
    yield ants_server
    ants_server.release()
    settle()  # nothing of this test reaches the next one


def settle():
    """Wait until the declarations handed to the worker are made."""
    from collective.rendezvous.ants import declarations

    assert declarations.wait_idle(60), "the ANTS worker is still busy"
    transaction.begin()  # see what it recorded


def content(uid):
    from plone.app.uuid.utils import uuidToObject

    return uuidToObject(uid, unrestricted=True)


def first_free(anonymous, site, weekday=0):  # noqa: F811
    day = next_weekday(weekday)
    return free_starts(anonymous, site, day)[0][0]


def book(session, site, start, headers=None, wait=True, **extra):  # noqa: F811
    """POST @bookings; then, unless ``wait`` is false, settle()."""
    body = {"type": site["type"]["UID"], "start": start, **CITIZEN, **extra}
    response = session.post(
        f"{site['folder']['@id']}/@bookings", json=body, headers=headers
    )
    if wait:
        settle()
    return response


def paris(start: str) -> str:
    from zoneinfo import ZoneInfo

    moment = datetime.datetime.fromisoformat(start).astimezone(ZoneInfo("Europe/Paris"))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def content_url(site, booking):  # noqa: F811
    """The booking's own URL (its PATCH), below its counter."""
    [counter] = [c["@id"] for c in site["counters"] if c["UID"] == booking["counter"]]
    return f"{counter}/{booking['code'].lower()}"


def renumber(manager, site, booking, numbers, status=204):  # noqa: F811
    """An agent's PATCH of the booking's numbers; then settle()."""
    response = manager.patch(
        content_url(site, booking), json={"application_ids": numbers}
    )
    assert response.status_code == status, response.text
    settle()
    return response


def agent_view(manager, booking):
    response = manager.get(booking["@id"])
    assert response.status_code == 200, response.text
    return response.json()


class TestAtBooking:
    def test_validated_number_is_stored_upper_cased(self, ants, site, anonymous):  # noqa: F811
        start = first_free(anonymous, site)
        response = book(anonymous, site, start, application_ids=["abcde12345"])
        assert response.status_code == 201, response.text
        assert response.json()["application_ids"] == ["ABCDE12345"]
        method, path, params, _headers = ants.calls[0]
        assert (method, path) == ("GET", "/api/status")
        assert params["application_ids"] == ["ABCDE12345"]
        assert params["meeting_point_id"] == [MEETING_POINT]

    def test_several_numbers_in_one_text(self, ants, site, anonymous):  # noqa: F811
        start = first_free(anonymous, site)
        response = book(
            anonymous, site, start, application_ids="ABCDE12345, fghij67890"
        )
        assert response.status_code == 201, response.text
        assert response.json()["application_ids"] == ["ABCDE12345", "FGHIJ67890"]

    @pytest.mark.parametrize(
        "number, words",
        [
            ("CONSUMED01", "déjà été utilisée"),
            ("DECLARED01", "déjà été déposée"),
            ("UNKNOWN001", "inconnu"),
            ("EXPIRED001", "expiré"),
        ],
    )
    def test_each_refused_status(self, ants, site, anonymous, manager, number, words):  # noqa: F811
        start = first_free(anonymous, site)
        response = book(
            anonymous, site, start, application_ids=[number], headers=FRENCH
        )
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["field"] == "application_ids"
        assert number in body["message"]
        assert words in body["message"]
        assert all_bookings(manager, site) == []
        assert ants.writes() == []

    @pytest.mark.parametrize(
        "value",
        ["", "ABCDE1234", "ABCDE12345X", "ABCDE-1234", "ABCDE12345 abcde12345"],
    )
    def test_bad_numbers_refused_before_asking_the_hub(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        value,
    ):
        start = first_free(anonymous, site)
        response = book(anonymous, site, start, application_ids=value)
        assert response.status_code == 400, response.text
        assert response.json()["field"] == "application_ids"
        assert ants.calls == []
        assert all_bookings(manager, site) == []

    def test_type_without_numbers_refuses_them(self, ants, site, anonymous):  # noqa: F811
        transaction.begin()
        kind = content(site["type"]["UID"])
        kind.ants_requires_number = False  # a withdrawal of a title
        transaction.commit()
        start = first_free(anonymous, site)
        refused = book(anonymous, site, start, application_ids="ABCDE12345")
        assert refused.status_code == 400, refused.text
        assert refused.json()["field"] == "application_ids"
        response = book(anonymous, site, start)
        assert response.status_code == 201, response.text
        assert ants.calls == []

    def test_appointment_elsewhere_warns_then_confirmed(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
    ):
        ants.add(
            "ABCDE12345", "Mairie de Lyon", management_url="https://lyon.example/r"
        )
        start = first_free(anonymous, site)
        warned = book(
            anonymous, site, start, application_ids=["ABCDE12345"], headers=FRENCH
        )
        assert warned.status_code == 409, warned.text
        body = warned.json()
        assert body["field"] == "application_ids"
        assert body["confirm"] == "confirm_ants_warning"
        assert "Mairie de Lyon" in body["message"], body
        assert "Une pré-demande" in body["message"]
        assert "https://lyon.example/r" in body["message"]
        assert all_bookings(manager, site) == []
        confirmed = book(
            anonymous,
            site,
            start,
            application_ids=["ABCDE12345"],
            confirm_ants_warning=True,
        )
        assert confirmed.status_code == 201, confirmed.text

    @pytest.mark.parametrize("failure", [500, 401, "timeout"])
    def test_hub_failing_refuses_and_stores_nothing(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        monkeypatch,
        failure,
    ):
        from collective.rendezvous.ants import client

        if failure == "timeout":
            monkeypatch.setattr(client, "STATUS_TIMEOUT", 0.3)
            ants.delay = 1.0
        else:
            ants.fail = failure
        start = first_free(anonymous, site)
        response = book(
            anonymous, site, start, application_ids=["ABCDE12345"], headers=FRENCH
        )
        assert response.status_code == 503, response.text
        assert "minute" in response.json()["message"]
        assert response.headers["Retry-After"] == "60"
        ants.delay = 0
        ants.fail = None
        assert all_bookings(manager, site) == []
        assert start in [
            item[0] for item in free_starts(anonymous, site, next_weekday(0))
        ]

    def test_connection_off_asks_nothing(self, ants, site, anonymous):  # noqa: F811
        transaction.begin()
        set_record("ants_enabled", None, False)
        transaction.commit()
        start = first_free(anonymous, site)
        response = book(anonymous, site, start, application_ids=["CONSUMED01"])
        assert response.status_code == 201, response.text
        assert response.json()["application_ids"] == ["CONSUMED01"]
        assert ants.calls == []


class TestDeclarations:
    def test_declared_after_commit(self, ants, site, anonymous, manager):  # noqa: F811
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        [held] = ants.of("ABCDE12345")
        assert held["meeting_point"] == "Mairie"
        assert held["meeting_point_id"] == MEETING_POINT
        assert held["appointment_date"] == paris(start)
        assert held["management_url"] == site["folder"]["@id"]
        assert booking["token"] not in held["management_url"]
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["action"], entry["status"], entry["attempts"]) == (
            "declare",
            "done",
            1,
        )

    def test_refused_booking_declares_nothing(self, ants, site, anonymous):  # noqa: F811
        start = first_free(anonymous, site)
        for number in ("ABCDE12345", "FGHIJ67890"):  # both counters
            assert book(anonymous, site, start, application_ids=number).ok
        other = book(anonymous, site, start, application_ids=["KLMNO12345"])
        assert other.status_code == 409, other.text
        assert ants.of("KLMNO12345") == []
        assert len(ants.writes()) == 2

    def test_cancel_deletes_what_was_declared(self, ants, site, anonymous):  # noqa: F811
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        settle()
        assert ants.of("ABCDE12345") == []
        method, params = ants.writes()[-1]
        assert method == "DELETE"
        assert params == {
            "application_id": "ABCDE12345",
            "meeting_point": "Mairie",
            "meeting_point_id": MEETING_POINT,
            "appointment_date": paris(start),
        }

    def test_move_deletes_then_creates(self, ants, site, anonymous):  # noqa: F811
        starts = free_starts(anonymous, site, next_weekday(0))
        first, later = starts[0][0], starts[-1][0]
        booking = book(anonymous, site, first, application_ids=["ABCDE12345"]).json()
        response = anonymous.post(
            f"{booking['@id']}/reschedule",
            json={"token": booking["token"], "start": later},
        )
        assert response.status_code == 200, response.text
        settle()
        assert [method for method, _params in ants.writes()] == [
            "POST",
            "DELETE",
            "POST",
        ]
        assert ants.writes()[1][1]["appointment_date"] == paris(first)
        [held] = ants.of("ABCDE12345")
        assert held["appointment_date"] == paris(later)

    def test_attended_keeps_the_declaration(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        clock,
    ):
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        clock.after(start)
        response = manager.post(f"{booking['@id']}/attended", json={})
        assert response.status_code == 200, response.text
        settle()
        assert [method for method, _params in ants.writes()] == ["POST"]
        assert len(ants.of("ABCDE12345")) == 1

    def test_outage_at_declaration_retried_by_the_tick(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        portal_url,
        monkeypatch,
    ):
        from collective.rendezvous.ants import declarations

        ants.fail_writes = 500
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"])
        assert booking.status_code == 201, booking.text  # the booking stands
        booking = booking.json()
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["status"], entry["attempts"]) == ("failed", 1)
        ants.fail_writes = None
        # Too early: the tick waits (backoff).
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert (tick["ants_retried"], tick["ants_waiting"]) == (0, 1)
        assert ants.of("ABCDE12345") == []
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        monkeypatch.setattr(declarations, "_now", lambda: later)
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert tick["ants_retried"] == 1
        assert len(ants.of("ABCDE12345")) == 1
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["status"], entry["attempts"]) == ("done", 2)
        assert len(entry["tries"]) == 2
        # Nothing more to do: a third tick sends nothing.
        writes = len(ants.writes())
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert (tick["ants_retried"], tick["ants_waiting"]) == (0, 0)
        assert len(ants.writes()) == writes

    def test_lost_answer_not_declared_twice(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        portal_url,
        monkeypatch,
    ):
        from collective.rendezvous.ants import declarations

        ants.lose_answers = True  # the hub stores, its answer is lost
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        ants.lose_answers = False
        assert len(ants.of("ABCDE12345")) == 1
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        monkeypatch.setattr(declarations, "_now", lambda: later)
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert tick["ants_retried"] == 1
        assert len(ants.of("ABCDE12345")) == 1
        assert [method for method, _params in ants.writes()] == ["POST"]
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["status"], entry["result"]) == ("done", "already declared")

    def test_anonymised_booking_keeps_no_number(self, ants, site, anonymous):  # noqa: F811
        from collective.rendezvous.ants.declarations import log_of
        from collective.rendezvous.booking import service
        from collective.rendezvous.booking.anonymise import anonymise

        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        transaction.begin()
        folder = content(site["folder"]["UID"])
        stored = service.get_booking(folder, booking["code"])
        assert stored.application_ids == ("ABCDE12345",)
        anonymise(stored)
        assert stored.application_ids == ()
        assert all(entry["application_id"] != "ABCDE12345" for entry in log_of(stored))
        transaction.abort()


class TestChangeOfNumbers:
    def test_agent_changes_a_number_delete_then_create(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
    ):
        start = first_free(anonymous, site)
        booking = book(
            anonymous, site, start, application_ids=["ABCDE12345", "FGHIJ67890"]
        ).json()
        renumber(manager, site, booking, ["ABCDE12345", "klmno12345"])
        view = agent_view(manager, booking)
        assert view["application_ids"] == ["ABCDE12345", "KLMNO12345"]
        writes = [
            (method, params["application_id"]) for method, params in ants.writes()
        ]
        assert writes[2:] == [("DELETE", "FGHIJ67890"), ("POST", "KLMNO12345")]
        assert ants.of("FGHIJ67890") == []
        assert len(ants.of("ABCDE12345")) == 1
        assert len(ants.of("KLMNO12345")) == 1

    def test_refused_new_number_changes_nothing(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
    ):
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        renumber(manager, site, booking, "EXPIRED001", status=400)
        assert agent_view(manager, booking)["application_ids"] == ["ABCDE12345"]
        assert [method for method, _params in ants.writes()] == ["POST"]


class TestBookingPage:
    """The citizens' page: one input per document, the warning confirmed."""

    def page(self, site, day, **extra):  # noqa: F811
        from test_booking_page import form_url

        return form_url(site, day, "10:00", **extra)

    def test_one_input_per_document(self, ants, site):  # noqa: F811
        import requests

        url, params = self.page(site, next_weekday(0), documents_number="3")
        page = requests.get(url, params=params, timeout=30)
        assert page.text.count('name="application_ids:list"') == 3
        assert 'for="rdv-application-3"' in page.text
        # The links to another count keep the choices made.
        assert "documents_number=2" in page.text

    def test_type_without_numbers_has_no_input(self, ants, site):  # noqa: F811
        import requests

        transaction.begin()
        content(site["type"]["UID"]).ants_requires_number = False
        transaction.commit()
        url, params = self.page(site, next_weekday(0))
        page = requests.get(url, params=params, timeout=30)
        assert "application_ids" not in page.text

    def test_book_with_numbers_then_warning_confirmed(
        self,
        ants,
        site,  # noqa: F811
        manager,
    ):
        from test_booking_page import PERSON

        import requests

        url, params = self.page(site, next_weekday(0), documents_number="2")
        data = {**PERSON, "application_ids:list": ["abcde12345", "ABCDE1234"]}
        refused = requests.post(url, params=params, data=data, timeout=30)
        assert refused.status_code == 200
        assert "is not a pre-application number" in refused.text
        assert 'value="abcde12345"' in refused.text  # what was typed stays
        assert all_bookings(manager, site) == []
        ants.add("ABCDE12345", "Mairie de Lyon")
        data["application_ids:list"] = ["abcde12345", "FGHIJ67890"]
        warned = requests.post(url, params=params, data=data, timeout=30)
        assert "Mairie de Lyon" in warned.text
        assert 'name="confirm_ants_warning"' in warned.text
        assert all_bookings(manager, site) == []
        data["confirm_ants_warning"] = "1"
        done = requests.post(
            url, params=params, data=data, allow_redirects=False, timeout=30
        )
        assert done.status_code == 302, done.text[:3000]
        settle()
        [booking] = all_bookings(manager, site)
        assert booking["application_ids"] == ["ABCDE12345", "FGHIJ67890"]
        assert len(ants.of("FGHIJ67890")) == 1


class TestAgentsSide:
    def test_agenda_csv_and_booking_form(self, ants, site, anonymous, manager):  # noqa: F811
        import csv
        import io

        start = first_free(anonymous, site)
        book(anonymous, site, start, application_ids=["ABCDE12345", "FGHIJ67890"])
        day = datetime.date.fromisoformat(start[:10])
        from helpers import owner_page_session

        agenda = owner_page_session().get(
            f"{site['place']['@id']}/@@rendezvous-agenda",
            params={"date": day.isoformat(), "view": "day"},
        )
        assert agenda.status_code == 200, agenda.text[:2000]
        assert "ABCDE12345, FGHIJ67890" in agenda.text
        export = manager.get(
            f"{site['place']['@id']}/@@rendezvous-export.csv",
            params={"start": day.isoformat(), "end": day.isoformat()},
        )
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert rows[0][-1] == "Pre-application numbers"
        assert rows[1][-1] == "ABCDE12345 FGHIJ67890"

    def test_agent_books_with_numbers(self, ants, site, anonymous, manager):  # noqa: F811
        from helpers import owner_page_session
        from test_agenda import authenticator

        start = first_free(anonymous, site)
        counter = site["counters"][0]["@id"]
        url = f"{counter}/@@rendezvous-book-for?start={quote(start)}"
        browser = owner_page_session()
        form = browser.get(url)
        assert form.status_code == 200, form.text[:2000]
        assert form.text.count('name="application_ids:list"') == 1
        data = {
            "beneficiary": "Jean Dupont",
            "application_ids": "consumed01",
            "submit": "1",
            "_authenticator": authenticator(form.text),
        }
        refused = browser.post(url, data=data)
        assert "CONSUMED01" in refused.text
        assert all_bookings(manager, site) == []
        data["application_ids"] = "abcde12345"
        done = browser.post(url, data=data, allow_redirects=False)
        assert done.status_code == 302, done.text[:3000]
        settle()
        [booking] = all_bookings(manager, site)
        assert booking["application_ids"] == ["ABCDE12345"]
        assert len(ants.of("ABCDE12345")) == 1

    def test_agent_books_two_documents(self, ants, site, anonymous, manager):  # noqa: F811
        """One input per document; two documents take two slots in a row."""
        from helpers import owner_page_session
        from test_agenda import authenticator

        day = next_weekday(0)
        counter = site["counters"][0]["@id"]
        browser = owner_page_session()
        # 11:40 is the morning's last slot: too short for two documents.
        last = at(day, "11:40")
        short = browser.get(
            f"{counter}/@@rendezvous-book-for",
            params={"start": last, "documents_number": "2"},
        )
        assert "There are not 2 free slots in a row" in short.text
        start = at(day, "10:00")
        url = f"{counter}/@@rendezvous-book-for"
        params = {"start": start, "documents_number": "2"}
        form = browser.get(url, params=params)
        assert form.status_code == 200, form.text[:2000]
        assert form.text.count('name="application_ids:list"') == 2
        assert 'for="rdv-application-2"' in form.text
        assert "10:00\u201310:40" in form.text or "10:00–10:40" in form.text
        data = {
            "beneficiary": "Famille Dupont",
            "application_ids:list": ["abcde12345", ""],
            "submit": "1",
            "_authenticator": authenticator(form.text),
        }
        refused = browser.post(url, params=params, data=data)
        assert "Give one pre-application number for each of the 2" in refused.text
        assert 'value="abcde12345"' in refused.text  # what was typed stays
        assert all_bookings(manager, site) == []
        data["application_ids:list"] = ["abcde12345", "fghij67890"]
        done = browser.post(url, params=params, data=data, allow_redirects=False)
        assert done.status_code == 302, done.text[:3000]
        [booking] = all_bookings(manager, site)
        assert booking["application_ids"] == ["ABCDE12345", "FGHIJ67890"]
        begin = datetime.datetime.fromisoformat(booking["start"])
        end = datetime.datetime.fromisoformat(booking["end"])
        assert end - begin == datetime.timedelta(minutes=40)
        uid = site["counters"][0]["UID"]
        free = [s for s, _c in free_starts(anonymous, site, day, counter=uid)]
        assert at(day, "10:00") not in free and at(day, "10:20") not in free
        # The agenda shows the booking from 10:00 to 10:40.
        agenda = browser.get(
            f"{counter}/@@rendezvous-agenda",
            params={"date": day.isoformat(), "view": "day"},
        )
        assert "10:00</time>&ndash;10:40" in agenda.text or (
            "10:00</time>–10:40" in agenda.text
        )

    def test_booking_view_and_edit_form(self, ants, site, anonymous):  # noqa: F811
        from helpers import form_fields
        from helpers import owner_page_session

        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        browser = owner_page_session()
        url = content_url(site, booking)
        page = browser.get(url)
        assert page.status_code == 200
        assert "ABCDE12345" in page.text
        # The edit form shows them without letting them change there; saving
        # another field keeps them, and declares nothing again.
        form = browser.get(f"{url}/@@edit")
        fields = [
            (name, "Jeanne Dupont" if name == "form.widgets.beneficiary" else value)
            for name, value in form_fields(form.text, "@@edit")
        ]
        fields.append(("form.buttons.save", "Save"))
        saved = browser.post(f"{url}/@@edit", data=fields, allow_redirects=False)
        assert saved.status_code == 302, saved.text[:3000]
        settle()
        view = browser.get(url).text
        assert "Jeanne Dupont" in view and "ABCDE12345" in view
        assert [method for method, _params in ants.writes()] == ["POST"]


class TestInBackground:
    """The calls are made by a worker after the answer, never before it."""

    def test_answer_does_not_wait_for_the_hub(self, ants, site, anonymous, manager):  # noqa: F811
        ants.hold_writes()  # the hub takes the POST but does not answer
        start = first_free(anonymous, site)
        response = book(
            anonymous, site, start, wait=False, application_ids="ABCDE12345"
        )
        # The answer came while the hub holds the POST (or before it is sent).
        assert response.status_code == 201, response.text
        booking = response.json()
        assert ants.held.wait(60), "the worker never sent the declaration"
        assert ants.of("ABCDE12345") == []  # not stored: still blocked
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert entry["status"] == "pending"
        ants.release()
        settle()
        assert len(ants.of("ABCDE12345")) == 1
        # Made at its first attempt: the request did not wait for it (the
        # client's 4 s timeout would have made it fail).
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["status"], entry["attempts"], entry["result"]) == (
            "done",
            1,
            "declared",
        )

    def test_lost_with_its_process_made_by_the_tick(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
        portal_url,
        monkeypatch,
    ):
        from collective.rendezvous.ants import declarations

        # The process stops before its worker makes the call: the job is lost.
        monkeypatch.setattr(declarations.WORKER, "submit", lambda job: None)
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        monkeypatch.undo()
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert entry["status"] == "pending"
        # Maybe still on its way: the tick waits.
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert (tick["ants_retried"], tick["ants_waiting"]) == (0, 1)
        assert ants.writes() == []
        later = datetime.datetime.now(datetime.UTC) + declarations.LOST_AFTER * 2
        monkeypatch.setattr(declarations, "_now", lambda: later)
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert tick["ants_retried"] == 1
        assert len(ants.of("ABCDE12345")) == 1
        [entry] = agent_view(manager, booking)["ants_declarations"]
        assert (entry["status"], entry["attempts"]) == ("done", 1)
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert (tick["ants_retried"], tick["ants_waiting"]) == (0, 0)


def switch_off():
    transaction.begin()
    set_record("ants_enabled", None, False)
    transaction.commit()


class TestConnectionOff:
    """ANTS turned off: what was declared is still withdrawn, nothing new is
    declared."""

    def test_cancel_withdraws(self, ants, site, anonymous):  # noqa: F811
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        assert len(ants.of("ABCDE12345")) == 1
        switch_off()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        settle()
        assert ants.of("ABCDE12345") == []
        assert [method for method, _params in ants.writes()] == ["POST", "DELETE"]

    def test_move_withdraws_and_declares_nothing(self, ants, site, anonymous, manager):  # noqa: F811
        starts = free_starts(anonymous, site, next_weekday(0))
        first, later = starts[0][0], starts[-1][0]
        booking = book(anonymous, site, first, application_ids=["ABCDE12345"]).json()
        switch_off()
        response = anonymous.post(
            f"{booking['@id']}/reschedule",
            json={"token": booking["token"], "start": later},
        )
        assert response.status_code == 200, response.text
        settle()
        assert [method for method, _params in ants.writes()] == ["POST", "DELETE"]
        assert ants.of("ABCDE12345") == []
        actions = [
            (entry["action"], entry["status"])
            for entry in agent_view(manager, booking)["ants_declarations"]
        ]
        assert actions == [("declare", "done"), ("withdraw", "done")]

    def test_changed_numbers_removed_withdrawn_new_not_declared(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
    ):
        start = first_free(anonymous, site)
        booking = book(
            anonymous, site, start, application_ids=["ABCDE12345", "FGHIJ67890"]
        ).json()
        switch_off()
        renumber(manager, site, booking, ["ABCDE12345", "KLMNO12345"])
        writes = [
            (method, params["application_id"]) for method, params in ants.writes()
        ]
        assert writes[2:] == [("DELETE", "FGHIJ67890")]
        assert len(ants.of("ABCDE12345")) == 1
        assert ants.of("KLMNO12345") == []

    def test_tick_retries_withdrawals_not_declarations(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        portal_url,
        manager,
        monkeypatch,
    ):
        from collective.rendezvous.ants import declarations

        ants.fail_writes = 500
        start = first_free(anonymous, site)
        failed = book(anonymous, site, start, application_ids=["FGHIJ67890"]).json()
        ants.fail_writes = None
        other = first_free(anonymous, site, weekday=1)
        booking = book(anonymous, site, other, application_ids=["ABCDE12345"]).json()
        ants.fail_writes = 500
        switch_off()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        settle()
        assert len(ants.of("ABCDE12345")) == 1  # the DELETE failed
        ants.fail_writes = None
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        monkeypatch.setattr(declarations, "_now", lambda: later)
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        # The withdrawal is made; the failed declaration waits for ANTS.
        assert (tick["ants_retried"], tick["ants_waiting"]) == (1, 1)
        assert ants.of("ABCDE12345") == []
        assert ants.of("FGHIJ67890") == []
        [entry] = agent_view(manager, failed)["ants_declarations"]
        assert (entry["status"], entry["attempts"]) == ("failed", 1)
        # On again: the declaration is made at the next tick.
        transaction.begin()
        set_record("ants_enabled", None, True)
        transaction.commit()
        tick = manager.get(f"{portal_url}/@@rendezvous-tick").json()
        settle()
        assert tick["ants_retried"] == 1
        assert len(ants.of("FGHIJ67890")) == 1

    def test_no_token_withdrawal_recorded_as_failed(
        self,
        ants,
        site,  # noqa: F811
        anonymous,
        manager,
    ):
        start = first_free(anonymous, site)
        booking = book(anonymous, site, start, application_ids=["ABCDE12345"]).json()
        transaction.begin()
        set_record("ants_enabled", None, False)
        set_record("ants_token", None, "")
        transaction.commit()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        settle()
        assert len(ants.of("ABCDE12345")) == 1
        withdrawal = agent_view(manager, booking)["ants_declarations"][-1]
        assert (withdrawal["action"], withdrawal["status"]) == ("withdraw", "failed")
        assert "token" in withdrawal["result"]
