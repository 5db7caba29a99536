"""POST <ReferenceWeek>/@apply: apply the week to a counter over dates (R12)."""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.content.apply import apply_week
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.validation import message_of
from collective.rendezvous.services import error_body
from collective.rendezvous.services.csrf import check_write
from collective.rendezvous.services.csrf import CrossSiteRequest
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.restapi.deserializer import json_body
from plone.restapi.services import Service

import datetime
import transaction


class ApplyWeek(Service):
    """Body: {"counter": UID, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}."""

    def reply(self):
        try:
            check_write(self.request)
        except CrossSiteRequest as error:
            return self.error(403, None, error.message)
        data = json_body(self.request)
        if not isinstance(data, dict):
            return self.error(400, "body", _("The body must be a JSON object."))
        counter = None
        if isinstance(data.get("counter"), str):
            counter = uuidToObject(data["counter"], unrestricted=True)
        if counter is None or not ICounter.providedBy(counter):
            return self.error(
                400, "counter", _("There is no counter with this identifier.")
            )
        dates = {}
        for name in ("start", "end"):
            try:
                dates[name] = datetime.date.fromisoformat(data.get(name))
            except (TypeError, ValueError):
                return self.error(
                    400, name, _("Write the date as YYYY-MM-DD, e.g. 2026-12-01.")
                )
        if not api.user.has_permission("Modify portal content", obj=counter):
            return self.error(403, "counter", _("You may not change this counter."))
        try:
            schedule = apply_week(self.context, counter, dates["start"], dates["end"])
        except scheduling.SchedulingError as error:
            return self.error(400, "end", message_of(error))
        return {
            "counter": counter.UID(),
            "schedule": [
                {
                    "week": row["week"],
                    "start": row["start"].isoformat(),
                    "end": row["end"].isoformat(),
                }
                for row in schedule
            ],
        }

    def error(self, status: int, field: str | None, message):
        # A refused request changes nothing.
        transaction.doom()
        return error_body(self.request, status, message, field)
