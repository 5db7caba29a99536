"""@slots and @@rendezvous-tick on a site configured over REST (issue 4).

Dates are computed from today so that the tests keep meaning the same thing
whenever they run; the engine's own tests pin exact calendar dates.
"""

from dateutil.easter import easter
from helpers import next_weekday  # noqa: F401 - imported from here by many tests
from helpers import today

import datetime
import pytest


TZ_OFFSETS = {"+01:00", "+02:00"}
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def next_easter_monday() -> datetime.date:
    for year in range(today().year, today().year + 3):
        day = easter(year) + datetime.timedelta(days=1)
        if day > today() + datetime.timedelta(days=2):
            return day
    raise AssertionError("no Easter Monday ahead")


def last_sunday(year: int, month: int) -> datetime.date:
    day = datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() - 6) % 7)


@pytest.fixture
def site(portal_url, manager):
    """A folder, a week, a 20-minute type (horizon 24m), a place, two counters."""
    folder = manager.post(
        portal_url, json={"@type": "RendezvousFolder", "title": "Rendez-vous"}
    ).json()
    every_day = ["09h00-12h00"]
    week = manager.post(
        folder["@id"],
        json={
            "@type": "ReferenceWeek",
            "title": "Semaine",
            **dict.fromkeys(WORKDAYS, every_day),
            "sunday": ["01h00-04h00"],
        },
    ).json()
    kind = manager.post(
        folder["@id"],
        json={
            "@type": "AppointmentType",
            "title": "Pièces d'identité",
            "detail": "CNI",
            "duration": 20,
            "horizon": "24m",
            "portal_visible": True,
        },
    ).json()
    place = manager.post(
        folder["@id"],
        json={"@type": "Place", "title": "Mairie", "address": "1 rue de la Paix"},
    ).json()
    schedule = [
        {
            "week": week["UID"],
            "start": today().isoformat(),
            "end": (today() + datetime.timedelta(days=700)).isoformat(),
        }
    ]
    counters = [
        manager.post(
            place["@id"],
            json={
                "@type": "Counter",
                "title": f"Guichet {n}",
                "appointment_type": kind["UID"],
                "schedule": schedule,
            },
        ).json()
        for n in (1, 2)
    ]
    return {
        "folder": folder,
        "week": week,
        "type": kind,
        "place": place,
        "counters": counters,
        "slots": f"{folder['@id']}/@slots",
    }


def slots(session, site, day, counter=None, **params):
    query = {
        "type": site["type"]["UID"],
        "start": day.isoformat(),
        "end": day.isoformat(),
    }
    if counter is not None:
        query["counter"] = site["counters"][counter]["UID"]
    query.update(params)
    response = session.get(site["slots"], params=query)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_nine_slots_per_counter(site, anonymous):
    monday = next_weekday(0)
    items = slots(anonymous, site, monday, counter=0)
    assert len(items) == 9
    assert items[0]["start"].startswith(f"{monday.isoformat()}T09:00:00")
    assert items[-1]["start"].startswith(f"{monday.isoformat()}T11:40:00")
    assert items[-1]["end"].startswith(f"{monday.isoformat()}T12:00:00")
    assert items[0]["start"][-6:] in TZ_OFFSETS
    assert items[0]["counter"] == site["counters"][0]["UID"]
    assert items[0]["place"] == site["place"]["UID"]
    both = slots(anonymous, site, monday)
    assert len(both) == 18
    # Sorted by start then counter.
    assert [(i["start"], i["counter"]) for i in both] == sorted(
        (i["start"], i["counter"]) for i in both
    )


def test_weekend_closed_by_default(site, anonymous):
    assert slots(anonymous, site, next_weekday(5)) == []
    assert slots(anonymous, site, next_weekday(6)) == []


def test_easter_monday_closed_then_kept_open(site, anonymous, manager, portal_url):
    day = next_easter_monday()
    assert slots(anonymous, site, day, counter=0) == []
    response = manager.patch(
        f"{portal_url}/@controlpanels/rendezvous",
        json={"holidays_open": ["easter_monday"]},
    )
    assert response.status_code == 204, response.text
    assert len(slots(anonymous, site, day, counter=0)) == 9


def test_schedule_edit_visible_at_once(site, anonymous, manager):
    monday = next_weekday(0)
    response = manager.patch(site["week"]["@id"], json={"monday": ["14h00-15h00"]})
    assert response.status_code == 204, response.text
    items = slots(anonymous, site, monday, counter=0)
    assert [i["start"][11:16] for i in items] == ["14:00", "14:20", "14:40"]


def test_duration_edit_visible_at_once(site, anonymous, manager):
    monday = next_weekday(0)
    manager.patch(site["type"]["@id"], json={"duration": 60})
    assert len(slots(anonymous, site, monday, counter=0)) == 3


