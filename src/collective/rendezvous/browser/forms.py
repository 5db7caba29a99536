"""Plone's add and edit forms of the add-on's types, refusing forged posts.

z3c.form reads what a text, number or date widget posted as one string. A
field posted twice (``duration=1&duration=2``), or a file where text was
expected, reaches its converter as a list or an upload, and the converter
fails with a TypeError or an AttributeError: a 500, where the visitor should
be told the request is wrong. Browsers never post such forms, so the forms
of the add-on's types (and its control panel and Apply form) answer them
with a 400 and change nothing: the data is extracted before anything is
written.

Saving the closures of a counter or a place unschedules the bookings of the
days it closes (R6; subscribers/slots.py regenerates the slots, the booking
layer unschedules what lost its slot). The edit form says so first: when
the closures posted would unschedule booked appointments, nothing is saved,
the form lists them (code, time, counter, beneficiary) and offers a second
button, "Save and unschedule these bookings"; after that save, the message
says how many were unscheduled and where to re-place them.
"""

from collective.rendezvous import _
from collective.rendezvous import logger
from collective.rendezvous.booking.index import day_of
from collective.rendezvous.content.booking import IBooking
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.controlpanels.settings import closure_dates
from html import escape
from plone import api
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.browser.edit import DefaultEditForm
from plone.dexterity.events import EditFinishedEvent
from plone.dexterity.interfaces import IDexterityEditForm
from plone.z3cform import layout
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form import button
from zExceptions import BadRequest
from zope.event import notify
from zope.i18n import translate
from zope.interface import classImplements


class RefuseForgedInput:
    """Mixin for z3c forms: a value no widget can read is a 400, not a 500."""

    def extractData(self, setErrors=True):
        try:
            return super().extractData(setErrors=setErrors)
        except (TypeError, AttributeError, ValueError, LookupError) as error:
            logger.info("Refused a forged form post to %s: %r", self.request.URL, error)
            raise BadRequest(
                translate(
                    _(
                        "This form was sent with values that no browser sends: "
                        "reload the page and try again."
                    ),
                    context=self.request,
                )
            ) from error


def closed_bookings(context, closures) -> list:
    """The booked appointments, from today on, on a day these closures close.

    ``context`` is a counter or a place (all its counters). Bookings already
    unscheduled, cancelled or past are not counted.
    """
    from collective.rendezvous.browser.agenda import bookings_between
    from collective.rendezvous.slots.generation import site_timezone

    import datetime

    today = datetime.datetime.now(site_timezone()).date()
    days = {day for day in closure_dates(closures) if day >= today}
    if not days:
        return []
    return [
        booking
        for booking in bookings_between(context, min(days), max(days))
        if day_of(booking) in days and api.content.get_state(booking) == "booked"
    ]


def _needs_confirmation(form) -> bool:
    return form.needs_confirmation or "form.buttons.confirm" in form.request.form


class EditForm(RefuseForgedInput, DefaultEditForm):
    needs_confirmation = False
    buttons = DefaultEditForm.buttons.copy()
    handlers = DefaultEditForm.handlers.copy()

    @button.handler(DefaultEditForm.buttons["save"])
    def handleApply(self, action):
        self.save(confirmed=False)

    @button.buttonAndHandler(
        _("Save and unschedule these bookings"),
        name="confirm",
        condition=_needs_confirmation,
    )
    def handleConfirm(self, action):
        self.save(confirmed=True)

    def save(self, confirmed: bool) -> None:
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        closing = []
        if "closures" in data and (
            ICounter.providedBy(self.context) or IPlace.providedBy(self.context)
        ):
            closing = closed_bookings(self.context, data["closures"])
        if closing and not confirmed:
            self.needs_confirmation = True
            self.status = self.confirmation(closing)
            self.updateActions()
            return
        self.applyChanges(data)
        messages = IStatusMessage(self.request)
        messages.addStatusMessage(self.success_message, "info")
        if closing:
            messages.addStatusMessage(
                translate(
                    _(
                        "${count} booking(s) unscheduled by these closures: "
                        "${codes}. Their citizens are told; move or cancel "
                        "them in the back office's bookings to re-place.",
                        mapping={
                            "count": len(closing),
                            "codes": ", ".join(b.code for b in closing),
                        },
                    ),
                    context=self.request,
                ),
                "warning",
            )
        self.request.response.redirect(self.nextURL())
        notify(EditFinishedEvent(self.context))

    def confirmation(self, bookings) -> str:
        """The warning (HTML) that lists the bookings the closures unschedule."""
        from collective.rendezvous.browser.folder import day_and_time
        from collective.rendezvous.slots.generation import site_timezone

        tz = site_timezone()
        heading = translate(
            _(
                "Not saved yet: these closures unschedule ${count} booked "
                "appointment(s). Their citizens will be told, and agents will "
                "have to move or cancel them.",
                mapping={"count": len(bookings)},
            ),
            context=self.request,
        )
        advice = translate(
            _(
                'Click "Save and unschedule these bookings" to confirm, or '
                "change the dates."
            ),
            context=self.request,
        )
        items = "".join(
            "<li><code>{}</code> {} – {} – {}</li>".format(
                escape(booking.code),
                escape(day_and_time(booking.start.astimezone(tz))),
                escape(booking.__parent__.Title()),
                escape(booking.beneficiary or ""),
            )
            for booking in bookings
        )
        return (
            f'<span class="rendezvous-unschedule-warning">{escape(heading)}</span>'
            f'<ul class="rendezvous-unschedule-list">{items}</ul>'
            f"<span>{escape(advice)}</span>"
        )


EditView = layout.wrap_form(EditForm)
classImplements(EditView, IDexterityEditForm)


class AddForm(RefuseForgedInput, DefaultAddForm):
    pass


class AddView(DefaultAddView):
    form = AddForm


class BookingEditForm(EditForm):
    """A booking's @@edit: its details go through the booking service.

    The same checks as a PATCH of the booking (``service.edit``): a refused
    value is shown under its field and nothing is stored; a change is
    recorded in the booking's history.
    """

    def applyChanges(self, data):
        from collective.rendezvous.booking import service
        from z3c.form.interfaces import ActionExecutionError
        from z3c.form.interfaces import NOT_CHANGED
        from z3c.form.interfaces import WidgetActionExecutionError
        from zope.interface import Invalid

        values = {
            name: value
            for name, value in data.items()
            if name in service.EDITABLE and value is not NOT_CHANGED
        }
        try:
            changed = service.edit(self.context, values)
        except service.BookingError as error:
            if error.field in self.widgets:
                raise WidgetActionExecutionError(
                    error.field, Invalid(error.message)
                ) from None
            raise ActionExecutionError(Invalid(error.message)) from None
        return {IBooking: changed} if changed else {}


BookingEditView = layout.wrap_form(BookingEditForm)
classImplements(BookingEditView, IDexterityEditForm)
