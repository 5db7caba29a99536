"""The registry schema of the "Rendez-vous" settings and its row schemas.

The field names are the public names of ``@controlpanels/rendezvous``. Later
issues add the notification matrix and texts, the SMS gateway, the reminder
delay, quiet hours and rate limits here, each with an upgrade step that
re-imports ``registry/collective.rendezvous.controlpanels.interfaces.
IRendezvousSettings.xml``.
"""

from collective.rendezvous import _
from collective.rendezvous.content import reference_week
from collective.rendezvous.content.fields import StrictDate
from collective.rendezvous.content.validation import RendezvousValidationError
from collective.rendezvous.notifications.schema import check_matrix
from collective.rendezvous.notifications.schema import INotificationRow
from collective.rendezvous.notifications.texts import default_matrix
from collective.rendezvous.widgets import RowsFieldWidget
from collective.z3cform.datagridfield.registry import DictRow
from datetime import date
from plone.autoform import directives
from plone.supermodel import model
from z3c.form.browser.checkbox import CheckBoxFieldWidget
from zope import schema
from zope.interface import Interface

import re


PREFIX = "collective.rendezvous"

# Weekday keys, indexed like ``date.weekday()`` (0 = Monday): the field
# names of a reference week.
WEEKDAYS = reference_week.WEEKDAYS

# One closure row longer than this is almost certainly a typo in the year
# (2026 -> 2062), and would expand to tens of thousands of closed dates.
MAX_CLOSURE_DAYS = 366

QUIET_HOURS = re.compile(r"^([01]\d|2[0-3])h[0-5]\d-([01]\d|2[0-3])h[0-5]\d$")

PARTNER_TYPE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

DEFAULT_PARTNER_TYPES = [
    {"id": "particulier", "title": "Particulier"},
    {"id": "professionnel", "title": "Professionnel"},
    {"id": "association", "title": "Association"},
    {"id": "administration", "title": "Administration"},
]


def check_partner_type_id(value: str) -> bool:
    """A partner type id: lowercase ascii letters, digits and hyphens."""
    if value and not PARTNER_TYPE_ID.match(value):
        raise RendezvousValidationError(
            _(
                'The id "${id}" may only contain lowercase letters a-z, digits '
                "and hyphens, and must start with a letter or a digit.",
                mapping={"id": value},
            )
        )
    return True


def check_closures(rows) -> bool:
    """Each closure has a first and a last date, the last not before the first.

    Runs before the rows themselves are validated, so it tolerates incomplete
    rows and names the faulty one (numbered from 1) in its message.
    """
    for number, row in enumerate(rows or (), start=1):
        if not isinstance(row, dict):
            continue
        start, end = row.get("start"), row.get("end")
        label = (row.get("label") or "").strip()
        mapping = {"number": number, "label": label}
        if start is None or end is None:
            raise RendezvousValidationError(
                _(
                    "Closure ${number}: give both the first and the last date.",
                    mapping=mapping,
                )
            )
        if not (isinstance(start, date) and isinstance(end, date)):
            continue
        mapping.update(start=start.isoformat(), end=end.isoformat())
        if end < start:
            if label:
                message = _(
                    "Closure ${number} (${label}): the last date ${end} is "
                    "before the first date ${start}.",
                    mapping=mapping,
                )
            else:
                message = _(
                    "Closure ${number}: the last date ${end} is before the first "
                    "date ${start}.",
                    mapping=mapping,
                )
            raise RendezvousValidationError(message)
        if (end - start).days + 1 > MAX_CLOSURE_DAYS:
            mapping["max"] = MAX_CLOSURE_DAYS
            raise RendezvousValidationError(
                _(
                    "Closure ${number}: from ${start} to ${end} is longer than "
                    "${max} days; check the years.",
                    mapping=mapping,
                )
            )
    return True


def check_partner_types(rows) -> bool:
    """Partner type ids are well formed and unique; every row has a title.

    Runs before the rows themselves are validated: tolerates incomplete rows
    and names the faulty one (numbered from 1).
    """
    seen: dict[str, int] = {}
    for number, row in enumerate(rows or (), start=1):
        if not isinstance(row, dict):
            continue
        type_id = row.get("id") or ""
        title = row.get("title") or ""
        mapping = {"number": number, "id": type_id}
        if not isinstance(type_id, str) or not PARTNER_TYPE_ID.match(type_id):
            raise RendezvousValidationError(
                _(
                    'Partner type ${number}: the id "${id}" may only contain '
                    "lowercase letters a-z, digits and hyphens, and must start "
                    "with a letter or a digit.",
                    mapping=mapping,
                )
            )
        if type_id in seen:
            mapping["other"] = seen[type_id]
            raise RendezvousValidationError(
                _(
                    'Partner type ${number}: the id "${id}" is already used by '
                    "partner type ${other}.",
                    mapping=mapping,
                )
            )
        seen[type_id] = number
        if not isinstance(title, str) or not title.strip():
            raise RendezvousValidationError(
                _("Partner type ${number}: the title is missing.", mapping=mapping)
            )
    return True


