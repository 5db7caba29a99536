"""@bookings over real HTTP: book, read, cancel, move, mark, unschedule (issue 5)."""

from concurrent.futures import ThreadPoolExecutor
from helpers import json_session
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import datetime
import icalendar
import pytest
import requests
import threading


CITIZEN = {
    "beneficiary": "Jeanne Martin",
    "email": "jeanne@example.org",
    "phone": "06 12 34 56 78",
}


def at(day: datetime.date, hhmm: str) -> str:
    """A wall-clock time of the site (Europe/Paris) as ISO 8601 with offset."""
    from zoneinfo import ZoneInfo

    hour, minute = (int(part) for part in hhmm.split(":"))
    moment = datetime.datetime.combine(day, datetime.time(hour, minute))
    return moment.replace(tzinfo=ZoneInfo("Europe/Paris")).isoformat()


def book(session, site, start, **extra):  # noqa: F811
    body = {"type": site["type"]["UID"], "start": start, **CITIZEN, **extra}
    return session.post(f"{site['folder']['@id']}/@bookings", json=body)


def free_starts(session, site, day, counter=None):  # noqa: F811
    params = {
        "type": site["type"]["UID"],
        "start": day.isoformat(),
        "end": day.isoformat(),
    }
    if counter:
        params["counter"] = counter
    items = session.get(site["slots"], params=params).json()["items"]
    return [(item["start"], item["counter"]) for item in items]


