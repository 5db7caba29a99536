"""``<site>/@ants/<name>``: the three GET requests of the ANTS hub.

The hub is anonymous and sends its token in ``X-HUB-RDV-AUTH-TOKEN``: the
service is public and checks the token itself (``settings.hub_allowed``,
401 when ANTS is off or the token is wrong). Errors are the hub's shape,
``{"error": {"code": 400, "message": "..."}}``, messages translated.
"""

from collective.rendezvous import _
from collective.rendezvous.ants import hub
from collective.rendezvous.ants.settings import hub_allowed
from collective.rendezvous.services.slots.get import encode
from plone.restapi.services import Service
from urllib.parse import parse_qsl
from zope.i18n import translate
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse

import datetime


TOKEN_HEADER = "X-HUB-RDV-AUTH-TOKEN"
MAX_DOCUMENTS = 10
MAX_DAYS = 366
MAX_APPLICATION_IDS = 50


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


@implementer(IPublishTraverse)
class AntsGet(Service):
    """``@ants/getManagedMeetingPoints``, ``@ants/availableTimeSlots``,
    ``@ants/searchApplicationIds``."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def render(self):
        self.check_permission()
        # Answers depend on the token and on the time: never cached.
        self.request.response.setHeader("Cache-Control", "no-store")
        self.request.response.setHeader("Content-Type", "application/json")
        try:
            content = self.answer()
        except Refused as error:
            self.request.response.setStatus(error.status)
            content = {
                "error": {
                    "code": error.status,
                    "message": translate(error.message, context=self.request),
                }
            }
        return encode(content)

    def answer(self):
        if not hub_allowed(self.request.getHeader(TOKEN_HEADER)):
            raise Refused(
                401,
                _("The X-HUB-RDV-AUTH-TOKEN header is missing or wrong."),
            )
        name = self.params[0] if len(self.params) == 1 else None
        if name == "getManagedMeetingPoints":
            return hub.meeting_points()
        if name == "availableTimeSlots":
            return self.available_time_slots()
        if name == "searchApplicationIds":
            return self.search_application_ids()
        raise Refused(404, _("Unknown ANTS request."))

    def query(self) -> dict[str, list[str]]:
        """Every value of every key: the hub repeats keys without brackets."""
        values = {}
        for key, value in parse_qsl(self.request.get("QUERY_STRING", "")):
            values.setdefault(key, []).append(value)
        return values

    def available_time_slots(self):
        query = self.query()
        ids = [value.strip() for value in query.get("meeting_point_ids", ())]
        ids = [value for value in ids if value]
        if not ids:
            raise Refused(400, _("The parameter meeting_point_ids is required."))
        first = self.date(query, "start_date")
        last = self.date(query, "end_date")
        if first > last:
            raise Refused(400, _("start_date is after end_date."))
        if (last - first).days + 1 > MAX_DAYS:
            raise Refused(
                400,
                _(
                    "Ask for at most ${days} days at a time.",
                    mapping={"days": MAX_DAYS},
                ),
            )
        reason = self.single(query, "reason") or "CNI"
        if reason not in hub.REASONS:
            raise Refused(
                400,
                _(
                    "Invalid reason: use CNI, PASSPORT or CNI-PASSPORT.",
                ),
            )
        documents = self.single(query, "documents_number") or "1"
        if not documents.isdigit() or not 1 <= int(documents) <= MAX_DOCUMENTS:
            raise Refused(
                400,
                _(
                    "documents_number must be a whole number from 1 to ${max}.",
                    mapping={"max": MAX_DOCUMENTS},
                ),
            )
        return hub.available_time_slots(ids, first, last, reason, int(documents))

    def search_application_ids(self):
        values = self.query().get("application_ids", [])
        try:
            numbers = hub.application_ids(values)
        except ValueError as error:
            raise Refused(
                400,
                _(
                    'Invalid application id "${value}": 10 letters and digits '
                    "are expected.",
                    mapping={"value": str(error)[:40]},
                ),
            ) from None
        if not numbers:
            raise Refused(400, _("The parameter application_ids is required."))
        if len(numbers) > MAX_APPLICATION_IDS:
            raise Refused(
                400,
                _(
                    "Ask for at most ${max} application ids at a time.",
                    mapping={"max": MAX_APPLICATION_IDS},
                ),
            )
        return hub.search_application_ids(numbers)

    @staticmethod
    def single(query, name) -> str:
        values = query.get(name) or [""]
        return values[-1].strip()

    def date(self, query, name) -> datetime.date:
        value = self.single(query, name)
        try:
            day = datetime.date.fromisoformat(value)
            if not 1971 <= day.year <= 9000:
                raise ValueError(value)
            return day
        except ValueError:
            raise Refused(
                400,
                _(
                    "${name}: write the date as YYYY-MM-DD, e.g. 2026-12-01.",
                    mapping={"name": name},
                ),
            ) from None
