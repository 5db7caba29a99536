"""POST @bookings (book) and @bookings/<code>/<action> (cancel, reschedule...)."""

from collective.rendezvous import _
from collective.rendezvous.booking import service
from collective.rendezvous.booking.serialize import booking_json
from collective.rendezvous.booking.service import BookingError
from collective.rendezvous.services.bookings.base import BookingsService
from collective.rendezvous.services.csrf import check_write
from collective.rendezvous.services.csrf import CrossSiteRequest
from plone.restapi.deserializer import json_body


ACTIONS = ("cancel", "reschedule", "absent", "attended")


class BookingsPost(BookingsService):
    def handle(self):
        # Anonymous citizens book without a session: the token in the body
        # authorises their actions. A session must prove it is no forgery.
        try:
            check_write(self.request)
        except CrossSiteRequest as error:
            raise BookingError(403, error.message) from None
        try:
            data = json_body(self.request)
        except Exception:
            raise BookingError(400, _("The body must be JSON.")) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise BookingError(400, _("The body must be a JSON object."))
        if not self.params:
            booking, token = service.book(self.context, data)
            self.request.response.setStatus(201)
            body = booking_json(
                self.context, booking, agent=service.may_manage(booking), token=token
            )
            self.request.response.setHeader("Location", body["@id"])
            return body
        if len(self.params) != 2 or self.params[1] not in ACTIONS:
            raise BookingError(404, _("There is no such action."))
        action = self.params[1]
        booking, who = service.open_booking(
            self.context,
            self.params[0],
            self.token(data),
            agent_only=action in ("absent", "attended"),
        )
        if action == "cancel":
            reason = data.get("reason") or ""
            if not isinstance(reason, str):
                raise BookingError(400, _("This value must be a text."), "reason")
            service.cancel(booking, by=who, reason=reason)
        elif action == "reschedule":
            start = data.get("start")
            counter = data.get("counter") or ""
            if not isinstance(start, str) or not isinstance(counter, str):
                raise BookingError(400, _("This value must be a text."), "start")
            booking = service.reschedule(self.context, booking, start, counter, by=who)
        else:
            service.mark(booking, action)
        return booking_json(self.context, booking, agent=who == "agent")