def all_bookings(manager, site):  # noqa: F811
    response = manager.get(f"{site['folder']['@id']}/@bookings")
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestBook:
    def test_book_then_slot_taken(self, site, anonymous):  # noqa: F811
        day = next_weekday(0)
        counter = site["counters"][0]["UID"]
        response = book(anonymous, site, at(day, "09:20"), counter=counter)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["state"] == "booked"
        assert body["counter"] == counter
        assert body["place"] == site["place"]["UID"]
        assert body["start"] == at(day, "09:20")
        assert body["end"] == at(day, "09:40")
        assert body["phone"] == "+33612345678"
        assert len(body["code"]) == 8
        assert not set(body["code"]) & set("IL0O1")
        assert len(body["token"]) >= 32
        assert body["token"] != body["UID"]
        assert body["manage_url"].endswith(body["token"])
        assert (at(day, "09:20"), counter) not in free_starts(anonymous, site, day)
        # The same slot at the same counter is taken...
        again = book(anonymous, site, at(day, "09:20"), counter=counter)
        assert again.status_code == 409, again.text
        # ... but without a counter the service finds the other one.
        other = book(anonymous, site, at(day, "09:20"))
        assert other.status_code == 201, other.text
        assert other.json()["counter"] == site["counters"][1]["UID"]
        assert book(anonymous, site, at(day, "09:20")).status_code == 409

    def test_load_is_spread(self, site, anonymous):  # noqa: F811
        day = next_weekday(1)
        counters = [
            book(anonymous, site, at(day, t)).json()["counter"]
            for t in ("09:00", "09:20", "09:40", "10:00")
        ]
        assert counters.count(site["counters"][0]["UID"]) == 2

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"beneficiary": ""}, "beneficiary"),
            ({"beneficiary": "x" * 201}, "beneficiary"),
            ({"email": "not-an-address"}, "email"),
            ({"email": ""}, "email"),
            ({"phone": "12"}, "phone"),
            ({"start": "tomorrow at nine"}, "start"),
            ({"type": "0" * 32}, "type"),
            ({"counter": "nope"}, "counter"),
            ({"place": "nope"}, "place"),
            ({"option": "CNI"}, "option"),
            ({"partner_type": "martian"}, "partner_type"),
            ({"beneficiary": 42}, "beneficiary"),
        ],
    )
    def test_bad_input(self, site, anonymous, manager, changes, field):  # noqa: F811
        day = next_weekday(2)
        body = {
            "type": site["type"]["UID"],
            "start": at(day, "09:00"),
            **CITIZEN,
            **changes,
        }
        response = anonymous.post(f"{site['folder']['@id']}/@bookings", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["field"] == field
        assert response.json()["message"]
        assert all_bookings(manager, site) == []
        assert len(free_starts(anonymous, site, day)) == 18

    def test_every_refused_field_at_once(self, site, anonymous, manager):  # noqa: F811
        body = {
            "type": site["type"]["UID"],
            "start": at(next_weekday(2), "09:00"),
            **CITIZEN,
            "beneficiary": "",
            "email": "nope",
            "phone": "12",
        }
        response = anonymous.post(f"{site['folder']['@id']}/@bookings", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["field"] == "beneficiary"
        errors = response.json()["errors"]
        assert [error["field"] for error in errors] == ["beneficiary", "email", "phone"]
        assert all(error["message"] for error in errors)
        assert all_bookings(manager, site) == []

    def test_not_a_slot_boundary(self, site, anonymous):  # noqa: F811
        response = book(anonymous, site, at(next_weekday(2), "09:05"))
        assert response.status_code == 400
        assert response.json()["field"] == "start"

    def test_closed_day_and_notice(self, site, anonymous, manager):  # noqa: F811
        assert book(anonymous, site, at(next_weekday(5), "09:00")).status_code == 409
        manager.patch(site["type"]["@id"], json={"min_notice": "30d"})
        soon = next_weekday(0, after_days=1)
        assert book(anonymous, site, at(soon, "09:00")).status_code == 409
        # Agents may book within the notice.
        response = book(manager, site, at(soon, "09:00"))
        assert response.status_code == 201, response.text

    def test_options_and_partner_types(self, site, anonymous, manager):  # noqa: F811
        manager.patch(
            site["type"]["@id"],
            json={"options": ["CNI", "Passeport"], "partner_types": ["professionnel"]},
        )
        day = next_weekday(3)
        assert (
            book(
                anonymous, site, at(day, "09:00"), partner_type="professionnel"
            ).json()["field"]
            == "option"
        )
        response = book(
            anonymous,
            site,
            at(day, "09:00"),
            option="Permis",
            partner_type="professionnel",
        )
        assert response.json()["field"] == "option"
        response = book(
            anonymous, site, at(day, "09:00"), option="CNI", partner_type="particulier"
        )
        assert response.json()["field"] == "partner_type"
        response = book(
            anonymous,
            site,
            at(day, "09:00"),
            option="CNI",
            partner_type="professionnel",
        )
        assert response.status_code == 201, response.text
        assert response.json()["option"] == "CNI"

    def test_hidden_type_only_for_agents(self, site, anonymous, manager):  # noqa: F811
        manager.patch(site["type"]["@id"], json={"portal_visible": False})
        day = next_weekday(3)
        assert book(anonymous, site, at(day, "09:00")).status_code in (400, 409)
        assert book(manager, site, at(day, "09:00")).status_code == 201


class TestCitizen:
    @pytest.fixture
    def booked(self, site, anonymous):  # noqa: F811
        response = book(
            anonymous,
            site,
            at(next_weekday(0), "10:00"),
            counter=site["counters"][0]["UID"],
        )
        assert response.status_code == 201, response.text
        return response.json()

    def test_read_with_token(self, booked, anonymous):
        url = booked["@id"]
        assert (
            anonymous.get(url, params={"token": booked["token"]}).json()["beneficiary"]
            == "Jeanne Martin"
        )
        assert anonymous.get(url).status_code == 401
        # A wrong token and an unknown code: the same 404 (issue 12).
        assert anonymous.get(url, params={"token": "x" * 32}).status_code == 404
        unknown = url.rsplit("/", 1)[0] + "/ZZZZZZZZ"
        assert anonymous.get(unknown, params={"token": "x" * 32}).status_code == 404
        assert anonymous.get(unknown).status_code == 401
        assert (
            "history"
            not in anonymous.get(url, params={"token": booked["token"]}).json()
        )

    def test_listing_is_for_agents(self, booked, site, anonymous, manager):  # noqa: F811
        assert anonymous.get(f"{site['folder']['@id']}/@bookings").status_code == 401
        items = all_bookings(manager, site)
        assert [item["code"] for item in items] == [booked["code"]]
        assert items[0]["history"][0]["event"] == "booked"
        response = manager.get(
            f"{site['folder']['@id']}/@bookings", params={"state": "cancelled"}
        )
        assert response.json()["items"] == []

    def test_cancel_with_token(self, booked, site, anonymous, manager):  # noqa: F811
        action = f"{booked['@id']}/cancel"
        wrong = anonymous.post(action, json={"token": "y" * 32})
        assert wrong.status_code == 404
        assert all_bookings(manager, site)[0]["state"] == "booked"
        response = anonymous.post(
            action, json={"token": booked["token"], "reason": "Empêchée"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "cancelled"
        assert response.json()["cancelled_by"] == "citizen"
        day = datetime.date.fromisoformat(booked["start"][:10])
        assert (booked["start"], booked["counter"]) in free_starts(anonymous, site, day)
        assert (
            anonymous.post(action, json={"token": booked["token"]}).status_code == 409
        )

    def test_reschedule(self, booked, site, anonymous):  # noqa: F811
        day = datetime.date.fromisoformat(booked["start"][:10])
        new_start = at(day, "11:00")
        response = anonymous.post(
            f"{booked['@id']}/reschedule",
            json={"token": booked["token"], "start": new_start},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["start"] == new_start
        assert body["previous_start"] == booked["start"]
        assert body["code"] == booked["code"]
        free = free_starts(anonymous, site, day, counter=booked["counter"])
        assert (booked["start"], booked["counter"]) in free
        assert (new_start, booked["counter"]) not in free

    def test_reschedule_to_taken_slot_changes_nothing(self, booked, site, anonymous):  # noqa: F811
        day = datetime.date.fromisoformat(booked["start"][:10])
        other = book(
            anonymous, site, at(day, "11:20"), counter=booked["counter"]
        ).json()
        response = anonymous.post(
            f"{booked['@id']}/reschedule",
            json={
                "token": booked["token"],
                "start": other["start"],
                "counter": booked["counter"],
            },
        )
        assert response.status_code == 409, response.text
        free = free_starts(anonymous, site, day, counter=booked["counter"])
        # The original slot was not released by the refused move.
        assert (booked["start"], booked["counter"]) not in free

    def test_agent_actions(self, booked, anonymous, manager, clock):
        url = booked["@id"]
        assert anonymous.post(
            f"{url}/absent", json={"token": booked["token"]}
        ).status_code in (401, 403)
        # Not before the appointment: absent waits for its start, attended
        # for its day.
        start = datetime.datetime.fromisoformat(booked["start"])
        clock.travel(start - datetime.timedelta(days=1))
        for outcome in ("absent", "attended"):
            response = manager.post(f"{url}/{outcome}", json={})
            assert response.status_code == 409, response.text
        clock.travel(start.replace(hour=7, minute=0))
        response = manager.post(f"{url}/absent", json={})
        assert response.status_code == 409, response.text
        assert "only once the appointment has started" in response.text
        assert manager.get(url).json()["state"] == "booked"
        clock.after(start)
        response = manager.post(f"{url}/absent", json={})
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "absent"
        assert manager.post(f"{url}/attended", json={}).status_code == 409
        assert manager.post(f"{url}/cancel", json={}).status_code == 409
        assert manager.post(f"{url}/nonsense", json={}).status_code == 404

    def test_ics(self, booked, anonymous):
        response = anonymous.get(
            f"{booked['@id']}/ics", params={"token": booked["token"]}
        )
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        event = next(iter(calendar.walk("VEVENT")))
        assert booked["code"] in str(event["summary"])
        start = event.decoded("dtstart")
        assert start == datetime.datetime.fromisoformat(booked["start"])
        assert anonymous.get(f"{booked['@id']}/ics").status_code == 401


class TestUnschedule:
    def test_schedule_edit_unschedules(self, site, anonymous, manager):  # noqa: F811
        day = next_weekday(0)
        booked = book(
            anonymous, site, at(day, "09:00"), counter=site["counters"][0]["UID"]
        ).json()
        # Mondays now open in the afternoon only: the 09:00 slot is gone.
        response = manager.patch(site["week"]["@id"], json={"monday": ["14h00-17h00"]})
        assert response.status_code == 204, response.text
        items = manager.get(
            f"{site['folder']['@id']}/@bookings", params={"state": "unscheduled"}
        ).json()["items"]
        assert [item["code"] for item in items] == [booked["code"]]
        # An agent moves it to a new slot: booked again.
        response = manager.post(
            f"{booked['@id']}/reschedule", json={"start": at(day, "14:00")}
        )
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "booked"
        assert response.json()["previous_start"] == booked["start"]

    def test_schedule_row_deletion_unschedules(self, site, anonymous, manager):  # noqa: F811
        day = next_weekday(3)
        first = site["counters"][0]
        booked = book(anonymous, site, at(day, "09:40"), counter=first["UID"]).json()
        # The counter's only schedule row is deleted: it opens no day at all.
        response = manager.patch(first["@id"], json={"schedule": []})
        assert response.status_code == 204, response.text
        response = manager.get(booked["@id"])
        assert response.json()["state"] == "unscheduled"
        assert [
            start
            for start, counter in free_starts(anonymous, site, day)
            if counter == first["UID"]
        ] == []
        # Cancelling it frees nothing (it holds no slot) and is allowed.
        response = anonymous.post(
            f"{booked['@id']}/cancel", json={"token": booked["token"]}
        )
        assert response.status_code == 200, response.text

    def test_counter_deletion_unschedules(self, site, anonymous, manager):  # noqa: F811
        day = next_weekday(1)
        first, second = site["counters"]
        booked = book(anonymous, site, at(day, "09:00"), counter=first["UID"]).json()
        response = manager.delete(first["@id"])
        assert response.status_code == 204, response.text
        # The booking lives on: unscheduled, on the other counter of its type,
        # under the same code and private link.
        response = anonymous.get(booked["@id"], params={"token": booked["token"]})
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "unscheduled"
        assert response.json()["counter"] == second["UID"]
        items = manager.get(
            f"{site['folder']['@id']}/@bookings", params={"state": "unscheduled"}
        ).json()["items"]
        assert [item["code"] for item in items] == [booked["code"]]
        # Its old time is not taken on the counter that took it over.
        assert (booked["start"], second["UID"]) in free_starts(anonymous, site, day)
        # The last counter of the type cannot go while it holds bookings: a
        # message, nothing changed.
        response = manager.delete(second["@id"])
        assert response.status_code == 400, response.text
        assert "no other counter" in response.json()["message"]
        assert manager.get(second["@id"]).status_code == 200
        response = manager.get(booked["@id"])
        assert response.json()["state"] == "unscheduled"


class TestRace:
    """X2: many simultaneous requests for one counter slot, one winner."""

    @pytest.fixture
    def conflicts(self):
        """Requests the publisher retried after a ConflictError, in this process."""
        from zope.component import getGlobalSiteManager
        from zope.component import provideHandler
        from ZPublisher.interfaces import IPubFailure

        seen = []

        def handler(event):
            seen.append((event.exc_info[0].__name__, event.retry))

        provideHandler(handler, (IPubFailure,))
        yield seen
        getGlobalSiteManager().unregisterHandler(handler, (IPubFailure,))

    def test_threads_one_winner(self, site, portal_url, conflicts):  # noqa: F811
        counter = site["counters"][0]["UID"]
        day = next_weekday(4)
        for round_, hhmm in enumerate(("09:00", "09:20", "09:40", "10:00", "10:20")):
            barrier = threading.Barrier(12)

            def attempt(n, hhmm=hhmm, barrier=barrier, round_=round_):
                with json_session() as session:
                    barrier.wait()
                    return book(
                        session,
                        site,
                        at(day, hhmm),
                        counter=counter,
                        beneficiary=f"Racer {round_}-{n}",
                    ).status_code

            with ThreadPoolExecutor(max_workers=12) as pool:
                statuses = list(pool.map(attempt, range(12)))
            assert statuses.count(201) == 1, statuses
            assert statuses.count(409) == 11, statuses
        from plone.app.testing import SITE_OWNER_NAME
        from plone.app.testing import SITE_OWNER_PASSWORD

        listing = requests.get(
            f"{site['folder']['@id']}/@bookings",
            headers={"Accept": "application/json"},
            auth=(SITE_OWNER_NAME, SITE_OWNER_PASSWORD),
            timeout=30,
        ).json()
        assert listing["items_total"] == 5
        assert len({item["start"] for item in listing["items"]}) == 5
        # The guard did its job through ZODB: concurrent writers of the same
        # day record got ConflictErrors and were retried (never given up).
        assert conflicts, "no concurrent commit happened: the race was not run"
        assert set(conflicts) == {("ConflictError", True)}
