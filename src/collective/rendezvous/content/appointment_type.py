"""AppointmentType: what a citizen books (R9), e.g. "Pièces d'identité"."""

from collective.rendezvous import _
from collective.rendezvous.content import validation
from collective.rendezvous.content.fields import SafeChoice
from collective.rendezvous.notifications.schema import INotificationOverrideRow
from collective.rendezvous.notifications.schema import NotificationOverridesField
from collective.rendezvous.widgets import RowsFieldWidget
from collective.z3cform.datagridfield.row import DictRow
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from z3c.form.browser.checkbox import CheckBoxFieldWidget
from z3c.form.validator import NoInputData
from zope import schema
from zope.interface import implementer
from zope.interface import Invalid
from zope.interface import invariant


class IAntsOptionRow(model.Schema):
    """One option of the type and the ANTS reason it serves."""

    option = schema.TextLine(title=_("Option"), required=True)
    reason = schema.Choice(
        title=_("ANTS reason"),
        vocabulary="collective.rendezvous.AntsReasons",
        required=False,
        default="",
        missing_value="",
    )


class IAppointmentType(model.Schema):
    """An appointment type: label, duration, horizon, notice, options..."""

    title = schema.TextLine(title=_("Label"), required=True)

    detail = schema.Text(
        title=_("Detail"),
        description=_("Shown to citizens on the portal to describe this appointment."),
        required=True,
    )

    what_to_bring = schema.Text(
        title=_("What to bring"),
        description=_(
            "The documents and items the citizen must bring, e.g. an identity "
            "photo and proof of address. Shown on the confirmation page and "
            "in the notifications ({bring})."
        ),
        required=False,
        default="",
        missing_value="",
    )

    duration = schema.Int(
        title=_("Duration (minutes)"),
        description=_("Length of one appointment, in minutes (1 to 1440)."),
        required=True,
        default=30,
        constraint=validation.check_duration,
    )

    horizon = schema.TextLine(
        title=_("Maximum booking horizon"),
        description=_(
            "How far ahead slots are offered: a whole number followed by d "
            "(days), w (weeks) or m (months). Here m means MONTHS: 2m = the "
            "next two months."
        ),
        required=True,
        default="2m",
        constraint=validation.check_horizon,
    )

    min_notice = schema.TextLine(
        title=_("Minimum notice"),
        description=_(
            "How long before the appointment booking closes: a whole number "
            "followed by m (minutes), h (hours) or d (days). Here m means "
            "MINUTES: 60m = up to one hour before. Empty: until the start."
        ),
        required=False,
        default="",
        missing_value="",
        constraint=validation.check_notice,
    )

    directives.widget("partner_types", CheckBoxFieldWidget)
    partner_types = schema.List(
        title=_("Partner types allowed to book"),
        description=_("Leave empty to open this appointment type to everyone."),
        value_type=SafeChoice(vocabulary="collective.rendezvous.PartnerTypes"),
        required=False,
        default=[],
        missing_value=[],
    )

    directives.widget("services", CheckBoxFieldWidget)
    services = schema.List(
        title=_("Services"),
        description=_(
            "The services (groups) whose agents manage the counters of this "
            "type. When none is ticked, the type has no agents: only managers "
            "see its bookings."
        ),
        value_type=SafeChoice(vocabulary="collective.rendezvous.Services"),
        required=False,
        default=[],
        missing_value=[],
    )

    options = schema.List(
        title=_("Options"),
        description=_(
            'One per line, e.g. "CNI" and "Passeport": the person booking must '
            "choose one. Leave empty when there is no choice to make."
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        missing_value=[],
        constraint=validation.check_options,
    )

    directives.widget("ants_option_reasons", RowsFieldWidget, allow_reorder=False)
    ants_option_reasons = schema.List(
        title=_("ANTS reason of each option"),
        description=_(
            'When the options are different requests, e.g. "CNI" and '
            '"Passeport": the reason each option serves on the ANTS site '
            '("None" for an option such as the withdrawal of a document, '
            "which then asks no pre-application number). An option not "
            "listed here takes the type's reason (ANTS tab)."
        ),
        value_type=DictRow(title=_("Option"), schema=IAntsOptionRow),
        required=False,
        default=[],
        missing_value=[],
        constraint=validation.check_option_rows,
    )

    @invariant
    def ants_options_exist(data):
        """Each option mapped to a reason is one of the type's options."""
        try:
            rows = data.ants_option_reasons or ()
            options = data.options or ()
        except NoInputData:
            # Not both in the data (a form without one of them).
            return
        for row in rows:
            if isinstance(row, dict) and row.get("option") not in options:
                raise Invalid(
                    _(
                        'ANTS reason of each option: "${option}" is not one of '
                        "the options of this appointment type.",
                        mapping={"option": row.get("option") or ""},
                    )
                )

    portal_visible = schema.Bool(
        title=_("Visible on the portal"),
        description=_("Unticked: only agents can book it, in the back office."),
        required=False,
        default=True,
    )

    model.fieldset(
        "ants",
        label=_("ANTS"),
        fields=["ants_reason", "ants_requires_number"],
    )

    ants_reason = schema.Choice(
        title=_("ANTS reason"),
        description=_(
            "Which request of the national identity card and passport site "
            "(ANTS) this type serves: its free slots are then offered there, "
            "when ANTS is turned on in the Rendez-vous settings."
        ),
        vocabulary="collective.rendezvous.AntsReasons",
        required=False,
        default="",
        missing_value="",
    )

    ants_requires_number = schema.Bool(
        title=_("Requires the pre-application number"),
        description=_(
            "Ticked, the person booking gives one ANTS pre-application number "
            "per document. Leave it unticked for the withdrawal of documents."
        ),
        required=False,
        default=False,
    )

    model.fieldset(
        "notifications",
        label=_("Notifications"),
        fields=["notification_overrides"],
    )

    directives.widget("notification_overrides", RowsFieldWidget, allow_reorder=False)
    notification_overrides = NotificationOverridesField(
        title=_("Notifications of this type"),
        description=_(
            "Replace the global notifications (Rendez-vous settings) for this "
            "type, event by event and channel by channel: whether it is sent, "
            "and its texts (empty: the global text). Merge fields: {0} "
            "beneficiary, {1} date, {2} counter, {3} place, {4} address, {5} "
            "appointment type, {6} duration, {7} previous date, {code} "
            "booking code, {link} private link, {option} option chosen, "
            "{bring} what to bring."
        ),
        value_type=DictRow(title=_("Notification"), schema=INotificationOverrideRow),
        required=False,
        default=[],
        missing_value=[],
    )


@implementer(IAppointmentType)
class AppointmentType(Container):
    """An appointment type."""
