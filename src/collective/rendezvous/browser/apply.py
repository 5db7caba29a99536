"""The "Apply" form of a reference week (R12): write it on a counter over dates.

Like the edit forms, it lists the bookings it would unschedule and applies
only once confirmed (browser/unscheduling.py).
"""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.browser.forms import RefuseForgedInput
from collective.rendezvous.browser.unscheduling import CONFIRM
from collective.rendezvous.browser.unscheduling import ConfirmUnscheduling
from collective.rendezvous.browser.unscheduling import needs_confirmation
from collective.rendezvous.browser.unscheduling import unscheduled_by
from collective.rendezvous.content.apply import applied_schedule
from collective.rendezvous.content.apply import apply_week
from collective.rendezvous.content.fields import StrictDate
from collective.rendezvous.content.validation import message_of
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.z3cform.layout import wrap_form
from z3c.form import button
from z3c.form import field
from z3c.form import form
from z3c.form.interfaces import WidgetActionExecutionError
from zope import schema
from zope.interface import Interface
from zope.interface import Invalid


class IApplyWeek(Interface):
    counter = schema.Choice(
        title=_("Counter"),
        description=_("The counter whose schedule receives this week."),
        vocabulary="collective.rendezvous.Counters",
        required=True,
    )
    start = StrictDate(title=_("First date"), required=True)
    end = StrictDate(
        title=_("Last date"),
        description=_(
            "Dates of this period already covered by another week on this "
            "counter are replaced."
        ),
        required=True,
    )


class ApplyWeekForm(RefuseForgedInput, ConfirmUnscheduling, form.Form):
    """Apply the week; when that unschedules bookings, list them first
    (browser/unscheduling.py)."""

    fields = field.Fields(IApplyWeek)
    ignoreContext = True
    label = _("Apply this reference week to a counter")

    @button.buttonAndHandler(_("Apply"), name="apply")
    def handle_apply(self, action):
        self.apply(confirmed=False)

    @button.buttonAndHandler(_("Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.context.absolute_url())

    @button.buttonAndHandler(CONFIRM, name="confirm", condition=needs_confirmation)
    def handle_confirm(self, action):
        self.apply(confirmed=True)

    def apply(self, confirmed: bool) -> None:
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        counter = uuidToObject(data["counter"], unrestricted=True)
        if not api.user.has_permission("Modify portal content", obj=counter):
            raise WidgetActionExecutionError(
                "counter", Invalid(_("You may not change this counter."))
            )
        try:
            schedule = applied_schedule(
                self.context, counter, data["start"], data["end"]
            )
        except scheduling.SchedulingError as error:
            raise WidgetActionExecutionError(
                "end", Invalid(message_of(error))
            ) from error
        self.counter, self.schedule = counter, schedule
        unscheduled = self.confirm_first(data, confirmed)
        if unscheduled is None:
            return
        apply_week(self.context, counter, data["start"], data["end"])
        api.portal.show_message(
            _(
                "The week was applied to ${counter}.",
                mapping={"counter": counter.Title()},
            ),
            request=self.request,
        )
        self.tell_unscheduled(unscheduled)
        self.request.response.redirect(counter.absolute_url())

    def bookings_unscheduled_by(self, data) -> list:
        from collective.rendezvous.slots.generation import Context

        return unscheduled_by([(self.counter, Context(), {"schedule": self.schedule})])


ApplyWeekView = wrap_form(ApplyWeekForm)
