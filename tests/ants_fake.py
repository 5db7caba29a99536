"""A fake of the ANTS anti-duplication API (issue 14), for the tests.

A small stateful HTTP server on 127.0.0.1 (a free port), in a thread, that
answers as the national hub does (facts in docs/ants.rst):

- ``GET /status?application_ids=A&application_ids=B&meeting_point_id=M``:
  ``{"A": {"status": "validated", "appointments": [...]}, ...}``; each
  appointment is ``{"meeting_point", "management_url", "appointment_date"}``;
- ``POST /appointments?application_id&management_url&meeting_point&``
  ``meeting_point_id&appointment_date``: stores it, ``{"success": true}``;
- ``DELETE /appointments?application_id&meeting_point&meeting_point_id&``
  ``appointment_date``: removes what matches, ``{"rowcount": n}``.

Every request needs the ``x-rdv-opt-auth-token`` header (else 401). Canned
numbers answer each status: ``CONSUMED01`` etc. (see ``CANNED``); any other
well-formed number is "validated". Switches: ``fail`` = 401, 422 or 500
answers every request with that status; ``delay`` (seconds) holds every
answer that long (a timeout for a client waiting less); ``hold_writes()``
blocks every ``POST`` and ``DELETE`` before it is served until
``release()`` (``held`` is set once one is blocked), to see what happens
while the hub has not answered yet.
"""

from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import json
import threading
import time


TOKEN = "ants-test-token"
CANNED = {
    "CONSUMED01": "consumed",
    "DECLARED01": "declared",
    "UNKNOWN001": "unknown",
    "EXPIRED001": "expired",
}


class FakeAnts:
    """The server's state and switches; ``url`` is its base URL."""

    def __init__(self):
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    def start(self) -> "FakeAnts":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        released = getattr(self, "released", None)
        if released is not None:
            released.set()  # no request stays blocked after a test
        with self.lock:
            self.hold = False
            self.held = threading.Event()
            self.released = threading.Event()
            self.appointments = []  # dicts of the POST parameters
            self.calls = []  # (method, path, {name: [values]}, headers)
            self.fail = None
            self.fail_writes = None
            self.lose_answers = False
            self.delay = 0.0
            self.token = TOKEN

    def add(self, application_id, meeting_point="Mairie de Lyon", **more) -> dict:
        """An appointment made elsewhere (by another editor)."""
        appointment = {
            "application_id": application_id,
            "meeting_point": meeting_point,
            "meeting_point_id": more.get("meeting_point_id", "elsewhere"),
            "management_url": more.get("management_url", "https://lyon.example/rdv"),
            "appointment_date": more.get("appointment_date", "2030-01-02 10:00:00"),
        }
        with self.lock:
            self.appointments.append(appointment)
        return appointment

    def of(self, application_id) -> list[dict]:
        with self.lock:
            return [
                item
                for item in self.appointments
                if item["application_id"] == application_id
            ]

    def hold_writes(self) -> None:
        """Block the POSTs and DELETEs until ``release()``."""
        with self.lock:
            self.hold = True

    def release(self) -> None:
        with self.lock:
            self.hold = False
            self.released.set()

    def writes(self) -> list[tuple[str, dict]]:
        """(method, parameters) of the POSTs and DELETEs received."""
        with self.lock:
            return [
                (method, {k: v[0] for k, v in params.items()})
                for method, path, params, _headers in self.calls
                if method in ("POST", "DELETE")
            ]

    # -- the API -------------------------------------------------------------

    def answer(self, method, path, params, headers) -> tuple[int, dict]:
        with self.lock:
            self.calls.append((method, path, params, dict(headers)))
            fail, delay = self.fail, self.delay
            if method in ("POST", "DELETE") and self.fail_writes:
                fail = self.fail_writes
            hold = self.hold and method in ("POST", "DELETE")
            held, released = self.held, self.released
        if hold:
            held.set()
            released.wait(60)
        if delay:
            time.sleep(delay)
        if fail:
            return fail, {"detail": f"fake failure {fail}"}
        if headers.get("x-rdv-opt-auth-token") != self.token:
            return 401, {"detail": "X-RDV-OPT-AUTH-TOKEN header invalid"}
        one = {name: values[0] for name, values in params.items()}
        status, body = self.serve(method, path, params, one)
        if self.lose_answers and method in ("POST", "DELETE"):
            return 500, {"detail": "fake lost answer"}
        return status, body

    def serve(self, method, path, params, one) -> tuple[int, dict]:
        if path == "/api/status" and method == "GET":
            ids = []
            for value in params.get("application_ids", ()):
                ids.extend(part for part in value.split(",") if part)
            if not ids:
                return 422, {"detail": "application_ids is required"}
            return 200, {number: self.status_of(number) for number in ids}
        if path == "/api/appointments" and method == "POST":
            needed = (
                "application_id",
                "management_url",
                "meeting_point",
                "meeting_point_id",
                "appointment_date",
            )
            if any(not one.get(name) for name in needed):
                return 422, {"detail": "missing parameter"}
            with self.lock:
                self.appointments.append({name: one[name] for name in needed})
            return 200, {"success": True}
        if path == "/api/appointments" and method == "DELETE":
            keys = ("application_id", "meeting_point_id", "appointment_date")
            if any(not one.get(name) for name in keys):
                return 422, {"detail": "missing parameter"}
            with self.lock:
                kept = [
                    item
                    for item in self.appointments
                    if any(item[name] != one[name] for name in keys)
                ]
                count = len(self.appointments) - len(kept)
                self.appointments = kept
            return 200, {"rowcount": count}
        return 404, {"detail": "Not Found"}

    def status_of(self, number: str) -> dict:
        canned = CANNED.get(number)
        appointments = [
            {
                "meeting_point": item["meeting_point"],
                "management_url": item["management_url"],
                "appointment_date": item["appointment_date"],
            }
            for item in self.of(number)
        ]
        return {"status": canned or "validated", "appointments": appointments}


def _handler(fake: FakeAnts):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            parts = urlsplit(self.path)
            params = parse_qs(parts.query, keep_blank_values=True)
            headers = {key.lower(): value for key, value in self.headers.items()}
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, body = fake.answer(self.command, parts.path, params, headers)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a timeout)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args):
            pass

    return Handler
