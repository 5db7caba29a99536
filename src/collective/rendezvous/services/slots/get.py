"""GET <RendezvousFolder>/@slots: the free slots of an appointment type."""

from collective.rendezvous import _
from collective.rendezvous.booking.service import find
from collective.rendezvous.content.appointment_type import IAppointmentType
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.services import error_body
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import offered_counters
from collective.rendezvous.slots.query import to_datetime
from plone.restapi.services import Service

import collections
import datetime
import json


MAX_DAYS = 92
DEFAULT_DAYS = 31


class BadParameter(Exception):
    def __init__(self, status, field, message):
        self.status, self.field, self.message = status, field, message


class SlotsGet(Service):
    """Query: type (required), start, end, place, counter, by=day,
    documents_number (slots in a row, one per document: issue 14)."""

    def reply(self):
        try:
            appointment_type, place, counter, first, last, by_day = self.parameters()
            count = self.documents(appointment_type)
        except BadParameter as error:
            return error_body(self.request, error.status, error.message, error.field)
        slots = free_slots(
            appointment_type, self.context, first, last, place, counter, count=count
        )
        url = self.request["ACTUAL_URL"]
        query = self.request.get("QUERY_STRING")
        body = {"@id": f"{url}?{query}" if query else url}
        if by_day:
            tz = site_timezone()
            per_day = collections.Counter(
                to_datetime(slot.start, tz).date().isoformat() for slot in slots
            )
            body["items"] = [
                {"date": day, "free": n} for day, n in sorted(per_day.items())
            ]
            body["items_total"] = len(body["items"])
            return body
        tz = site_timezone()
        iso = {}  # counters share starts, and an end is the next start

        def text(key):
            value = iso.get(key)
            if value is None:
                value = iso[key] = to_datetime(key, tz).isoformat()
            return value

        body["items_total"] = len(slots)
        body["items"] = [
            {
                "start": text(slot.start),
                "end": text(slot.end),
                "counter": slot.counter,
                "place": slot.place,
            }
            for slot in slots
        ]
        return body

    def render(self):
        self.check_permission()
        content = self.reply()
        self.request.response.setHeader("Content-Type", self.content_type)
        return encode(content)

    def parameters(self):
        form = self.request.form
        type_uid = form.get("type")
        if not type_uid or not isinstance(type_uid, str):
            raise BadParameter(
                400,
                "type",
                _("The parameter type (an appointment type UID) is required."),
            )
        appointment_type = self.find(type_uid, IAppointmentType)
        if appointment_type is None or not self.may_see_type(appointment_type):
            raise BadParameter(
                404, "type", _("There is no appointment type with this identifier.")
            )
        place = counter = None
        if form.get("place"):
            place = self.find(form["place"], IPlace)
            if place is None:
                raise BadParameter(
                    400, "place", _("There is no place with this identifier.")
                )
        if form.get("counter"):
            counter = self.find(form["counter"], ICounter)
            if counter is None:
                raise BadParameter(
                    400, "counter", _("There is no counter with this identifier.")
                )
        tz = site_timezone()
        first = self.date("start", datetime.datetime.now(tz).date())
        last = self.date("end", first + datetime.timedelta(days=DEFAULT_DAYS - 1))
        if last < first:
            raise BadParameter(400, "end", _("The end date is before the start date."))
        if (last - first).days + 1 > MAX_DAYS:
            raise BadParameter(
                400,
                "end",
                _(
                    "Ask for at most ${days} days at a time.",
                    mapping={"days": MAX_DAYS},
                ),
            )
        by = form.get("by")
        if by not in (None, "", "slot", "day"):
            raise BadParameter(400, "by", _('The parameter by takes "day" or "slot".'))
        return appointment_type, place, counter, first, last, by == "day"

    def documents(self, appointment_type) -> int:
        """``documents_number``: 1 by default; more only for a type that asks
        pre-application numbers (one per document, one slot each)."""
        from collective.rendezvous.ants import numbers

        value = self.request.form.get("documents_number")
        if value in (None, ""):
            return 1
        count = numbers.documents_count(value) if isinstance(value, str) else None
        if count is None:
            raise BadParameter(400, "documents_number", numbers.DOCUMENTS_RANGE)
        if count > 1 and not numbers.requires_numbers(appointment_type):
            raise BadParameter(400, "documents_number", numbers.ONE_PERSON)
        return count

    def find(self, uid, interface):
        return find(self.context, uid, interface)

    def may_see_type(self, appointment_type) -> bool:
        if appointment_type.portal_visible:
            return True
        # A back-office type: only for those who manage one of its counters.
        return any(
            may_manage
            for _counter, may_manage in offered_counters(appointment_type, self.context)
        )

    def date(self, name, default):
        value = self.request.form.get(name)
        if value in (None, ""):
            return default
        try:
            day = datetime.date.fromisoformat(value)
            if not 1971 <= day.year <= 9000:
                raise ValueError(value)
            return day
        except (TypeError, ValueError):
            raise BadParameter(
                400, name, _("Write the date as YYYY-MM-DD, e.g. 2026-12-01.")
            ) from None


def encode(content) -> str:
    """The answer's JSON, compact (bench/slots.py times this very function).

    plone.restapi's ``Service.render`` indents, which makes Python's ``json``
    fall back to its pure-Python encoder: three times slower on large answers.
    """
    return json.dumps(content, separators=(",", ":"))
