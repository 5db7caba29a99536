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
from plone.app.uuid.utils import uuidToPhysicalPath
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from zope import schema
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.interface import implementer


# Request annotation: appointment type UID -> (path, object), see below.
TYPES_SEEN = "collective.rendezvous.appointment_types"


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
        """The AppointmentType object this counter serves, or None.

        A booking asks for it several times in one request (the service, its
        JSON, the notification's texts and .ics), and ``uuidToObject``
        traverses from the site each time. The object found is kept on the
        request; it is reused only while the catalog still gives the same
        path for the UID (a type moved or deleted in the request is looked up
        again), so the answer is the one ``uuidToObject`` would give.
        """
        uid = getattr(self, "appointment_type", None)
        if not uid:
            return None
        request = getRequest()
        seen = IAnnotations(request, None) if request is not None else None
        if seen is None:
            return uuidToObject(uid, unrestricted=True)
        types = seen.setdefault(TYPES_SEEN, {})
        path = uuidToPhysicalPath(uid)
        if path and uid in types and types[uid][0] == path:
            return types[uid][1]
        found = uuidToObject(uid, unrestricted=True)
        if path and found is not None:
            types[uid] = (path, found)
        return found

    @property
    def options(self) -> list[str]:
        """The options of the counter's type (R13): read-only here."""
        appointment_type = self.get_appointment_type()
        return list(getattr(appointment_type, "options", None) or [])
