"""Notification settings over REST (issue 7): the matrix, texts, overrides.

Bad texts are refused when saved (400, nothing stored); an appointment
type's overrides win over the global texts for its bookings.
"""

from test_bookings_api import at
from test_bookings_api import book
from test_notifications_mail import notifying  # noqa: F401 - fixture
from test_notifications_mail import sms_server  # noqa: F401 - fixture
from test_notifications_mail import smtp_server  # noqa: F401 - fixture
from test_notifications_mail import text_of
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import ast
import pytest
import time
import transaction


NEW_FIELDS = {
    "notification_matrix",
    "reminder_hours",
    "quiet_hours",
    "sms_gateway",
    "sms_gateway_url",
    "sms_gateway_token",
    "sms_sender",
    "public_url",
}


@pytest.fixture
def panel(functional_portal):
    return f"{functional_portal.absolute_url()}/@controlpanels/rendezvous"


def data_of(manager, panel):
    response = manager.get(panel)
    assert response.status_code == 200, response.text
    return response.json()


def test_get_has_the_notification_settings(manager, panel):
    body = data_of(manager, panel)
    data = body["data"]
    # The token is write-only: in the schema, never in the data.
    assert set(data) >= NEW_FIELDS - {"sms_gateway_token"}
    assert "sms_gateway_token" not in data
    assert set(body["schema"]["properties"]) >= NEW_FIELDS
    assert [row["event"] for row in data["notification_matrix"]] == [
        "created",
        "reminder",
        "moved",
        "absent",
        "unscheduled",
        "cancelled_citizen",
        "cancelled_agent",
    ]
    created = data["notification_matrix"][0]
    assert created["mail"] is True and created["sms"] is True
    # The defaults were written in the site's language when installed
    # (the test site is in English).
    assert created["subject"] == "Your appointment on {1} is booked"
    assert "{link}" in created["mail_body"]
    assert data["reminder_hours"] == 6
    assert data["quiet_hours"] == "21h00-08h00"
    gateway = data["sms_gateway"]
    assert (gateway["token"] if isinstance(gateway, dict) else gateway) == "log"
    columns = body["schema"]["properties"]["notification_matrix"]["items"]
    assert set(columns["properties"]) == {
        "event",
        "mail",
        "sms",
        "subject",
        "mail_body",
        "sms_body",
    }


def test_patch_and_read_back(manager, panel):
    data = data_of(manager, panel)["data"]
    rows = data["notification_matrix"]
    rows[1]["sms"] = False
    rows[1]["sms_body"] = "Rappel {1} ({code}), {{sic}}"
    response = manager.patch(
        panel,
        json={
            "notification_matrix": rows,
            "reminder_hours": 24,
            "quiet_hours": "22h00-07h30",
            "sms_gateway": "http",
            "sms_gateway_url": "https://sms.example.org/send",
            "sms_gateway_token": "abc",
            "sms_sender": "MAIRIE",
            "public_url": "https://www.ville.example.org",
        },
    )
    assert response.status_code == 204, response.text
    after = data_of(manager, panel)["data"]
    assert after["notification_matrix"] == rows
    assert after["reminder_hours"] == 24
    assert after["quiet_hours"] == "22h00-07h30"
    assert after["sms_gateway_url"] == "https://sms.example.org/send"
    # What GET gives, PATCH takes back.
    response = manager.patch(panel, json=after)
    assert response.status_code == 204, response.text
    assert data_of(manager, panel)["data"] == after


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        ("mail_body", "Bonjour {9}", '"{9}"'),
        ("subject", "RDV {code", "brace"),
        ("sms_body", "RDV } {1}", "brace"),
        ("mail_body", "{0.__class__}", "{0.__class__}"),
        ("subject", "{beneficiary}", "{beneficiary}"),
        ("sms_body", "{1:%d}", "{1:%d}"),
    ],
)
def test_bad_text_refused(manager, panel, column, text, expected):
    before = data_of(manager, panel)["data"]
    rows = [dict(row) for row in before["notification_matrix"]]
    rows[2][column] = text
    response = manager.patch(panel, json={"notification_matrix": rows})
    assert response.status_code == 400, response.text
    errors = ast.literal_eval(response.json()["message"])
    [error] = [e for e in errors if e["field"] == "notification_matrix"]
    assert expected in error["message"]
    assert "3" in error["message"]  # the row is named
    assert data_of(manager, panel)["data"] == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quiet_hours": "21h-8h"}, "quiet_hours"),
        ({"quiet_hours": "25h00-08h00"}, "quiet_hours"),
        ({"reminder_hours": 0}, "reminder_hours"),
        ({"sms_gateway": "carrier-pigeon"}, "sms_gateway"),
        ({"sms_gateway_url": "ftp://sms"}, "sms_gateway_url"),
        ({"public_url": "www.ville.fr"}, "public_url"),
        (
            {"notification_matrix": [{"event": "birthday", "mail": True}]},
            "notification_matrix",
        ),
        (
            {
                "notification_matrix": [
                    {"event": "created", "mail": True},
                    {"event": "created", "sms": True},
                ]
            },
            "notification_matrix",
        ),
    ],
)
def test_bad_settings_refused(manager, panel, payload, field):
    before = data_of(manager, panel)["data"]
    response = manager.patch(panel, json=payload)
    assert response.status_code == 400, response.text
    errors = ast.literal_eval(response.json()["message"])
    assert field in [error["field"] for error in errors]
    assert data_of(manager, panel)["data"] == before


