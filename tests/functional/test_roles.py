"""What the add-on's roles may do over REST (R4, R14)."""

from helpers import json_session
from helpers import page_session
from plone import api
from test_security_matrix import world  # noqa: F401 - fixture
from test_slots_api import site  # noqa: F401 - fixture

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


def test_agent_cannot_configure(world, manager, portal_url):  # noqa: F811
    """An agent, logged in and working (agent_a of service_a), configures nothing."""
    agent = world["sessions"]["agent_a"]
    folder = world["site"]["folder"]["@id"]
    # Logged in as an agent indeed: the service's bookings are theirs.
    response = agent.get(f"{folder}/@bookings")
    assert response.status_code == 200, response.text
    assert response.json()["items_total"] == 2
    panel = f"{portal_url}/@controlpanels/rendezvous"
    before = manager.get(panel).json()["data"]
    assert agent.get(panel).status_code in (401, 403)
    response = agent.patch(panel, json={"open_weekdays": ["sunday"]})
    assert response.status_code in (401, 403)
    with page_session("agent_a", "secret-password") as browser:
        response = browser.get(
            f"{portal_url}/@@rendezvous-controlpanel", allow_redirects=False
        )
        assert response.status_code in (302, 401, 403)
        assert "form.widgets.open_weekdays" not in response.text
    assert manager.get(panel).json()["data"] == before
    response = agent.post(
        portal_url, json={"@type": "RendezvousFolder", "title": "Nope"}
    )
    assert response.status_code in (401, 403)
    response = agent.patch(world["site"]["type"]["@id"], json={"duration": 5})
    assert response.status_code in (401, 403)
    assert manager.get(world["site"]["type"]["@id"]).json()["duration"] == 20
