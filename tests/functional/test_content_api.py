"""REST CRUD of the configuration types with the contract's bodies (issue 3).

Every refused value answers 400 naming the field, and nothing is stored.
"""

from plone import api

import pytest
import transaction


WEEK = {
    "@type": "ReferenceWeek",
    "title": "Semaine standard",
    "monday": ["09h00-12h00", "14h00-17h00"],
    "tuesday": ["09h00-12h00"],
    "wednesday": [],
    "thursday": ["09h00-12h00"],
    "friday": ["09h00-12h00"],
    "saturday": [],
    "sunday": [],
}

TYPE = {
    "@type": "AppointmentType",
    "title": "Pièces d'identité",
    "detail": "CNI et passeport",
    "duration": 20,
    "horizon": "2m",
    "min_notice": "60m",
    "options": ["CNI", "Passeport"],
    "portal_visible": True,
}

PLACE = {
    "@type": "Place",
    "title": "Mairie centrale",
    "address": "1 place de la Mairie, 75001 Paris",
    "portal_visible": True,
}


@pytest.fixture
def folder_url(portal_url, manager):
    response = manager.post(
        portal_url, json={"@type": "RendezvousFolder", "title": "Rendez-vous"}
    )
    assert response.status_code == 201, response.text
    return response.json()["@id"]


@pytest.fixture
def config(folder_url, manager):
    """A week, a type and a place created over REST; returns their JSON."""
    created = {}
    for key, body in (("week", WEEK), ("type", TYPE)):
        response = manager.post(folder_url, json=body)
        assert response.status_code == 201, response.text
        created[key] = response.json()
    response = manager.post(folder_url, json=PLACE)
    assert response.status_code == 201, response.text
    created["place"] = response.json()
    return created


def count(manager, portal_url, portal_type) -> int:
    response = manager.get(f"{portal_url}/@search", params={"portal_type": portal_type})
    return response.json()["items_total"]


def counter_body(config, **changes):
    body = {
        "@type": "Counter",
        "title": "Guichet 1",
        "appointment_type": config["type"]["UID"],
        "schedule": [
            {"week": config["week"]["UID"], "start": "2026-12-01", "end": "2027-06-30"}
        ],
    }
    body.update(changes)
    return body


class TestCreate:
    def test_contract_bodies(self, config, manager):
        week, type_, place = config["week"], config["type"], config["place"]
        assert week["monday"] == ["09h00-12h00", "14h00-17h00"]
        assert week["wednesday"] == []
        assert type_["duration"] == 20
        assert type_["horizon"] == "2m"
        assert type_["min_notice"] == "60m"
        assert type_["options"] == ["CNI", "Passeport"]
        assert type_["portal_visible"] is True
        assert place["address"].startswith("1 place")

    def test_counter(self, config, manager):
        response = manager.post(config["place"]["@id"], json=counter_body(config))
        assert response.status_code == 201, response.text
        counter = response.json()
        assert counter["appointment_type"] == config["type"]["UID"]
        assert counter["schedule"] == [
            {"week": config["week"]["UID"], "start": "2026-12-01", "end": "2027-06-30"}
        ]
        # R13: the counter shows the options of its type, read-only.
        assert counter["options"] == ["CNI", "Passeport"]

    def test_patch_roundtrip(self, config, manager):
        url = config["type"]["@id"]
        response = manager.patch(url, json={"duration": 45, "options": []})
        assert response.status_code == 204, response.text
        body = manager.get(url).json()
        assert body["duration"] == 45
        assert body["options"] == []


BAD_WEEKS = [
    ("monday", ["9h-12h"]),
    ("monday", ["25h00-26h00"]),
    ("tuesday", ["10h00-09h00"]),
    ("friday", ["09h00-12h00", "11h00-13h00"]),
    ("sunday", ["nonsense"]),
]