def check_quiet_hours(value) -> bool:
    """Quiet hours: empty, or ``XXhXX-XXhXX`` (may run over midnight)."""
    if value and not QUIET_HOURS.match(value.strip()):
        raise RendezvousValidationError(
            _(
                'Write the quiet hours like "21h00-08h00" (from 21:00 to 08:00 '
                "the next morning), or leave them empty."
            )
        )
    return True


def check_url(value) -> bool:
    if value and not re.match(r"^https?://[^\s/]+[^\s]*$", value.strip()):
        raise RendezvousValidationError(
            _("Write a web address starting with https:// (or http://).")
        )
    return True


class IClosureRow(Interface):
    """One exceptional closure of every counter: a period and its reason."""

    start = StrictDate(title=_("First day"))

    end = StrictDate(title=_("Last day (included)"))

    label = schema.TextLine(
        title=_("Reason"),
        required=False,
        default="",
        missing_value="",
    )


class IPartnerTypeRow(Interface):
    """One partner type: a stable id (stored on bookings) and its title."""

    id = schema.TextLine(
        title=_("Id"),
        description=_("Lowercase letters, digits and hyphens; do not change it."),
        constraint=check_partner_type_id,
    )

    title = schema.TextLine(title=_("Title"))


class IRendezvousSettings(model.Schema):
    """The global settings of the appointment module (registry records)."""

    directives.widget("open_weekdays", CheckBoxFieldWidget)
    open_weekdays = schema.List(
        title=_("Open weekdays"),
        description=_(
            "The days of the week the counters may open. Their hours come "
            "from the reference weeks."
        ),
        value_type=schema.Choice(vocabulary="collective.rendezvous.Weekdays"),
        default=list(WEEKDAYS[:5]),
        missing_value=[],
        required=False,
    )

    holiday_region = schema.Choice(
        title=_("Public holiday calendar"),
        description=_(
            "Whose public holidays apply: metropolitan France, Alsace-Moselle "
            "or an overseas department. Save after changing it to choose the "
            "holidays kept open below."
        ),
        vocabulary="collective.rendezvous.HolidayRegions",
        default="metropole",
    )

    directives.widget("holidays_open", CheckBoxFieldWidget)
    holidays_open = schema.List(
        title=_("Public holidays kept open"),
        description=_(
            "Every public holiday is closed unless ticked here. The choice "
            "applies every year."
        ),
        value_type=schema.Choice(vocabulary="collective.rendezvous.Holidays"),
        default=[],
        missing_value=[],
        required=False,
    )

    directives.widget("closures", RowsFieldWidget)
    closures = schema.List(
        title=_("Exceptional closures"),
        description=_(
            "Periods when every counter is closed, the first and the last day "
            "included. A place or a counter can also have its own closures."
        ),
        value_type=DictRow(title=_("Closure"), schema=IClosureRow),
        default=[],
        missing_value=[],
        required=False,
        constraint=check_closures,
    )

    model.fieldset(
        "people",
        label=_("Partners and services"),
        fields=["partner_types", "service_groups"],
    )

    directives.widget("partner_types", RowsFieldWidget)
    partner_types = schema.List(
        title=_("Partner types"),
        description=_(
            "Who books: an appointment type can be restricted to some of them. "
            "The id is stored on the bookings: add new types rather than "
            "renaming an id."
        ),
        value_type=DictRow(title=_("Partner type"), schema=IPartnerTypeRow),
        default=[dict(row) for row in DEFAULT_PARTNER_TYPES],
        missing_value=[],
        required=False,
        constraint=check_partner_types,
    )

    directives.widget("service_groups", CheckBoxFieldWidget)
    service_groups = schema.List(
        title=_("Municipal services"),
        description=_(
            "The user groups that are municipal services; an appointment type "
            "is managed by some of them. Leave empty to use every group except "
            "Plone's own (Administrators, Site Administrators, Reviewers, "
            "Authenticated Users)."
        ),
        value_type=schema.Choice(vocabulary="plone.app.vocabularies.Groups"),
        default=[],
        missing_value=[],
        required=False,
    )

    model.fieldset(
        "privacy",
        label=_("Personal data"),
        fields=["anonymise_after_months", "bookings_per_hour"],
    )

    anonymise_after_months = schema.Int(
        title=_("Anonymise bookings after (months)"),
        description=_(
            "The scheduled task removes the name, e-mail, phone and comment "
            "of bookings that ended this many months ago; dates, counters, "
            "types, options and outcomes are kept for statistics. 0 keeps "
            "personal data until bookings are deleted."
        ),
        default=12,
        min=0,
        max=120,
        required=True,
    )

    bookings_per_hour = schema.Int(
        title=_("Online bookings per hour and address"),
        description=_(
            "How many bookings one connection (IP address) may make on the "
            "portal in an hour, against abuse. Agents are not limited. "
            "0 turns the limit off."
        ),
        default=10,
        min=0,
        max=10000,
        required=True,
    )

    model.fieldset(
        "notifications",
        label=_("Notifications"),
        fields=[
            "notification_matrix",
            "reminder_hours",
            "quiet_hours",
            "sms_gateway",
            "sms_gateway_url",
            "sms_gateway_token",
            "sms_sender",
            "public_url",
        ],
    )

    directives.widget("notification_matrix", RowsFieldWidget, allow_reorder=False)
    notification_matrix = schema.List(
        title=_("Notifications sent"),
        description=_(
            "One row per event: whether it is sent by e-mail and by SMS, and "
            "its texts. An event without a row is not sent. A text left empty "
            "is the default text in the site's language. Merge fields: {0} "
            "beneficiary, {1} date, {2} counter, {3} place, {4} address, {5} "
            "appointment type, {6} duration, {7} previous date, {code} booking "
            "code, {link} private link (in the booking confirmation; the "
            "appointment service's page in the other messages)."
        ),
        value_type=DictRow(title=_("Notification"), schema=INotificationRow),
        default=default_matrix(),
        missing_value=[],
        required=False,
        constraint=check_matrix,
    )

    reminder_hours = schema.Int(
        title=_("Reminder (hours before)"),
        description=_(
            "How many hours before the appointment the reminder is sent, by "
            "the scheduled task (@@rendezvous-tick). Empty: 6."
        ),
        default=6,
        min=1,
        max=168,
        required=False,
    )

    quiet_hours = schema.TextLine(
        title=_("Quiet hours"),
        description=_(
            "No reminder is sent between these hours, e.g. 21h00-08h00: a "
            "reminder due in them is sent before they start. Empty: none."
        ),
        default="21h00-08h00",
        missing_value="",
        required=False,
        constraint=check_quiet_hours,
    )

    sms_gateway = schema.Choice(
        title=_("SMS gateway"),
        description=_(
            'How SMS are sent. "Log only" writes them to the instance log '
            "and sends nothing."
        ),
        vocabulary="collective.rendezvous.SMSGateways",
        default="log",
        required=False,
    )

    sms_gateway_url = schema.TextLine(
        title=_("SMS gateway address"),
        description=_(
            "HTTP JSON gateway: the address receiving a POST of "
            '{"to": "+33612345678", "from": sender, "text": message}.'
        ),
        default="",
        missing_value="",
        required=False,
        constraint=check_url,
    )

    sms_gateway_token = schema.TextLine(
        title=_("SMS gateway token"),
        description=_('HTTP JSON gateway: sent as "Authorization: Bearer <token>".'),
        default="",
        missing_value="",
        required=False,
    )

    sms_sender = schema.TextLine(
        title=_("SMS sender"),
        description=_(
            "The sender name or number shown on the phone (at most 11 letters "
            "and digits for a name), e.g. MAIRIE."
        ),
        default="",
        missing_value="",
        max_length=16,
        required=False,
    )

    public_url = schema.TextLine(
        title=_("Public address of the site"),
        description=_(
            "The site's address as citizens reach it, e.g. "
            "https://www.ville.fr, used for the links in notifications. "
            "Empty: the address of the request, which is wrong for reminders "
            "when the scheduled task calls the back end directly."
        ),
        default="",
        missing_value="",
        required=False,
        constraint=check_url,
    )

    model.fieldset(
        "uninstall",
        label=_("Uninstall"),
        fields=["delete_settings_on_uninstall"],
    )

    delete_settings_on_uninstall = schema.Bool(
        title=_("Delete these settings when the add-on is uninstalled"),
        description=_(
            "Unticked (the default), uninstalling keeps every setting of this "
            "page and installing again finds them as they were. Ticked, "
            "uninstalling deletes them and installing again starts from the "
            "defaults."
        ),
        default=False,
        required=False,
    )
