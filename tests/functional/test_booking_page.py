"""The citizens' page of an appointment service, over HTTP, without JavaScript."""

from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import requests


def test_steps(site, portal_url, manager):  # noqa: F811
    folder = site["folder"]["@id"]
    page = requests.get(folder, timeout=30)
    assert page.status_code == 200
    assert "Pièces d&#x27;identité" in page.text or "Pièces d'identité" in page.text
    manager.patch(site["type"]["@id"], json={"options": ["CNI", "Passeport"]})
    type_uid = site["type"]["UID"]
    page = requests.get(folder, params={"appointment_type": type_uid}, timeout=30)
    assert "Passeport" in page.text
    # No calendar before an option is chosen.
    assert "rendezvous-calendar" not in page.text
    monday = next_weekday(0)
    params = {
        "appointment_type": type_uid,
        "option": "Passeport",
        "month": monday.strftime("%Y-%m"),
        "day": monday.isoformat(),
    }
    page = requests.get(folder, params=params, timeout=30)
    assert page.status_code == 200
    assert "rendezvous-calendar" in page.text
    assert "Mairie" in page.text
    assert "Europe/Paris" in page.text
    # 2 counters x 9 slots on the chosen Monday, listed by time.
    assert page.text.count('class="btn btn-outline-secondary"') == 18
    assert ">09:00<" in page.text and ">11:40<" in page.text


def test_garbage_parameters_fall_back(site):  # noqa: F811
    page = requests.get(
        site["folder"]["@id"],
        params={"appointment_type": "x" * 500, "month": "13-99", "day": "<script>"},
        timeout=30,
    )
    assert page.status_code == 200
    assert (
        "<script>"
        not in page.text.split("<body", 1)[1].split("rendezvous-booking")[1][:2000]
    )