BAD_TYPES = [
    ("horizon", "2x"),
    ("horizon", "0d"),
    ("horizon", "-1d"),
    ("horizon", "2"),
    ("min_notice", "2w"),
    ("min_notice", "0m"),
    ("min_notice", "1.5h"),
    ("duration", 0),
    ("duration", 1441),
    ("duration", -20),
    ("options", ["CNI", "CNI"]),
]


class TestRefused:
    @pytest.mark.parametrize(("field", "value"), BAD_WEEKS)
    def test_week(self, folder_url, manager, portal_url, field, value):
        before = count(manager, portal_url, "ReferenceWeek")
        response = manager.post(folder_url, json={**WEEK, field: value})
        assert response.status_code == 400, response.text
        assert field in response.text
        assert count(manager, portal_url, "ReferenceWeek") == before

    def test_week_message_is_readable(self, folder_url, manager):
        response = manager.post(folder_url, json={**WEEK, "tuesday": ["10h00-09h00"]})
        assert "the end is before the start" in response.text

    @pytest.mark.parametrize(("field", "value"), BAD_TYPES)
    def test_type(self, folder_url, manager, portal_url, field, value):
        before = count(manager, portal_url, "AppointmentType")
        response = manager.post(folder_url, json={**TYPE, field: value})
        assert response.status_code == 400, response.text
        assert field in response.text
        assert count(manager, portal_url, "AppointmentType") == before

    def test_patch_refused_keeps_value(self, config, manager):
        url = config["type"]["@id"]
        response = manager.patch(url, json={"horizon": "3x"})
        assert response.status_code == 400
        assert manager.get(url).json()["horizon"] == "2m"

    @pytest.mark.parametrize(
        "schedule",
        [
            # overlapping rows
            [
                {"start": "2026-12-01", "end": "2027-01-31"},
                {"start": "2027-01-15", "end": "2027-03-31"},
            ],
            # ends before it starts
            [{"start": "2027-02-01", "end": "2027-01-01"}],
            # a week that does not exist
            [{"week": "0" * 32, "start": "2026-12-01", "end": "2026-12-31"}],
            # no dates
            [{"start": None, "end": "2026-12-31"}],
        ],
    )
    def test_counter_schedule(self, config, manager, portal_url, schedule):
        rows = [{"week": config["week"]["UID"], **row} for row in schedule]
        before = count(manager, portal_url, "Counter")
        response = manager.post(
            config["place"]["@id"], json=counter_body(config, schedule=rows)
        )
        assert response.status_code == 400, response.text
        assert "schedule" in response.text
        assert count(manager, portal_url, "Counter") == before

    def test_counter_unknown_type(self, config, manager, portal_url):
        response = manager.post(
            config["place"]["@id"],
            json=counter_body(config, appointment_type="f" * 32),
        )
        assert response.status_code == 400, response.text
        assert "appointment_type" in response.text
        assert count(manager, portal_url, "Counter") == 0


