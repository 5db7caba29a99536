"""GET @bookings (agents' list), @bookings/<code>, @bookings/<code>/ics."""

from collective.rendezvous import _
from collective.rendezvous.booking import service
from collective.rendezvous.booking.index import bookings_of
from collective.rendezvous.booking.serialize import booking_ics
from collective.rendezvous.booking.serialize import booking_json
from collective.rendezvous.booking.service import BookingError
from collective.rendezvous.content.appointment_type import IAppointmentType
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.services.bookings.base import BookingsService
from collective.rendezvous.slots.generation import counters
from collective.rendezvous.slots.generation import site_timezone
from plone import api

import datetime


INTERFACES = {"counter": ICounter, "place": IPlace, "type": IAppointmentType}
STATES = ("booked", "attended", "absent", "cancelled", "unscheduled")
MAX_DAYS = 366


class BookingsGet(BookingsService):
    def handle(self):
        if not self.params:
            return self.listing()
        if len(self.params) > 2 or (len(self.params) == 2 and self.params[1] != "ics"):
            raise BookingError(404, _("There is no such resource."))
        booking, who = service.open_booking(self.context, self.params[0], self.token())
        if len(self.params) == 2:
            self.request.response.setHeader(
                "Content-Type", "text/calendar; charset=utf-8"
            )
            self.request.response.setHeader(
                "Content-Disposition", f'attachment; filename="{booking.code}.ics"'
            )
            return booking_ics(self.context, booking)
        return booking_json(self.context, booking, agent=who == "agent")

    def listing(self):
        if api.user.is_anonymous():
            raise BookingError(401, _("Log in to list bookings."))
        form = self.request.form
        first = _date(form.get("start"), "start")
        last = _date(form.get("end"), "end")
        if first and last and last < first:
            raise BookingError(400, _("The end date is before the start date."), "end")
        # Without dates: from a month ago to the longest horizon (two years).
        today = datetime.datetime.now(site_timezone()).date()
        first = first or (last or today) - datetime.timedelta(days=31)
        last = last or max(first, today) + datetime.timedelta(days=MAX_DAYS * 2)
        if (last - first).days > MAX_DAYS * 3:
            raise BookingError(
                400,
                _(
                    "Ask for at most ${days} days at a time.",
                    mapping={"days": MAX_DAYS * 3},
                ),
                "end",
            )
        query = {"path": "/".join(self.context.getPhysicalPath())}
        for name in ("counter", "place", "type"):
            value = form.get(name)
            if value:
                obj = service.find(self.context, value, INTERFACES[name])
                if obj is None:
                    raise BookingError(
                        400, _("There is nothing with this identifier."), name
                    )
                if name == "type":
                    query["appointment_type"] = value
                else:
                    query["path"] = "/".join(obj.getPhysicalPath())
        state = form.get("state")
        if state and state not in STATES:
            raise BookingError(400, _("Unknown state."), "state")
        found = []
        for counter in counters(**query):
            if not service.may_manage(counter):
                continue
            for booking in bookings_of(counter, first, last):
                if not state or api.content.get_state(booking) == state:
                    found.append(booking)
        found.sort(key=lambda booking: (booking.start, booking.getId()))
        items = [booking_json(self.context, booking, agent=True) for booking in found]
        return {
            "@id": self.request["ACTUAL_URL"],
            "items_total": len(items),
            "items": items,
        }


def _date(value, field):
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
        if not 1971 <= day.year <= 9000:
            raise ValueError(value)
        return day
    except (TypeError, ValueError):
        raise BookingError(
            400, _("Write the date as YYYY-MM-DD, e.g. 2026-12-01."), field
        ) from None
