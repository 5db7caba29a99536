"""Edits of a booking (issue 12, point 11).

A PATCH of the booking object and its @@edit form go through the booking
service's checks: a bad e-mail or phone is refused (400) and nothing
changes; a good edit is recorded in the booking's history (who, which
fields), without the personal values themselves.
"""

from helpers import form_fields
from helpers import page_session
from test_security_matrix import EMAIL
from test_security_matrix import NAME
from test_security_matrix import world  # noqa: F401 - fixture
from test_slots_api import site  # noqa: F401 - fixture

import ast
import pytest


def urls(world):  # noqa: F811
    mine = world["mine"]
    [counter] = [
        c["@id"] for c in world["site"]["counters"] if c["UID"] == mine["counter"]
    ]
    return (
        f"{counter}/{mine['code'].lower()}",
        f"{world['site']['folder']['@id']}/@bookings/{mine['code']}",
    )


def seen(world):  # noqa: F811
    """The booking as its agents' API gives it."""
    _obj, api_url = urls(world)
    response = world["sessions"]["manager"].get(api_url)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "not-a-phone"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "ok@example.org", "phone": "not-a-phone"}, "phone"),
        ({"beneficiary": ""}, "beneficiary"),
        ({"beneficiary": "A\x00B"}, "beneficiary"),
        ({"phone": 612345678}, "phone"),
        ({"start": "2030-01-01T09:00:00+01:00"}, "start"),
        ({"code": "XXXX"}, "code"),
    ],
)
def test_bad_patch_refused_nothing_changed(world, body, field):  # noqa: F811
    before = seen(world)
    booking, _api = urls(world)
    response = world["sessions"]["agent_a"].patch(booking, json=body)
    assert response.status_code == 400, response.text
    [error] = ast.literal_eval(response.json()["message"])
    assert error["field"] == field
    assert seen(world) == before
    assert before["email"] == EMAIL


def test_good_edit_recorded_without_the_values(world):  # noqa: F811
    booking, _api = urls(world)
    before = seen(world)
    response = world["sessions"]["agent_a"].patch(
        booking, json={"phone": "06 98 76 54 32", "email": "new@example.org"}
    )
    assert response.status_code == 204, response.text
    after = seen(world)
    # Stored as the booking service stores it (E.164).
    assert after["phone"] == "+33698765432"
    assert after["email"] == "new@example.org"
    assert after["beneficiary"] == NAME
    assert len(after["history"]) == len(before["history"]) + 1
    entry = after["history"][-1]
    assert entry["event"] == "edited"
    assert entry["by"] == "agent_a"
    assert entry["fields"] == ["email", "phone"]
    # Who, what field, when: no personal value, old or new.
    assert set(entry) == {"event", "at", "by", "fields"}
    history = repr(after["history"])
    for value in (EMAIL, "new@example.org", "+33698765432", "06 98 76 54 32"):
        assert value not in history
    # The same values again: nothing changed, nothing recorded.
    response = world["sessions"]["agent_a"].patch(
        booking, json={"phone": "+33698765432"}
    )
    assert response.status_code == 204, response.text
    assert seen(world)["history"] == after["history"]


def test_agent_of_another_service_cannot_edit(world):  # noqa: F811
    booking, _api = urls(world)
    before = seen(world)
    response = world["sessions"]["agent_b"].patch(booking, json={"phone": ""})
    assert response.status_code in (401, 403, 404)
    assert seen(world) == before


def test_edit_form_uses_the_same_checks(world):  # noqa: F811
    booking, _api = urls(world)
    before = seen(world)
    form = f"{booking}/@@edit"
    with page_session("agent_a", "secret-password") as browser:
        page = browser.get(form)
        assert page.status_code == 200, page.text[:500]
        fields = [
            (name, "not-a-phone" if name == "form.widgets.phone" else value)
            for name, value in form_fields(page.text, "@@edit")
        ]
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form, data=fields, allow_redirects=False)
        assert response.status_code == 200
        assert "This is not a valid phone number." in response.text
        assert seen(world) == before
        fields = [
            (name, "0698765432" if name == "form.widgets.phone" else value)
            for name, value in fields
        ]
        response = browser.post(form, data=fields, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
    after = seen(world)
    assert after["phone"] == "+33698765432"
    assert after["email"] == EMAIL
    assert after["history"][-1]["event"] == "edited"
    assert after["history"][-1]["by"] == "agent_a"
    assert after["history"][-1]["fields"] == ["phone"]