def test_refusal_in_french(manager, panel):
    from plone import api

    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    transaction.commit()
    rows = data_of(manager, panel)["data"]["notification_matrix"]
    rows[0]["subject"] = "{8}"
    response = manager.patch(
        panel,
        json={"notification_matrix": rows},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "Champ de fusion inconnu « {8} »" in str(response.json()["message"])


class TestOverrides:
    def test_bad_override_refused(self, site, manager):  # noqa: F811
        url = site["type"]["@id"]
        for rows, expected in [
            ([{"event": "created", "channel": "mail", "body": "{7} {10}"}], "{10}"),
            ([{"event": "created", "channel": "fax"}], "fax"),
            ([{"event": "party", "channel": "mail"}], "party"),
            ([{"event": "moved", "channel": "sms", "body": "{"}], "brace"),
            (
                [
                    {"event": "moved", "channel": "sms"},
                    {"event": "moved", "channel": "sms", "send": False},
                ],
                "already",
            ),
        ]:
            response = manager.patch(url, json={"notification_overrides": rows})
            assert response.status_code == 400, response.text
            assert expected in response.text
        assert manager.get(url).json()["notification_overrides"] == []

    def test_overrides_win(self, site, manager, anonymous, notifying):  # noqa: F811
        rows = [
            {
                "event": "created",
                "channel": "mail",
                "send": True,
                "subject": "Passeport : {code}",
                "body": "Apportez votre ancien passeport, {0}. {1} ({6}).",
            },
            {"event": "created", "channel": "sms", "send": False},
        ]
        response = manager.patch(
            site["type"]["@id"], json={"notification_overrides": rows}
        )
        assert response.status_code == 204, response.text
        stored = manager.get(site["type"]["@id"]).json()["notification_overrides"]
        assert [(row["event"], row["channel"], row["send"]) for row in stored] == [
            ("created", "mail", True),
            ("created", "sms", False),
        ]
        day = next_weekday(1)
        booking = book(anonymous, site, at(day, "10:20")).json()
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]) == f"Passeport : {booking['code']}"
        text = text_of(message)
        assert text.startswith("Apportez votre ancien passeport, Jeanne Martin.")
        assert "(20 minutes)" in text
        time.sleep(0.3)
        assert notifying["sms"].calls == []
        # Other events keep the global texts.
        notifying["mailbox"].clear()
        response = anonymous.post(
            f"{booking['@id']}/cancel", json={"token": booking["token"]}
        )
        assert response.status_code == 200, response.text
        [(_f, _t, message)] = notifying["mailbox"].received(1)
        assert str(message["Subject"]).startswith("Annulation de votre rendez-vous")

    def test_override_sends_what_the_matrix_does_not(
        self,
        site,  # noqa: F811
        manager,
        notifying,  # noqa: F811
        clock,
    ):
        # "attended" is no event; "absent" goes by mail only out of the box.
        rows = [
            {
                "event": "absent",
                "channel": "sms",
                "send": True,
                "body": "Absent le {1}. Code {code}.",
            }
        ]
        response = manager.patch(
            site["type"]["@id"], json={"notification_overrides": rows}
        )
        assert response.status_code == 204, response.text
        day = next_weekday(2)
        booking = book(manager, site, at(day, "11:00")).json()
        notifying["mailbox"].received(1)
        notifying["sms"].received(1)
        notifying["mailbox"].clear()
        notifying["sms"].clear()
        clock.after(booking["start"])
        assert manager.post(f"{booking['@id']}/absent", json={}).status_code == 200
        [call] = notifying["sms"].received(1)
        assert call["json"]["text"].startswith("Absent le ")
        assert call["json"]["text"].endswith(f"Code {booking['code']}.")
        assert len(notifying["mailbox"].received(1)) == 1
