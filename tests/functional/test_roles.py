"""What the add-on's roles may do over REST (R4, R14)."""

from helpers import json_session
from plone import api

import pytest
import transaction


@pytest.fixture
def rdv_manager(functional_portal):
    api.user.create(
        email="chef@example.org",
        username="chef",
        password="secret-password",
    )
    api.user.grant_roles(username="chef", roles=["RendezvousManager"])
    transaction.commit()
    with json_session("chef", "secret-password") as session:
        yield session


def test_rendezvous_manager_settings_and_types(rdv_manager, manager, portal_url):
    url = f"{portal_url}/@controlpanels/rendezvous"
    assert rdv_manager.get(url).status_code == 200
    response = rdv_manager.patch(url, json={"open_weekdays": ["monday"]})
    assert response.status_code == 204, response.text
    assert rdv_manager.get(url).json()["data"]["open_weekdays"] == [
        {"title": "Monday", "token": "monday"}
    ]
    # The webmaster adds the service; its managers configure it (R4).
    response = manager.post(
        portal_url, json={"@type": "RendezvousFolder", "title": "Rendez-vous"}
    )
    folder = response.json()["@id"]
    for body in (
        {"@type": "Place", "title": "Mairie", "address": "1 rue"},
        {"@type": "ReferenceWeek", "title": "Semaine", "monday": ["09h00-12h00"]},
        {
            "@type": "AppointmentType",
            "title": "CNI",
            "detail": "d",
            "duration": 20,
            "horizon": "2m",
        },
    ):
        response = rdv_manager.post(folder, json=body)
        assert response.status_code == 201, response.text
    place = rdv_manager.get(f"{folder}/mairie").json()
    response = rdv_manager.post(
        place["@id"],
        json={
            "@type": "Counter",
            "title": "Guichet",
            "appointment_type": rdv_manager.get(f"{folder}/cni").json()["UID"],
        },
    )
    assert response.status_code == 201, response.text
    assert rdv_manager.delete(response.json()["@id"]).status_code == 204


def test_agent_role_alone_cannot_configure(functional_portal, portal_url):
    api.user.create(
        email="agent@example.org",
        username="agent",
        password="secret-password",
    )
    transaction.commit()
    with json_session("agent", "secret-password") as agent:
        response = agent.get(f"{portal_url}/@controlpanels/rendezvous")
        assert response.status_code in (401, 403)
        response = agent.post(
            portal_url, json={"@type": "RendezvousFolder", "title": "Nope"}
        )
        assert response.status_code in (401, 403)
