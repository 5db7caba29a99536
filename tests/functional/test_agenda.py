"""The agents' back office over plain HTTP (issue 6, item 3; R3, R13, R14, X4, X10).

Agents of "service_a" manage the two counters of the fixture's type; agents
of "service_b" manage a third counter, of another type, at the same place.
"""

from helpers import owner_page_session
from helpers import page_session
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture
from urllib.parse import urlencode

import csv
import datetime
import icalendar
import io
import logging
import pytest
import re
import requests
import transaction


PASSWORD = "secret-password"
DENIED = (401, 403)


def refused_to_agent(response) -> bool:
    """A logged-in user of another service: 403 (401 if the login failed)."""
    return response.status_code in DENIED


def refused_to_anonymous(response) -> bool:
    """Plone asks an anonymous visitor to log in (302 to the login form)."""
    return response.status_code in DENIED or (
        response.status_code == 302
        and "require_login" in response.headers.get("Location", "")
    )


def authenticator(html: str) -> str:
    match = re.search(r'name="_authenticator"\s+type="hidden"\s+value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def agents(site, manager, functional_portal):  # noqa: F811
    """agent_a (service_a: the fixture's type), agent_b (service_b: another type)."""
    # See what the site fixture created over HTTP meanwhile.
    transaction.abort()
    for service in ("service_a", "service_b"):
        api.group.create(groupname=service, title=service.replace("_", " "))
        user = service.replace("service", "agent")
        api.user.create(email=f"{user}@example.org", username=user, password=PASSWORD)
        api.group.add_user(groupname=service, username=user)
    api.portal.set_registry_record(
        "collective.rendezvous.service_groups", ["service_a", "service_b"]
    )
    transaction.commit()
    response = manager.patch(
        site["type"]["@id"],
        json={"services": ["service_a"], "options": ["CNI", "Passeport"]},
    )
    assert response.status_code == 204, response.text
    other = manager.post(
        site["folder"]["@id"],
        json={
            "@type": "AppointmentType",
            "title": "État civil",
            "detail": "Actes",
            "duration": 30,
            "horizon": "24m",
            "services": ["service_b"],
        },
    ).json()
    counter = manager.post(
        site["place"]["@id"],
        json={
            "@type": "Counter",
            "title": "Guichet C",
            "appointment_type": other["UID"],
            "schedule": site["counters"][0]["schedule"],
        },
    ).json()
    with (
        page_session("agent_a", PASSWORD) as agent_a,
        page_session("agent_b", PASSWORD) as agent_b,
    ):
        yield {"a": agent_a, "b": agent_b, "other_counter": counter}


def citizen_booking(anonymous, site, day, hhmm, counter=0, **extra):  # noqa: F811
    body = {"counter": site["counters"][counter]["UID"], "option": "CNI", **extra}
    response = book(anonymous, site, at(day, hhmm), **body)
    assert response.status_code == 201, response.text
    return response.json()


def agenda_url(obj, day, view="day"):
    return f"{obj['@id']}/@@rendezvous-agenda?date={day.isoformat()}&view={view}"


def bookings(manager, site, **params):  # noqa: F811
    response = manager.get(f"{site['folder']['@id']}/@bookings", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def post_action(session, url, booking_uid, action, **extra):
    token = authenticator(session.get(url).text)
    return session.post(
        url,
        data={
            "_authenticator": token,
            "booking": booking_uid,
            "action": action,
            **extra,
        },
        allow_redirects=False,
    )


class TestAgenda:
    def test_day_agenda_of_a_counter(self, site, agents, anonymous):  # noqa: F811
        day = next_weekday(0)
        booked = citizen_booking(anonymous, site, day, "09:20")
        page = agents["a"].get(agenda_url(site["counters"][0], day))
        assert page.status_code == 200, page.text[:500]
        html = page.text
        assert "Jeanne Martin" in html
        assert booked["code"] in html
        assert "CNI" in html
        # 9 slots from 09:00 to 11:40: 8 free with a "book" link, 1 booked.
        assert html.count("@@rendezvous-book-for?") == 8
        assert html.count('class="rendezvous-state-free"') == 8
        assert html.count('class="rendezvous-state-booked"') == 1
        # The booking sits in its own slot's row, not beside a "taken" one.
        assert "rendezvous-state-taken" not in html
        assert html.count(">09:20</time>") == 1
        assert ">09:00</time>" in html and ">11:40</time>" in html
        assert html.index(">09:00</time>") < html.index("Jeanne Martin")
        assert html.index("Jeanne Martin") < html.index(">09:40</time>")
        # Accessible tables, a print style, navigation.
        assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
        assert "@media print" in html
        previous = (day - datetime.timedelta(days=1)).isoformat()
        assert f"date={previous}&amp;view=day" in html
        assert "Europe/Paris" in html
        # The other counter's bookings are not on this counter's agenda.
        assert "Guichet 2" not in html.split("rendezvous-backoffice", 1)[1]

    def test_place_agenda_shows_managed_counters_only(
        self,
        site,  # noqa: F811
        agents,
        anonymous,
    ):
        day = next_weekday(1)
        citizen_booking(anonymous, site, day, "10:00", counter=1)
        html = agents["a"].get(agenda_url(site["place"], day)).text
        assert "Guichet 1" in html and "Guichet 2" in html
        assert "Guichet C" not in html
        assert "Jeanne Martin" in html
        html = agents["b"].get(agenda_url(site["place"], day)).text
        assert "Guichet C" in html
        assert "Guichet 1" not in html and "Jeanne Martin" not in html

    def test_week_agenda(self, site, agents, anonymous):  # noqa: F811
        monday = next_weekday(0)
        citizen_booking(anonymous, site, monday + datetime.timedelta(days=2), "11:00")
        page = agents["a"].get(agenda_url(site["counters"][0], monday, "week"))
        assert page.status_code == 200
        # One grid: Monday to Friday open (9 slots each), the weekend closed.
        assert (
            page.text.count(
                'class="table table-sm table-bordered align-top rendezvous-week"'
            )
            == 1
        )
        assert page.text.count("rendezvous-slot rendezvous-state-free") == 5 * 9 - 1
        assert page.text.count("rendezvous-slot rendezvous-state-booked") == 1
        assert "Jeanne Martin" in page.text
        following = (monday + datetime.timedelta(days=7)).isoformat()
        assert f"date={following}&amp;view=week" in page.text

    def test_other_service_and_anonymous_refused(
        self,
        site,  # noqa: F811
        agents,
        anonymous,
    ):
        day = next_weekday(0)
        citizen_booking(anonymous, site, day, "09:00")
        for url in (
            agenda_url(site["counters"][0], day),
            f"{site['counters'][0]['@id']}/@@rendezvous-book-for?"
            + urlencode({"start": at(day, "10:00")}),
            f"{site['counters'][0]['@id']}/@@rendezvous-feed",
            f"{site['counters'][0]['@id']}/@@rendezvous-export.csv",
        ):
            response = agents["b"].get(url, allow_redirects=False)
            assert response.status_code == 403, (url, response.status_code)
            assert "Jeanne Martin" not in response.text
            response = requests.get(url, allow_redirects=False, timeout=30)
            assert refused_to_anonymous(response), (url, response.status_code)
        # On the place and the service: an anonymous visitor sees nothing
        # (agent_b sees their own counter only, tested above).
        for url in (
            agenda_url(site["place"], day),
            f"{site['folder']['@id']}/@@rendezvous-unscheduled",
            f"{site['place']['@id']}/@@rendezvous-export.csv",
        ):
            response = requests.get(url, allow_redirects=False, timeout=30)
            assert refused_to_anonymous(response), (url, response.status_code)
            assert "Jeanne Martin" not in response.text
        # A user of no service at all gets 403 on the place.
        api.user.create(email="c@example.org", username="nobody", password=PASSWORD)
        transaction.commit()
        with page_session("nobody", PASSWORD) as nobody:
            response = nobody.get(agenda_url(site["place"], day))
            assert refused_to_agent(response)
        # The pages' methods are not published.
        for url in (
            f"{agenda_url(site['place'], day).split('?')[0]}/agenda",
            f"{site['counters'][0]['@id']}/@@rendezvous-feed.ics/calendar",
        ):
            assert agents["a"].get(url).status_code == 404, url

    def test_other_service_is_a_403_page_not_an_error(
        self,
        site,  # noqa: F811
        agents,
        caplog,
    ):
        """Issue 13 (17): an agent of another service gets a 403 page; the
        event log has it at INFO, not as an ERROR with a traceback."""
        day = next_weekday(0)
        counter = site["counters"][0]
        caplog.set_level(logging.INFO)
        for url in (
            agenda_url(counter, day),
            f"{counter['@id']}/@@rendezvous-feed",
            f"{counter['@id']}/@@rendezvous-export.csv",
        ):
            caplog.clear()
            response = agents["b"].get(url, allow_redirects=False)
            assert response.status_code == 403, url
            errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert not errors, [r.getMessage()[:200] for r in errors]
            assert "Not your service" in response.text
            assert "Guichet 1" in response.text
            assert any(
                r.name == "collective.rendezvous.backoffice"
                and r.levelno == logging.INFO
                and "agent_b" in r.getMessage()
                for r in caplog.records
            )

    def test_no_byline_on_back_office_pages(self, site, agents):  # noqa: F811
        """Issue 13 (17): Plone's byline is about the content, not the page."""
        day = next_weekday(0)
        counter = site["counters"][0]
        for url in (
            agenda_url(counter, day),
            agenda_url(counter, day, "week"),
            agenda_url(site["place"], day),
            f"{counter['@id']}/@@rendezvous-feed",
            f"{site['folder']['@id']}/@@rendezvous-unscheduled",
        ):
            response = agents["a"].get(url)
            assert response.status_code == 200, url
            assert "rendezvous-backoffice" in response.text
            assert 'id="section-byline"' not in response.text, url
        # The content's own view keeps it.
        assert 'id="section-byline"' in agents["a"].get(counter["@id"]).text

    def test_no_empty_contents_tab(self, site, agents):  # noqa: F811
        """Issue 13 (17): no "Contents" tab on a counter (bookings are not
        cataloged: it listed nothing) nor on the back-office pages."""
        day = next_weekday(0)
        counter = site["counters"][0]
        tab = 'id="contentview-folderContents"'
        for url in (
            agenda_url(counter, day),
            counter["@id"],
            f"{counter['@id']}/@@rendezvous-feed",
            f"{site['folder']['@id']}/@@rendezvous-unscheduled",
        ):
            response = agents["a"].get(url)
            assert response.status_code == 200, url
            assert 'id="edit-bar"' in response.text, url
            assert tab not in response.text, url
        # Where it lists something, it stays.
        with page_session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD) as owner:
            assert tab in owner.get(site["place"]["@id"]).text
            assert tab in owner.get(site["folder"]["@id"]).text
            assert tab not in owner.get(counter["@id"]).text

    def test_garbage_parameters(self, site, agents):  # noqa: F811
        url = f"{site['counters'][0]['@id']}/@@rendezvous-agenda"
        for params in (
            {"date": "9999-12-31", "view": "week"},
            {"date": "<script>", "view": "<b>"},
            {"date": ["2026-01-01", "2026-01-02"]},
        ):
            response = agents["a"].get(url, params=params)
            assert response.status_code == 200, params
            assert "<script>" not in response.text.split("rendezvous-backoffice")[1]


class TestBookFor:
    def url(self, site, day, hhmm, counter=0):  # noqa: F811
        return f"{site['counters'][counter]['@id']}/@@rendezvous-book-for", {
            "start": at(day, hhmm),
            "came_from": agenda_url(site["place"], day),
        }

    def test_book_for_a_citizen(self, site, agents, manager):  # noqa: F811
        day = next_weekday(2)
        agent = agents["a"]
        url, params = self.url(site, day, "10:20")
        form = agent.get(url, params=params)
        assert form.status_code == 200
        assert 'for="rdv-beneficiary"' in form.text
        assert 'name="option"' in form.text and "Passeport" in form.text
        data = {
            "_authenticator": authenticator(form.text),
            "beneficiary": "Paul Durand",
            "phone": "06 11 22 33 44",
            "comment": "Vient avec sa fille",
            "submit": "1",
        }
        # The type has options (R13): one must be chosen.
        refused = agent.post(url, params=params, data=data, allow_redirects=False)
        assert refused.status_code == 200
        assert "Choose one of the options" in refused.text
        assert 'id="rdv-option-error"' in refused.text
        assert bookings(manager, site) == []
        # Several refused fields: all shown at once (issue 13).
        refused = agent.post(
            url,
            params=params,
            data={**data, "beneficiary": "", "phone": "12"},
            allow_redirects=False,
        )
        for field in ("beneficiary", "phone", "option"):
            assert f'id="rdv-{field}-error"' in refused.text, field
        assert bookings(manager, site) == []
        # No e-mail needed for an agent.
        response = agent.post(
            url,
            params=params,
            data={**data, "option": "Passeport"},
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]
        assert response.headers["Location"] == params["came_from"]
        [booking] = bookings(manager, site)
        assert booking["beneficiary"] == "Paul Durand"
        assert booking["option"] == "Passeport"
        assert booking["counter"] == site["counters"][0]["UID"]
        assert booking["start"] == at(day, "10:20")
        assert booking["email"] == ""
        assert booking["booked_by"] == "agent"
        # The status message shows the booking code.
        agenda = agent.get(response.headers["Location"])
        assert booking["code"] in agenda.text
        assert "Paul Durand" in agenda.text

    def test_without_csrf_token_refused(self, site, agents, manager):  # noqa: F811
        url, params = self.url(site, next_weekday(2), "10:40")
        response = agents["a"].post(
            url,
            params=params,
            data={"beneficiary": "X", "option": "CNI", "submit": "1"},
            allow_redirects=False,
        )
        assert response.status_code == 403
        assert bookings(manager, site) == []

    def test_slot_taken_meanwhile(self, site, agents, anonymous, manager):  # noqa: F811
        day = next_weekday(3)
        url, params = self.url(site, day, "09:00")
        token = authenticator(agents["a"].get(url, params=params).text)
        citizen_booking(anonymous, site, day, "09:00")
        response = agents["a"].post(
            url,
            params=params,
            data={
                "_authenticator": token,
                "beneficiary": "Paul Durand",
                "option": "CNI",
                "submit": "1",
            },
        )
        assert response.status_code == 200
        assert 'role="alert"' in response.text
        assert "not free" in response.text
        assert len(bookings(manager, site)) == 1

    def test_agents_bypass_the_notice(self, site, agents, manager):  # noqa: F811
        manager.patch(site["type"]["@id"], json={"min_notice": "30d"})
        day = next_weekday(2)
        assert day < datetime.date.today() + datetime.timedelta(days=30)
        url, params = self.url(site, day, "11:00")
        form = agents["a"].get(url, params=params)
        response = agents["a"].post(
            url,
            params=params,
            data={
                "_authenticator": authenticator(form.text),
                "beneficiary": "Paul Durand",
                "option": "CNI",
                "submit": "1",
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]


class TestBookingActions:
    def test_mark_absent_then_attended_refused(
        self,
        site,  # noqa: F811
        agents,
        anonymous,
        manager,
        clock,
    ):
        day = next_weekday(0)
        booked = citizen_booking(anonymous, site, day, "09:40")
        url = agenda_url(site["counters"][0], day)
        # Before its start, the agenda offers no "Absent" and refuses it.
        assert 'value="absent"' not in agents["a"].get(url).text
        response = post_action(agents["a"], url, booked["code"], "absent")
        assert response.status_code == 302
        assert "only once the appointment has started" in agents["a"].get(url).text
        assert bookings(manager, site)[0]["state"] == "booked"
        clock.after(booked["start"])
        assert 'value="absent"' in agents["a"].get(url).text
        # The button asks for a confirmation (a page, no JavaScript needed).
        response = post_action(agents["a"], url, booked["code"], "absent")
        assert response.status_code == 200
        assert "Confirm: mark absent" in response.text
        assert 'name="confirmed"' in response.text
        assert 'name="_authenticator"' in response.text
        assert bookings(manager, site)[0]["state"] == "booked"
        # The confirmation without the CSRF token is refused.
        refused = agents["a"].post(
            url,
            data={"booking": booked["code"], "action": "absent", "confirmed": "1"},
            allow_redirects=False,
        )
        assert refused.status_code == 403
        assert bookings(manager, site)[0]["state"] == "booked"
        response = post_action(
            agents["a"], url, booked["code"], "absent", confirmed="1"
        )
        assert response.status_code == 302
        assert response.headers["Location"] == url
        assert bookings(manager, site)[0]["state"] == "absent"
        page = agents["a"].get(url)
        assert "is marked absent" in page.text
        assert 'class="rendezvous-state-absent"' in page.text
        # Once absent, it cannot be marked again: a message, no change.
        response = post_action(agents["a"], url, booked["code"], "attended")
        assert response.status_code == 302
        assert "Only a booked appointment" in agents["a"].get(url).text
        assert bookings(manager, site)[0]["state"] == "absent"

    def test_cancel_frees_the_slot(self, site, agents, anonymous, manager):  # noqa: F811
        day = next_weekday(1)
        booked = citizen_booking(anonymous, site, day, "10:00")
        url = agenda_url(site["place"], day)
        response = post_action(
            agents["a"], url, booked["code"], "cancel", reason="Agent malade"
        )
        assert response.status_code == 302
        [booking] = bookings(manager, site)
        assert booking["state"] == "cancelled"
        assert booking["cancelled_by"] == "agent"
        html = agents["a"].get(url).text
        # Listed as cancelled, and its slot is free again (18 free slots).
        assert 'class="rendezvous-state-cancelled"' in html
        assert "Agent malade" in html
        assert html.count('class="rendezvous-state-free"') == 18

    def test_actions_need_the_token_and_the_right_service(
        self,
        site,  # noqa: F811
        agents,
        anonymous,
        manager,
    ):
        day = next_weekday(2)
        booked = citizen_booking(anonymous, site, day, "10:00")
        url = agenda_url(site["counters"][0], day)
        response = agents["a"].post(
            url, data={"booking": booked["code"], "action": "absent"}
        )
        assert response.status_code == 403
        # agent_b posts to the place agenda (which they may open) a booking
        # of a counter they do not manage.
        place_url = agenda_url(site["place"], day)
        response = post_action(agents["b"], place_url, booked["code"], "cancel")
        assert response.status_code == 302
        assert "cannot change this booking" in agents["b"].get(place_url).text
        assert bookings(manager, site)[0]["state"] == "booked"

    def move(self, agent, site, day, booking_start, target):  # noqa: F811
        agenda = agent.get(agenda_url(site["counters"][0], day)).text
        move = re.search(r'href="([^"]+@@rendezvous-move[^"]*)"', agenda)
        assert move, "no move link"
        move_url = move.group(1).replace("&amp;", "&")
        page = agent.get(move_url, params={"date": day.isoformat()})
        assert page.status_code == 200
        assert f'value="{target}"' in page.text
        # Its own slot is not offered (it holds it).
        own = f"{booking_start}|{site['counters'][0]['UID']}"
        assert f'value="{own}"' not in page.text
        return agent.post(
            move_url,
            params={"date": day.isoformat()},
            data={
                "_authenticator": authenticator(page.text),
                "slot": target,
                "submit": "1",
            },
            allow_redirects=False,
        )

    def test_move(self, site, agents, anonymous, manager):  # noqa: F811
        day = next_weekday(3)
        booked = citizen_booking(anonymous, site, day, "09:00")
        target = f"{at(day, '11:00')}|{site['counters'][0]['UID']}"
        response = self.move(agents["a"], site, day, at(day, "09:00"), target)
        assert response.status_code == 302, response.text[:2000]
        # Back to the agenda the move started from.
        assert response.headers["Location"] == agenda_url(site["counters"][0], day)
        [booking] = bookings(manager, site)
        assert booking["start"] == at(day, "11:00")
        assert booking["previous_start"] == at(day, "09:00")
        assert booking["code"] == booked["code"]
        # agent_b may not open the move form of this booking.
        move_url = f"{site['counters'][0]['@id']}/{booked['code'].lower()}"
        response = agents["b"].get(f"{move_url}/@@rendezvous-move")
        assert response.status_code == 403

    def test_move_to_another_counter(self, site, agents, anonymous, manager):  # noqa: F811
        day = next_weekday(4)
        citizen_booking(anonymous, site, day, "09:00")
        target = f"{at(day, '11:00')}|{site['counters'][1]['UID']}"
        response = self.move(agents["a"], site, day, at(day, "09:00"), target)
        assert response.status_code == 302, response.text[:2000]
        [booking] = bookings(manager, site)
        assert booking["counter"] == site["counters"][1]["UID"]


class TestUnscheduled:
    def test_list_and_move(self, site, agents, anonymous, manager):  # noqa: F811
        day = next_weekday(0)
        booked = citizen_booking(anonymous, site, day, "09:00")
        url = f"{site['folder']['@id']}/@@rendezvous-unscheduled"
        assert "No booking to re-place" in agents["a"].get(url).text
        # Mondays now open in the afternoon only: the 09:00 slot is gone.
        response = manager.patch(site["week"]["@id"], json={"monday": ["14h00-17h00"]})
        assert response.status_code == 204, response.text
        page = agents["a"].get(url)
        assert page.status_code == 200
        assert booked["code"] in page.text and "Jeanne Martin" in page.text
        assert "@@rendezvous-move" in page.text
        assert "<caption" in page.text
        # The day agenda lists it apart.
        agenda = agents["a"].get(agenda_url(site["counters"][0], day)).text
        assert 'class="rendezvous-state-unscheduled"' in agenda
        assert ">14:00</time>" in agenda
        # agent_b manages another counter: the list is empty for them.
        assert booked["code"] not in agents["b"].get(url).text
        move = re.search(r'href="([^"]+@@rendezvous-move[^"]*)"', page.text)
        move_url = move.group(1).replace("&amp;", "&")
        form = agents["a"].get(move_url, params={"date": day.isoformat()})
        target = f"{at(day, '14:00')}|{site['counters'][0]['UID']}"
        response = agents["a"].post(
            move_url,
            params={"date": day.isoformat()},
            data={
                "_authenticator": authenticator(form.text),
                "slot": target,
                "submit": "1",
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]
        assert response.headers["Location"] == url
        [booking] = bookings(manager, site)
        assert booking["state"] == "booked"
        assert booking["start"] == at(day, "14:00")
        assert "No booking to re-place" in agents["a"].get(url).text


class TestExport:
    def test_csv(self, site, agents, anonymous):  # noqa: F811
        day = next_weekday(0)
        citizen_booking(
            anonymous,
            site,
            day,
            "09:00",
            beneficiary='=HYPERLINK("http://evil.example","x")',
            comment="@SUM(A1)",
        )
        second = citizen_booking(anonymous, site, day, "10:00", counter=1)
        url = f"{site['place']['@id']}/@@rendezvous-export.csv"
        params = {"start": day.isoformat(), "end": day.isoformat()}
        response = agents["a"].get(url, params=params)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.content.startswith("\ufeff".encode())
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        # An English site: commas; every text cell quoted.
        assert text.startswith('"Code","State","Date","Start","End",')
        assert rows[0][:5] == ["Code", "State", "Date", "Start", "End"]
        assert len(rows[0]) == 17  # the last: ANTS numbers (issue 14)
        assert len(rows) == 3
        first, other = rows[1], rows[2]
        assert first[1] == "Booked"
        # The date and the times in their own columns.
        assert first[2:5] == [day.isoformat(), "09:00", "09:20"]
        assert first[5:9] == ["Mairie", "Guichet 1", "Pièces d'identité", "CNI"]
        # Formula injection is defused.
        assert first[10] == '\'=HYPERLINK("http://evil.example","x")'
        assert first[13] == "'@SUM(A1)"
        # The phone as people write it: no apostrophe, nothing to run.
        assert first[12] == "06 12 34 56 78"
        assert '"06 12 34 56 78"' in text
        assert first[14] == "Citizen"
        assert other[0] == second["code"]
        # Semicolons on request; agent_b sees none of these bookings.
        response = agents["a"].get(url, params={**params, "separator": "semicolon"})
        assert response.content.decode("utf-8-sig").startswith('"Code";"State";')
        response = agents["b"].get(url, params=params)
        assert response.status_code == 200
        assert len(response.content.decode("utf-8-sig").splitlines()) == 1

    def test_csv_french_site(self, site, agents, anonymous):  # noqa: F811
        """A French site: ';' by default, French headers, foreign phones +."""
        day = next_weekday(0)
        citizen_booking(anonymous, site, day, "09:00", phone="+44 20 7946 0958")
        citizen_booking(anonymous, site, day, "09:20")
        transaction.abort()
        api.portal.set_registry_record("plone.default_language", "fr")
        transaction.commit()
        url = f"{site['place']['@id']}/@@rendezvous-export.csv"
        params = {"start": day.isoformat(), "end": day.isoformat()}
        response = agents["a"].get(url, params=params)
        assert response.status_code == 200, response.text
        text = response.content.decode("utf-8-sig")
        assert text.startswith('"Code";"')
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) == 3 and all(len(row) == 17 for row in rows)
        assert [row[12] for row in rows[1:]] == ["+44 20 7946 0958", "06 12 34 56 78"]
        # The comma stays available; the agenda's form offers ';' first.
        response = agents["a"].get(url, params={**params, "separator": "comma"})
        assert response.content.decode("utf-8-sig").startswith('"Code","')
        html = agents["a"].get(agenda_url(site["counters"][0], day)).text
        [selected] = re.findall(r"<option[^>]*selected[^>]*>", html)
        assert 'value="semicolon"' in selected

    def test_defuse_keeps_phones_readable(self):
        from collective.rendezvous.browser.export import defuse
        from collective.rendezvous.browser.export import readable_phone

        assert defuse(readable_phone("+33612345678")) == "06 12 34 56 78"
        assert defuse(readable_phone("+442079460958")) == "+44 20 7946 0958"
        # Not a phone number: defused like any other cell.
        assert defuse(readable_phone("+1+cmd|' /C calc'!A0")) == (
            "'+1+cmd|' /C calc'!A0"
        )
        assert defuse("+33612345678") == "'+33612345678"

    def test_period_checked(self, site, agents):  # noqa: F811
        url = f"{site['folder']['@id']}/@@rendezvous-export.csv"
        for params in (
            {"start": "2026-01-01", "end": "2027-01-02"},
            {"start": "2026-02-01", "end": "2026-01-01"},
            {"start": "yesterday"},
        ):
            response = agents["a"].get(url, params=params)
            assert response.status_code == 400, params
        response = agents["a"].get(
            url, params={"start": "2026-01-01", "end": "2026-12-31"}
        )
        assert response.status_code == 200


FEED_URL = re.compile(r'value="([^"]+@@rendezvous-feed\.ics\?[^"]+)"')


def make_feed_key(session, counter, **extra):
    """Make the user's key of the counter's feed; the address shown once."""
    page = session.get(f"{counter}/@@rendezvous-feed")
    response = session.post(
        f"{counter}/@@rendezvous-feed",
        data={"_authenticator": authenticator(page.text), "regenerate": "1", **extra},
    )
    assert response.status_code == 200, response.text
    match = FEED_URL.search(response.text)
    assert match, "the new address is shown"
    return match.group(1).replace("&amp;", "&")


def assert_private(response):
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    assert "no-store" in response.headers.get("Cache-Control", "")


class TestFeed:
    def test_feed_key(self, site, agents, anonymous):  # noqa: F811
        day = next_weekday(0)
        booked = citizen_booking(anonymous, site, day, "09:20")
        counter = site["counters"][0]["@id"]
        feed = f"{counter}/@@rendezvous-feed.ics"
        page = agents["a"].get(f"{counter}/@@rendezvous-feed")
        assert page.status_code == 200
        assert_private(page)
        assert "You have no address of this counter" in page.text
        assert "secret" in page.text
        # No key, no feed.
        assert requests.get(feed, timeout=30).status_code == 403
        first_url = make_feed_key(agents["a"], counter)
        # The address names its user: each agent has their own key.
        assert "user=agent_a&key=" in first_url
        # Shown once: not on the next visit.
        again = agents["a"].get(f"{counter}/@@rendezvous-feed").text
        assert first_url not in again and "You made your address on" in again
        response = requests.get(first_url, timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        assert_private(response)
        calendar = icalendar.Calendar.from_ical(response.content)
        [event] = calendar.walk("VEVENT")
        summary = str(event["SUMMARY"])
        assert booked["code"] in summary
        assert "Pièces d'identité" in summary and "CNI" in summary
        assert "Jeanne Martin" in summary
        bad = first_url.split("key=")[0] + "key=nope"
        assert requests.get(bad, timeout=30).status_code == 403
        # A new address retires the old one.
        second_url = make_feed_key(agents["a"], counter)
        assert second_url != first_url
        assert requests.get(first_url, timeout=30).status_code == 403
        assert requests.get(second_url, timeout=30).status_code == 200
        # The key of one counter does not open another.
        query = second_url.split("?")[1]
        other = f"{site['counters'][1]['@id']}/@@rendezvous-feed.ics?{query}"
        assert requests.get(other, timeout=30).status_code == 403
        # Nor is it another user's key.
        stolen = second_url.replace("user=agent_a", "user=agent_b")
        assert requests.get(stolen, timeout=30).status_code == 403

    def test_no_contact_details_unless_chosen(self, site, agents, anonymous):  # noqa: F811
        citizen_booking(anonymous, site, next_weekday(0), "09:20", comment="Rampe")
        counter = site["counters"][0]["@id"]
        url = make_feed_key(agents["a"], counter)
        [event] = icalendar.Calendar.from_ical(
            requests.get(url, timeout=30).content
        ).walk("VEVENT")
        description = str(event["DESCRIPTION"])
        assert "Rampe" in description
        assert "jeanne@example.org" not in description
        assert "+33612345678" not in description
        # Asking in the address changes nothing: the choice is the key's.
        feed = requests.get(url + "&contacts=1", timeout=30)
        assert b"jeanne@example.org" not in feed.content
        # Chosen when making the key.
        url = make_feed_key(agents["a"], counter, contacts="1")
        page = agents["a"].get(f"{counter}/@@rendezvous-feed").text
        assert "It shows the citizens' e-mail addresses and phone numbers" in page
        [event] = icalendar.Calendar.from_ical(
            requests.get(url, timeout=30).content
        ).walk("VEVENT")
        description = str(event["DESCRIPTION"])
        assert "jeanne@example.org" in description
        assert "+33612345678" in description

    def test_revoke(self, site, agents):  # noqa: F811
        counter = site["counters"][0]["@id"]
        url = make_feed_key(agents["a"], counter)
        assert requests.get(url, timeout=30).status_code == 200
        page = agents["a"].get(f"{counter}/@@rendezvous-feed")
        assert "Revoke my address" in page.text
        # Not without the page's CSRF token.
        response = agents["a"].post(
            f"{counter}/@@rendezvous-feed", data={"revoke": "1"}
        )
        assert response.status_code == 403
        assert requests.get(url, timeout=30).status_code == 200
        response = agents["a"].post(
            f"{counter}/@@rendezvous-feed",
            data={"_authenticator": authenticator(page.text), "revoke": "1"},
        )
        assert response.status_code == 200
        assert "Your address of the feed no longer works" in response.text
        assert "You have no address of this counter" in response.text
        assert requests.get(url, timeout=30).status_code == 403

    def test_former_agent_loses_the_feed(self, site, agents, manager, portal_url):  # noqa: F811
        counter = site["counters"][0]["@id"]
        api.user.create(
            email="agent_a2@example.org", username="agent_a2", password=PASSWORD
        )
        api.group.add_user(groupname="service_a", username="agent_a2")
        transaction.commit()
        with page_session("agent_a2", PASSWORD) as colleague:
            other_url = make_feed_key(colleague, counter)
        url = make_feed_key(agents["a"], counter)
        assert requests.get(url, timeout=30).status_code == 200
        # agent_a leaves the service: their key stops working at once...
        api.group.remove_user(groupname="service_a", username="agent_a")
        transaction.commit()
        response = requests.get(url, timeout=30)
        assert response.status_code == 403
        assert b"Jeanne" not in response.content
        # ... not their colleague's.
        assert requests.get(other_url, timeout=30).status_code == 200
        # Checked at every read: back in the service, back in the feed.
        api.group.add_user(groupname="service_a", username="agent_a")
        transaction.commit()
        assert requests.get(url, timeout=30).status_code == 200
        # A removed user's key opens nothing.
        response = manager.delete(f"{portal_url}/@users/agent_a2")
        assert response.status_code == 204, response.text
        assert requests.get(other_url, timeout=30).status_code == 403

    def test_service_managers_revoke_agents_keys(self, site, agents):  # noqa: F811
        counter = site["counters"][0]["@id"]
        api.user.create(
            email="agent_a2@example.org", username="agent_a2", password=PASSWORD
        )
        api.group.add_user(groupname="service_a", username="agent_a2")
        transaction.commit()
        url = make_feed_key(agents["a"], counter)
        with page_session("agent_a2", PASSWORD) as colleague:
            other_url = make_feed_key(colleague, counter)
            # An agent neither sees nor revokes a colleague's address.
            page = colleague.get(f"{counter}/@@rendezvous-feed")
            assert "Agents' addresses of this feed" not in page.text
            colleague.post(
                f"{counter}/@@rendezvous-feed",
                data={"_authenticator": authenticator(page.text), "revoke": "agent_a"},
            )
        assert requests.get(url, timeout=30).status_code == 200
        with owner_page_session() as owner:
            page = owner.get(f"{counter}/@@rendezvous-feed")
            assert page.status_code == 200
            assert "Agents' addresses of this feed" in page.text
            assert "Revoke the address of agent_a" in page.text
            assert "Revoke the address of agent_a2" in page.text
            response = owner.post(
                f"{counter}/@@rendezvous-feed",
                data={"_authenticator": authenticator(page.text), "revoke": "agent_a"},
            )
            assert "The address of agent_a no longer works" in response.text
            assert "Revoke the address of agent_a2" in response.text
            assert 'value="agent_a"' not in response.text
        assert requests.get(url, timeout=30).status_code == 403
        assert requests.get(other_url, timeout=30).status_code == 200

    def test_cancelled_bookings_leave_the_feed(self, site, agents, anonymous):  # noqa: F811
        day = next_weekday(1)
        booked = citizen_booking(anonymous, site, day, "09:20")
        counter = site["counters"][0]["@id"]
        url = make_feed_key(agents["a"], counter)
        post_action(
            agents["a"], agenda_url(site["counters"][0], day), booked["code"], "cancel"
        )
        calendar = icalendar.Calendar.from_ical(requests.get(url, timeout=30).content)
        assert calendar.walk("VEVENT") == []


class TestTabs:
    def test_object_actions(self, site, agents):  # noqa: F811
        place = agents["a"].get(site["place"]["@id"]).text
        assert "@@rendezvous-agenda" in place
        counter = agents["a"].get(site["counters"][0]["@id"]).text
        assert "@@rendezvous-agenda" in counter and "@@rendezvous-feed" in counter
        folder = agents["a"].get(site["folder"]["@id"]).text
        assert "@@rendezvous-unscheduled" in folder
        # Anonymous visitors get no back-office tab.
        assert (
            "@@rendezvous-agenda"
            not in requests.get(site["place"]["@id"], timeout=30).text
        )
