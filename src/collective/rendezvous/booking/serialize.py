"""The JSON of a booking (api.md, "Bookings"), and its iCalendar event."""

from collective.rendezvous.links import calendar_uid
from collective.rendezvous.slots.generation import site_timezone
from plone import api

import datetime
import icalendar


def _iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(site_timezone()).isoformat()


def booking_url(folder, booking) -> str:
    return f"{folder.absolute_url()}/@bookings/{booking.code}"


def manage_url(folder, booking, token: str, folder_url: str | None = None) -> str:
    """The citizen's private page for this booking (on ``folder_url``, by
    default the folder's URL in this request)."""
    if folder_url is None:
        folder_url = folder.absolute_url()
    return f"{folder_url}/rendezvous-manage?code={booking.code}&token={token}"


def booking_json(folder, booking, agent: bool, token: str | None = None) -> dict:
    """What the citizen (with the token) or an agent sees of a booking."""
    counter = booking.__parent__
    place = counter.__parent__
    appointment_type = counter.get_appointment_type()
    body = {
        "@id": booking_url(folder, booking),
        "UID": booking.UID(),
        "code": booking.code,
        "state": api.content.get_state(booking),
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "previous_start": _iso(booking.previous_start),
        "type": appointment_type.UID() if appointment_type is not None else None,
        "type_title": appointment_type.Title() if appointment_type is not None else "",
        "counter": counter.UID(),
        "counter_title": counter.Title(),
        "place": place.UID(),
        "place_title": place.Title(),
        "place_address": getattr(place, "address", "") or "",
        "option": booking.option or "",
        "partner_type": booking.partner_type or "",
        "beneficiary": booking.beneficiary,
        "email": booking.email or "",
        "phone": booking.phone or "",
        "comment": booking.comment or "",
        "cancelled_by": booking.cancelled_by or None,
        # ANTS pre-application numbers, one per document (issue 14).
        "application_ids": list(getattr(booking, "application_ids", ()) or ()),
    }
    if token:
        body["token"] = token
        body["manage_url"] = manage_url(folder, booking, token)
    if agent:
        body["booked_by"] = getattr(booking, "booked_by", "")
        body["history"] = [
            {
                key: (
                    value.isoformat() if isinstance(value, datetime.datetime) else value
                )
                for key, value in entry.items()
            }
            for entry in booking.history or ()
        ]
        # What was sent to the citizen, when, how, and with what result (R6).
        body["notifications"] = [
            {
                key: (
                    value.isoformat() if isinstance(value, datetime.datetime) else value
                )
                for key, value in entry.items()
            }
            for entry in getattr(booking.aq_base, "notifications", None) or ()
        ]
        # The declarations to the ANTS hub and their attempts (issue 14).
        from collective.rendezvous.ants.declarations import declarations_json

        body["ants_declarations"] = declarations_json(booking)
    return body


def booking_ics(folder, booking, method: str = "PUBLISH") -> bytes:
    """An iCalendar file with the booking as one event (X3)."""
    counter = booking.__parent__
    place = counter.__parent__
    appointment_type = counter.get_appointment_type()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//collective.rendezvous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    # Never the request's host: the same booking is the same event, however
    # the site was reached (issue 12).
    event.add("uid", calendar_uid(booking))
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", booking.start.astimezone(datetime.UTC))
    event.add("dtend", booking.end.astimezone(datetime.UTC))
    title = appointment_type.Title() if appointment_type is not None else ""
    event.add("summary", f"{title} ({booking.code})" if title else booking.code)
    address = getattr(place, "address", "") or ""
    event.add("location", f"{place.Title()}, {counter.Title()} – {address}".strip(" –"))
    event.add("description", f"{booking.option}\n{booking.code}".strip())
    if method == "CANCEL" or api.content.get_state(booking) == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("sequence", len(booking.history or ()))
    calendar.add_component(event)
    return calendar.to_ical()
