"""Counter ("guichet"): serves one appointment type on a schedule (R1, R12, R13)."""

from collective.rendezvous import _
from collective.rendezvous.content import validation
from collective.rendezvous.content.fields import AppointmentTypeChoice
from collective.rendezvous.content.fields import IPeriodRow
from collective.rendezvous.content.fields import IScheduleRow
from collective.rendezvous.content.fields import ScheduleField
from collective.rendezvous.widgets import RowsFieldWidget
from collective.z3cform.datagridfield.row import DictRow
from plone.app.uuid.utils import uuidToObject
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.interface import implementer


class ICounter(model.Schema):
    """A counter: its appointment type, its schedule, its own closures."""

    title = schema.TextLine(title=_("Name"), required=True)

    appointment_type = AppointmentTypeChoice(
        title=_("Appointment type"),
        description=_("The appointments this counter serves."),
        vocabulary="collective.rendezvous.AppointmentTypes",
        required=True,
    )

    directives.widget("schedule", RowsFieldWidget, allow_reorder=False)
    schedule = ScheduleField(
        title=_("Schedule"),
        description=_(
            "Which reference week applies from which date to which date. "
            "Periods must not overlap; use Apply on a reference week to "
            "replace dates that are already covered."
        ),
        value_type=DictRow(title=_("Period"), schema=IScheduleRow),
        required=False,
        default=[],
        missing_value=[],
    )

    directives.widget("closures", RowsFieldWidget, allow_reorder=False)
    closures = schema.List(
        title=_("Closures of this counter"),
        description=_("Dates when this counter is closed, e.g. an agent's leave."),
        value_type=DictRow(title=_("Closure"), schema=IPeriodRow),
        required=False,
        default=[],
        missing_value=[],
        constraint=validation.check_periods,
    )

    options = schema.List(
        title=_("Options (from the appointment type)"),
        description=_(
            "The person booking at this counter chooses one of these options. "
            "They are edited on the appointment type."
        ),
        value_type=schema.TextLine(),
        required=False,
        readonly=True,
    )


@implementer(ICounter)
class Counter(Container):
    """A counter. Its bookings live inside it."""

    # Bookings need no order; an ordered folder would make every booking of
    # the counter write one shared order list (a ConflictError hot spot).
    _ordering = "unordered"

    def get_appointment_type(self):
        """The AppointmentType object this counter serves, or None."""
        uid = getattr(self, "appointment_type", None)
        return uuidToObject(uid, unrestricted=True) if uid else None

    @property
    def options(self) -> list[str]:
        """The options of the counter's type (R13): read-only here."""
        appointment_type = self.get_appointment_type()
        return list(getattr(appointment_type, "options", None) or [])