class TestApply:
    def test_apply_twice_later_wins(self, config, manager, folder_url):
        response = manager.post(
            config["place"]["@id"], json=counter_body(config, schedule=[])
        )
        counter = response.json()
        summer = manager.post(
            folder_url, json={**WEEK, "title": "Semaine d'été", "monday": []}
        ).json()
        standard_uid, summer_uid = config["week"]["UID"], summer["UID"]
        apply_url = f"{config['week']['@id']}/@apply"
        response = manager.post(
            apply_url,
            json={
                "counter": counter["UID"],
                "start": "2027-01-01",
                "end": "2027-03-31",
            },
        )
        assert response.status_code == 200, response.text
        response = manager.post(
            f"{summer['@id']}/@apply",
            json={
                "counter": counter["UID"],
                "start": "2027-02-01",
                "end": "2027-02-28",
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["schedule"] == [
            {"week": standard_uid, "start": "2027-01-01", "end": "2027-01-31"},
            {"week": summer_uid, "start": "2027-02-01", "end": "2027-02-28"},
            {"week": standard_uid, "start": "2027-03-01", "end": "2027-03-31"},
        ]
        stored = manager.get(counter["@id"]).json()["schedule"]
        assert [(row["week"], row["start"]) for row in stored] == [
            (standard_uid, "2027-01-01"),
            (summer_uid, "2027-02-01"),
            (standard_uid, "2027-03-01"),
        ]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (
                {"counter": "nope", "start": "2027-01-01", "end": "2027-01-31"},
                "counter",
            ),
            ({"start": "2027-01-01", "end": "2027-01-31"}, "counter"),
            ({"counter": "OURS", "start": "01/01/2027", "end": "2027-01-31"}, "start"),
            ({"counter": "OURS", "start": "2027-02-01", "end": "2027-01-31"}, "end"),
        ],
    )
    def test_apply_refused(self, config, manager, body, field):
        counter = manager.post(config["place"]["@id"], json=counter_body(config)).json()
        if body.get("counter") == "OURS":
            body = {**body, "counter": counter["UID"]}
        response = manager.post(f"{config['week']['@id']}/@apply", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["field"] == field
        assert manager.get(counter["@id"]).json()["schedule"][0]["end"] == "2027-06-30"


class TestPermissions:
    @pytest.fixture
    def agents(self, functional_portal):
        """agent_a in service_a, agent_b in service_b (Plone groups)."""
        for service in ("service_a", "service_b"):
            api.group.create(groupname=service, title=service.replace("_", " "))
            user = service.replace("service", "agent")
            api.user.create(
                email=f"{user}@example.org", username=user, password="secret-password"
            )
            api.group.add_user(groupname=service, username=user)
        api.portal.set_registry_record(
            "collective.rendezvous.service_groups", ["service_a", "service_b"]
        )
        transaction.commit()

    def session(self, user):
        from helpers import json_session

        return json_session(user, "secret-password")

    def test_agents_edit_only_their_service_counters(self, agents, config, manager):
        response = manager.patch(
            config["type"]["@id"], json={"services": ["service_a"]}
        )
        assert response.status_code == 204, response.text
        counter = manager.post(config["place"]["@id"], json=counter_body(config)).json()
        with self.session("agent_b") as agent_b:
            response = agent_b.patch(counter["@id"], json={"title": "Hijacked"})
            assert response.status_code in (401, 403), response.text
        with self.session("agent_a") as agent_a:
            response = agent_a.patch(counter["@id"], json={"title": "Guichet A"})
            assert response.status_code == 204, response.text
            # ... but not the appointment type itself.
            response = agent_a.patch(config["type"]["@id"], json={"duration": 5})
            assert response.status_code in (401, 403)
        assert manager.get(counter["@id"]).json()["title"] == "Guichet A"
        # Moving the type's services moves the role.
        manager.patch(config["type"]["@id"], json={"services": ["service_b"]})
        with self.session("agent_a") as agent_a:
            response = agent_a.patch(counter["@id"], json={"title": "Again"})
            assert response.status_code in (401, 403)
        with self.session("agent_b") as agent_b:
            response = agent_b.patch(counter["@id"], json={"title": "Guichet B"})
            assert response.status_code == 204, response.text

    def test_anonymous_sees_only_portal_visible(self, config, manager, anonymous):
        assert anonymous.get(config["type"]["@id"]).status_code == 200
        assert anonymous.get(config["place"]["@id"]).status_code == 200
        manager.patch(config["type"]["@id"], json={"portal_visible": False})
        manager.patch(config["place"]["@id"], json={"portal_visible": False})
        assert anonymous.get(config["type"]["@id"]).status_code in (401, 403, 404)
        assert anonymous.get(config["place"]["@id"]).status_code in (401, 403, 404)
        # Reference weeks are never public.
        assert anonymous.get(config["week"]["@id"]).status_code in (401, 403, 404)
        manager.patch(config["type"]["@id"], json={"portal_visible": True})
        assert anonymous.get(config["type"]["@id"]).status_code == 200
