"""The client of the ANTS anti-duplication API (issue 14).

Three calls, every parameter in the query string and the editor's token in
the ``x-rdv-opt-auth-token`` header (as the hub expects; see
docs/ants.rst for where this was verified):

- ``status(ids, meeting_point_id)``: ``GET /status``, at most
  ``STATUS_TIMEOUT`` seconds (a citizen is waiting);
- ``declare(...)``: ``POST /appointments``;
- ``withdraw(...)``: ``DELETE /appointments``, the number of appointments
  the hub removed (its ``rowcount``).

Errors: ``AntsUnavailable`` (network error, timeout, 5xx, an answer that is
not the expected JSON) may pass by trying later; ``AntsRefused`` (401, 4xx)
will not until the settings or the data change. Both are ``AntsError``.
"""

from collective.rendezvous import logger

import json
import urllib.error
import urllib.parse
import urllib.request


STATUS_TIMEOUT = 4.0
WRITE_TIMEOUT = 4.0

URLS = {
    "production": "https://api-coordination.rendezvouspasseport.ants.gouv.fr/api",
    "integration": "https://int.api-coordination.rendezvouspasseport.ants.gouv.fr/api",
}


class AntsError(Exception):
    """A call to the ANTS API failed; ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class AntsUnavailable(AntsError):
    """The hub did not answer (in time) or failed: try again later."""


class AntsRefused(AntsError):
    """The hub refused the request (bad token, bad parameters)."""


def _record(name: str, default=None):
    from plone import api

    try:
        value = api.portal.get_registry_record(
            f"collective.rendezvous.{name}", default=default
        )
    except Exception:  # no site, or a record of another type
        return default
    return default if value is None else value


def api_url() -> str:
    """The hub's base URL for the configured environment."""
    try:
        from collective.rendezvous.ants.settings import api_url as configured
    except ImportError:  # before the settings of issue 14 part 1 are merged
        configured = None
    if configured is not None:
        return configured()
    environment = _record("ants_environment", "integration")
    if environment == "custom":
        return (_record("ants_custom_url", "") or "").rstrip("/")
    return URLS.get(environment, URLS["integration"])


def token() -> str:
    return _record("ants_token", "") or ""


def _call(method, path, params, timeout, url=None, auth=None):
    base = (url if url is not None else api_url()).rstrip("/")
    if not base:
        raise AntsRefused("no ANTS API address is configured")
    auth = auth if auth is not None else token()
    if not auth:
        raise AntsRefused("no ANTS token is configured")
    query = urllib.parse.urlencode(params, doseq=True)
    request = urllib.request.Request(
        f"{base}{path}?{query}",
        method=method,
        headers={
            "Accept": "application/json",
            "x-rdv-opt-auth-token": auth,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        status = error.code
        detail = error.read()[:200].decode("utf-8", "replace")
        kind = AntsUnavailable if status >= 500 or status == 429 else AntsRefused
        raise kind(f"ANTS {method} {path}: HTTP {status} {detail}", status) from None
    except TimeoutError as error:
        raise AntsUnavailable(f"ANTS {method} {path}: timeout ({error})") from None
    except (urllib.error.URLError, OSError) as error:
        raise AntsUnavailable(f"ANTS {method} {path}: {error}") from None
    try:
        return json.loads(body or b"{}")
    except ValueError:
        raise AntsUnavailable(f"ANTS {method} {path}: the answer is not JSON") from None


def status(application_ids, meeting_point_id: str = "", url=None, auth=None) -> dict:
    """number -> {"status": ..., "appointments": [...]} for each number."""
    params = [("application_ids", number) for number in application_ids]
    if meeting_point_id:
        params.append(("meeting_point_id", meeting_point_id))
    answer = _call("GET", "/status", params, STATUS_TIMEOUT, url, auth)
    if not isinstance(answer, dict):
        raise AntsUnavailable("ANTS GET /status: unexpected answer")
    result = {}
    for number in application_ids:
        item = answer.get(number)
        if not isinstance(item, dict) or not isinstance(item.get("status"), str):
            # A number the hub does not mention: it knows nothing of it.
            item = {"status": "unknown", "appointments": []}
        appointments = item.get("appointments")
        result[number] = {
            "status": item["status"],
            "appointments": [
                entry for entry in appointments or () if isinstance(entry, dict)
            ],
        }
    logger.info("ANTS status of %d number(s)", len(result))
    return result


def declare(
    application_id,
    management_url,
    meeting_point,
    meeting_point_id,
    appointment_date,
    url=None,
    auth=None,
) -> dict:
    """Declare an appointment to the hub."""
    params = {
        "application_id": application_id,
        "management_url": management_url,
        "meeting_point": meeting_point,
        "meeting_point_id": meeting_point_id,
        "appointment_date": appointment_date,
    }
    return _call("POST", "/appointments", params, WRITE_TIMEOUT, url, auth)


def withdraw(
    application_id,
    meeting_point,
    meeting_point_id,
    appointment_date,
    url=None,
    auth=None,
) -> int:
    """Delete a declared appointment; how many the hub removed."""
    params = {
        "application_id": application_id,
        "meeting_point": meeting_point,
        "meeting_point_id": meeting_point_id,
        "appointment_date": appointment_date,
    }
    answer = _call("DELETE", "/appointments", params, WRITE_TIMEOUT, url, auth)
    count = answer.get("rowcount") if isinstance(answer, dict) else None
    return count if isinstance(count, int) else 0
