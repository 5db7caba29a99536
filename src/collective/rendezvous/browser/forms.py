"""Plone's add and edit forms of the add-on's types, refusing forged posts.

z3c.form reads what a text, number or date widget posted as one string. A
field posted twice (``duration=1&duration=2``), or a file where text was
expected, reaches its converter as a list or an upload, and the converter
fails with a TypeError or an AttributeError: a 500, where the visitor should
be told the request is wrong. Browsers never post such forms, so the forms
of the add-on's types (and its control panel and Apply form) answer them
with a 400 and change nothing: the data is extracted before anything is
written.

Saving a counter (schedule, closures, type), a place (closures) or a
reference week (hours) may unschedule the bookings whose slots disappear
(R6). The edit form says so first and after (``ConfirmUnscheduling``,
browser/unscheduling.py, shared with the control panel): nothing is saved
until "Confirm" is clicked on the list of those bookings.
"""

from collective.rendezvous import _
from collective.rendezvous import logger
from collective.rendezvous.browser.unscheduling import CONFIRM
from collective.rendezvous.browser.unscheduling import ConfirmUnscheduling
from collective.rendezvous.browser.unscheduling import needs_confirmation
from collective.rendezvous.browser.unscheduling import unscheduled_by
from collective.rendezvous.content.appointment_type import IAppointmentType
from collective.rendezvous.content.booking import IBooking
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.content.reference_week import IReferenceWeek
from collective.rendezvous.content.reference_week import WEEKDAYS
from plone.dexterity.browser.add import DefaultAddForm
from plone.dexterity.browser.add import DefaultAddView
from plone.dexterity.browser.edit import DefaultEditForm
from plone.dexterity.events import EditFinishedEvent
from plone.dexterity.interfaces import IDexterityEditForm
from plone.z3cform import layout
from z3c.form import button
from z3c.form.interfaces import NOT_CHANGED
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


class EditForm(RefuseForgedInput, ConfirmUnscheduling, DefaultEditForm):
    buttons = DefaultEditForm.buttons.copy()
    handlers = DefaultEditForm.handlers.copy()

    @button.handler(DefaultEditForm.buttons["save"])
    def handleApply(self, action):
        self.save(confirmed=False)

    @button.buttonAndHandler(CONFIRM, name="confirm", condition=needs_confirmation)
    def handleConfirm(self, action):
        self.save(confirmed=True)

    def saved(self) -> None:
        super().saved()
        notify(EditFinishedEvent(self.context))

    def bookings_unscheduled_by(self, data) -> list:
        """What saving a counter, a place, an appointment type or a
        reference week unschedules."""
        from collective.rendezvous.slots.generation import Context
        from collective.rendezvous.slots.generation import counters

        context = self.context
        if ICounter.providedBy(context):
            changes = {
                name: data[name]
                for name in ("appointment_type", "schedule", "closures")
                if name in data and data[name] is not NOT_CHANGED
            }
            targets = [(context, Context(), changes)] if changes else []
        elif IPlace.providedBy(context):
            if "closures" not in data or data["closures"] is NOT_CHANGED:
                return []
            shared = Context()
            targets = [
                (counter, shared, {"place_closures": data["closures"]})
                for counter in context.objectValues()
                if ICounter.providedBy(counter)
            ]
        elif IAppointmentType.providedBy(context):
            # A shorter horizon or another duration moves or removes slots
            # of every counter of the type.
            changes = {
                name: data[name]
                for name in ("duration", "horizon")
                if name in data
                and data[name] is not NOT_CHANGED
                and data[name] != getattr(context, name, None)
            }
            if not changes:
                return []
            shared = Context()
            targets = [
                (counter, shared, changes)
                for counter in counters(appointment_type=context.UID())
            ]
        elif IReferenceWeek.providedBy(context):
            template = week_template(context, data)
            if template == context.template():
                return []
            uid = context.UID()
            shared = Context(weeks={uid: template})
            targets = [
                (counter, shared, {})
                for counter in counters()
                if any(row.get("week") == uid for row in counter.schedule or ())
            ]
        else:
            return []
        return unscheduled_by(targets)


def week_template(week, data) -> dict:
    """The template (weekday -> ranges) of a week with the hours of ``data``."""
    from collective.rendezvous import scheduling

    template = week.template()
    for index, name in enumerate(WEEKDAYS):
        if name in data and data[name] is not NOT_CHANGED:
            template[index] = scheduling.parse_day(data[name] or [])
    return template


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
