"""Forms that unschedule bookings say so before saving, and after (issue 13).

Saving what the slots derive from (a counter's schedule or closures, a
place's closures, a reference week's hours, the site-wide opening days,
holidays and closures) unschedules the booked appointments whose slots
disappear (R6; subscribers/slots.py regenerates at commit, the booking
layer unschedules what lost its slot). A form mixing in
``ConfirmUnscheduling`` first works out what its posted values would
unschedule, without writing anything (``slots.generation.would_lose``, the
same rule as the regeneration). When that is some booking, nothing is
saved: the form comes back with the posted values, the list of those
bookings (code, day and time, place and counter, beneficiary) and a
"Confirm" button next to "Cancel" (plain buttons: no JavaScript needed).
Cancel leaves the stored settings and the bookings as they were. After a
confirmed save, a message says how many were unscheduled, with their codes.
A change that unschedules nothing saves at once, as before.

The REST API has no confirmation step: its writes save at once (docs/api.rst).
"""

from collective.rendezvous import _
from collective.rendezvous.booking.index import in_counter
from html import escape
from plone import api
from Products.statusmessages.interfaces import IStatusMessage
from zope.i18n import translate


CONFIRM = _("Confirm: save and unschedule these bookings")
# At most this many bookings are listed (a site-wide closure over busy weeks
# may unschedule hundreds); the count is always the whole.
LISTED = 100


def unscheduled_by(targets) -> list:
    """The booked appointments that these changes would unschedule.

    ``targets``: ``(counter, context, changes)`` triples, as
    ``would_lose(counter, context, **changes)`` takes them. By time, then
    counter.
    """
    from collective.rendezvous.slots.generation import would_lose

    found = {}
    for counter, context, changes in targets:
        for _start, _end, booking_id in would_lose(counter, context, **changes):
            booking = in_counter(counter, booking_id)
            if booking is not None and api.content.get_state(booking) == "booked":
                found["/".join(booking.getPhysicalPath())] = booking
    return sorted(
        found.values(),
        key=lambda booking: (booking.start, booking.__parent__.Title(), booking.code),
    )


def needs_confirmation(form) -> bool:
    """The condition of the Confirm button: shown on the confirmation step
    (and read back when it is clicked)."""
    return form.needs_confirmation or "form.buttons.confirm" in form.request.form


class ConfirmUnscheduling:
    """Mixin for z3c forms whose save may unschedule bookings.

    The form declares its Confirm button (title ``CONFIRM``, name
    ``confirm``, condition ``needs_confirmation``), implements
    ``bookings_unscheduled_by(data)``, and its Save and Confirm handlers
    call ``save`` (``confirmed`` False, then True): it extracts, asks first
    (``confirm_first``), applies the changes, says what was unscheduled
    (``tell_unscheduled``) and ends with ``saved``. Forms with their own
    flow call ``confirm_first`` and ``tell_unscheduled`` themselves.
    """

    needs_confirmation = False

    def save(self, confirmed: bool) -> None:
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        unscheduled = self.confirm_first(data, confirmed)
        if unscheduled is None:
            return
        self.applyChanges(data)
        IStatusMessage(self.request).addStatusMessage(self.saved_message(), "info")
        self.tell_unscheduled(unscheduled)
        self.saved()

    def saved_message(self):
        return self.success_message

    def saved(self) -> None:
        """After a save: where to go (the form's next URL)."""
        self.request.response.redirect(self.nextURL())

    def bookings_unscheduled_by(self, data) -> list:
        """The booked appointments saving ``data`` would unschedule."""
        return []

    def confirm_first(self, data, confirmed: bool) -> list | None:
        """None when the form must ask first (nothing is stored); else the
        bookings saving ``data`` unschedules (maybe none)."""
        bookings = self.bookings_unscheduled_by(data)
        if bookings and not confirmed:
            self.needs_confirmation = True
            self.status = self.confirmation(bookings)
            self.updateActions()
            return None
        return bookings

    def updateActions(self):
        super().updateActions()
        confirm = self.actions.get("confirm")
        if confirm is not None:
            confirm.addClass("btn btn-danger")

    def confirmation(self, bookings) -> str:
        """The warning (HTML) that lists the bookings the change unschedules."""
        from collective.rendezvous.browser.folder import day_and_time
        from collective.rendezvous.slots.generation import site_timezone

        tz = site_timezone()
        heading = translate(
            _(
                "Not saved yet: these changes unschedule ${count} booked "
                "appointment(s), listed below. Their citizens will be told, and "
                "agents will have to move or cancel them.",
                mapping={"count": len(bookings)},
            ),
            context=self.request,
        )
        advice = translate(
            _(
                'Click "Confirm" to save and unschedule them, or "Cancel" to '
                "leave everything as it was. You may also change the values "
                "below and save again."
            ),
            context=self.request,
        )
        items = "".join(
            "<li><code>{}</code> {} – {} – {}</li>".format(
                escape(booking.code),
                escape(day_and_time(booking.start.astimezone(tz))),
                escape(where(booking)),
                escape(booking.beneficiary or ""),
            )
            for booking in bookings[:LISTED]
        )
        if len(bookings) > LISTED:
            more = translate(
                _(
                    "… and ${count} more.",
                    mapping={"count": len(bookings) - LISTED},
                ),
                context=self.request,
            )
            items += f"<li>{escape(more)}</li>"
        return (
            f'<span class="rendezvous-unschedule-warning">{escape(heading)}</span>'
            f'<ul class="rendezvous-unschedule-list">{items}</ul>'
            f"<span>{escape(advice)}</span>"
        )

    def tell_unscheduled(self, bookings) -> None:
        """After the save: how many bookings it unscheduled, and their codes."""
        if not bookings:
            return
        IStatusMessage(self.request).addStatusMessage(
            translate(
                _(
                    "${count} booking(s) unscheduled by these changes: ${codes}. "
                    "Their citizens are told; move or cancel them in the back "
                    "office's bookings to re-place.",
                    mapping={
                        "count": len(bookings),
                        "codes": ", ".join(
                            booking.code for booking in bookings[:LISTED]
                        )
                        + (" …" if len(bookings) > LISTED else ""),
                    },
                ),
                context=self.request,
            ),
            "warning",
        )


def where(booking) -> str:
    """ "Place › Counter" of a booking (just the counter outside a place)."""
    from collective.rendezvous.content.place import IPlace

    counter = booking.__parent__
    place = counter.__parent__
    if IPlace.providedBy(place):
        return f"{place.Title()} › {counter.Title()}"
    return counter.Title()