def test_closure_on_one_counter_only(site, anonymous, manager):
    monday = next_weekday(0)
    counter = site["counters"][0]
    response = manager.patch(
        counter["@id"],
        json={
            "closures": [
                {
                    "start": monday.isoformat(),
                    "end": monday.isoformat(),
                    "label": "Congé",
                }
            ]
        },
    )
    assert response.status_code == 204, response.text
    assert slots(anonymous, site, monday, counter=0) == []
    assert len(slots(anonymous, site, monday, counter=1)) == 9


def test_place_and_global_closures(site, anonymous, manager, portal_url):
    tuesday, wednesday = next_weekday(1), next_weekday(2)
    manager.patch(
        site["place"]["@id"],
        json={
            "closures": [
                {
                    "start": tuesday.isoformat(),
                    "end": tuesday.isoformat(),
                    "label": "Travaux",
                }
            ]
        },
    )
    assert slots(anonymous, site, tuesday) == []
    manager.patch(
        f"{portal_url}/@controlpanels/rendezvous",
        json={
            "closures": [
                {
                    "start": wednesday.isoformat(),
                    "end": wednesday.isoformat(),
                    "label": "Pont",
                }
            ]
        },
    )
    assert slots(anonymous, site, wednesday) == []


def test_daylight_saving_days(site, anonymous, manager, portal_url):
    """01h00-04h00 on Sunday: 4 real-time slots in March... wait, 20 minutes."""
    manager.patch(
        f"{portal_url}/@controlpanels/rendezvous",
        json={
            "open_weekdays": [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "sunday",
            ]
        },
    )
    spring = last_sunday(today().year + 1, 3)
    autumn = last_sunday(today().year + 1, 10)
    if autumn > today() + datetime.timedelta(days=700):
        autumn = last_sunday(today().year, 10)
    spring_items = slots(anonymous, site, spring, counter=0)
    # 01:00 to 04:00 wall clock is two real hours on the spring-forward day.
    assert len(spring_items) == 6
    assert spring_items[0]["start"].endswith("T01:00:00+01:00")
    assert spring_items[-1]["start"].endswith("T03:40:00+02:00")
    if autumn > today():
        autumn_items = slots(anonymous, site, autumn, counter=0)
        # ... and four real hours on the fall-back day.
        assert len(autumn_items) == 12
        assert {i["start"][-6:] for i in autumn_items} == TZ_OFFSETS


def test_notice_for_citizens_not_for_agents(site, anonymous, manager):
    manager.patch(site["type"]["@id"], json={"min_notice": "30d"})
    soon = next_weekday(0, after_days=1)
    later = next_weekday(0, after_days=40)
    assert slots(anonymous, site, soon, counter=0) == []
    assert len(slots(manager, site, soon, counter=0)) == 9
    assert len(slots(anonymous, site, later, counter=0)) == 9


def test_hidden_type_and_place(site, anonymous, manager):
    monday = next_weekday(0)
    manager.patch(site["place"]["@id"], json={"portal_visible": False})
    assert slots(anonymous, site, monday) == []
    assert len(slots(manager, site, monday)) == 18
    manager.patch(site["type"]["@id"], json={"portal_visible": False})
    response = anonymous.get(site["slots"], params={"type": site["type"]["UID"]})
    assert response.status_code == 404


def test_by_day(site, anonymous):
    monday = next_weekday(0)
    sunday = monday + datetime.timedelta(days=6)
    response = anonymous.get(
        site["slots"],
        params={
            "type": site["type"]["UID"],
            "start": monday.isoformat(),
            "end": sunday.isoformat(),
            "by": "day",
        },
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["date"] for i in items] == [
        (monday + datetime.timedelta(days=n)).isoformat() for n in range(5)
    ]
    assert {i["free"] for i in items} == {18}


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 400, "type"),
        ({"type": "0" * 32}, 404, "type"),
        ({"start": "2027-13-01"}, 400, "start"),
        ({"start": "2027-01-01", "end": "2026-12-01"}, 400, "end"),
        ({"start": "2027-01-01", "end": "2027-04-30"}, 400, "end"),
        ({"place": "nope"}, 400, "place"),
        ({"counter": "nope"}, 400, "counter"),
        ({"by": "week"}, 400, "by"),
    ],
)
def test_bad_parameters(site, anonymous, params, status, field):
    query = (
        {"type": site["type"]["UID"], **params}
        if params.get("type") is None
        else params
    )
    if params == {}:
        query = {}
    response = anonymous.get(site["slots"], params=query)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert response.json()["message"]


def test_tick(site, manager, anonymous, portal_url):
    first = manager.get(f"{portal_url}/@@rendezvous-tick")
    assert first.status_code == 200, first.text
    assert first.json()["counters"] == 2
    second = manager.get(f"{portal_url}/@@rendezvous-tick").json()
    assert second["changed"] == 0
    assert second["days_added"] == second["days_removed"] == 0
    refused = anonymous.get(f"{portal_url}/@@rendezvous-tick", allow_redirects=False)
    assert refused.status_code in (302, 401, 403)
