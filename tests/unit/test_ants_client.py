"""The fake ANTS hub (tests/ants_fake.py) and the client against it (issue 14)."""

from ants_fake import TOKEN
from collective.rendezvous.ants import client

import pytest
import requests


def call(server, **kwargs):
    return {"url": server.url, "auth": TOKEN, **kwargs}


class TestFakeServer:
    def test_needs_the_token(self, ants_server):
        answer = requests.get(
            f"{ants_server.url}/status", params={"application_ids": "ABCDE12345"}
        )
        assert answer.status_code == 401

    def test_post_stores_status_reads_back_delete_counts(self, ants_server):
        headers = {"x-rdv-opt-auth-token": TOKEN}
        params = {
            "application_id": "ABCDE12345",
            "management_url": "https://x.example/m",
            "meeting_point": "Mairie",
            "meeting_point_id": "123",
            "appointment_date": "2030-01-02 10:00:00",
        }
        answer = requests.post(
            f"{ants_server.url}/appointments", params=params, headers=headers
        )
        assert answer.json() == {"success": True}
        status = requests.get(
            f"{ants_server.url}/status",
            params={"application_ids": "ABCDE12345"},
            headers=headers,
        ).json()
        assert status["ABCDE12345"]["status"] == "validated"
        assert status["ABCDE12345"]["appointments"][0]["meeting_point"] == "Mairie"
        del params["management_url"]
        gone = requests.delete(
            f"{ants_server.url}/appointments", params=params, headers=headers
        )
        assert gone.json() == {"rowcount": 1}
        again = requests.delete(
            f"{ants_server.url}/appointments", params=params, headers=headers
        )
        assert again.json() == {"rowcount": 0}


class TestClient:
    def test_status_of_each_canned_number(self, ants_server):
        ids = ["ABCDE12345", "CONSUMED01", "DECLARED01", "UNKNOWN001", "EXPIRED001"]
        result = client.status(ids, "123", **call(ants_server))
        assert [result[n]["status"] for n in ids] == [
            "validated",
            "consumed",
            "declared",
            "unknown",
            "expired",
        ]
        method, path, params, headers = ants_server.calls[-1]
        assert (method, path) == ("GET", "/api/status")
        assert params["application_ids"] == ids
        assert params["meeting_point_id"] == ["123"]
        assert headers["x-rdv-opt-auth-token"] == TOKEN

    def test_declare_then_withdraw(self, ants_server):
        client.declare(
            "ABCDE12345",
            "https://x.example/m",
            "Mairie",
            "123",
            "2030-01-02 10:00:00",
            **call(ants_server),
        )
        assert ants_server.of("ABCDE12345")[0]["meeting_point_id"] == "123"
        removed = client.withdraw(
            "ABCDE12345", "Mairie", "123", "2030-01-02 10:00:00", **call(ants_server)
        )
        assert removed == 1
        assert ants_server.of("ABCDE12345") == []

    def test_wrong_token_is_refused(self, ants_server):
        with pytest.raises(client.AntsRefused) as raised:
            client.status(["ABCDE12345"], url=ants_server.url, auth="wrong")
        assert raised.value.status == 401

    @pytest.mark.parametrize("code", [401, 422])
    def test_client_errors_are_refusals(self, ants_server, code):
        ants_server.fail = code
        with pytest.raises(client.AntsRefused) as raised:
            client.status(["ABCDE12345"], **call(ants_server))
        assert raised.value.status == code

    def test_server_error_is_unavailable(self, ants_server):
        ants_server.fail = 500
        with pytest.raises(client.AntsUnavailable) as raised:
            client.declare("A", "u", "m", "1", "d", **call(ants_server))
        assert raised.value.status == 500

    def test_timeout_is_unavailable(self, ants_server, monkeypatch):
        monkeypatch.setattr(client, "STATUS_TIMEOUT", 0.3)
        ants_server.delay = 1.0
        with pytest.raises(client.AntsUnavailable):
            client.status(["ABCDE12345"], **call(ants_server))

    def test_nobody_listening_is_unavailable(self):
        with pytest.raises(client.AntsUnavailable):
            client.status(["ABCDE12345"], url="http://127.0.0.1:9/api", auth="x")
