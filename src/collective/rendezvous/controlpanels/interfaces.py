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
from collective.rendezvous.notifications.gateways import secure_url
from collective.rendezvous.notifications.schema import check_matrix
from collective.rendezvous.notifications.schema import INotificationRow
from collective.rendezvous.notifications.texts import default_matrix
from collective.rendezvous.phones import DEFAULT_REGION
from collective.rendezvous.phones import FRENCH_REGIONS
from collective.rendezvous.widgets import RowsFieldWidget
from collective.rendezvous.widgets import SecretFieldWidget
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


def check_gateway_url(value) -> bool:
    """The SMS gateway's address: https, since its token is sent to it.

    http:// only to this machine (localhost, 127.0.0.1, ::1): a local relay,
    or the tests' fake gateway.
    """
    check_url(value)
    if value and not secure_url(value):
        raise RendezvousValidationError(
            _(
                "The SMS gateway's address must start with https:// (its token "
                "is sent with every message); http:// is accepted only for "
                "this machine (localhost, 127.0.0.1, ::1)."
            )
        )
    return True


def check_ants_url(value) -> bool:
    """The custom ANTS address: https, or http:// to this machine only (the
    outbound token is sent to it)."""
    if value and not secure_url(value):
        raise RendezvousValidationError(
            _(
                "The ANTS address must start with https:// (the token is sent "
                "to it); http:// is accepted only for this machine (localhost, "
                "127.0.0.1, ::1)."
            )
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
            "is managed by those of them it names. Only the groups ticked here "
            "are services: when none is ticked, no group is, and only managers "
            "see the bookings."
        ),
        value_type=schema.Choice(vocabulary="plone.app.vocabularies.Groups"),
        default=[],
        missing_value=[],
        required=False,
    )

    model.fieldset(
        "privacy",
        label=_("Personal data"),
        fields=["anonymise_after_months", "bookings_per_hour", "bookings_per_contact"],
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

    bookings_per_contact = schema.Int(
        title=_("Appointments to come per e-mail address and phone number"),
        description=_(
            "How many appointments still to come (booked, or waiting for a "
            "new date) one e-mail address, and one phone number, may have "
            "when booking on the portal, against abuse. Appointments booked "
            "by agents count, but agents may always book. 0 turns the limit "
            "off. Empty: 3."
        ),
        default=3,
        min=0,
        max=1000,
        required=False,
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
            "phone_region",
            "sms_countries",
            "mail_smtputf8",
            "site_url",
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
            "appointment service's page in the other messages), {option} "
            "option chosen, {bring} what to bring (a line whose {option} or "
            "{bring} is empty is left out)."
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
        constraint=check_gateway_url,
    )

    # Write-only: never shown by the form or returned by GET (the REST
    # serializer leaves it out); the form keeps it when left empty.
    directives.widget("sms_gateway_token", SecretFieldWidget)
    sms_gateway_token = schema.TextLine(
        title=_("SMS gateway token"),
        description=_(
            'HTTP JSON gateway: sent as "Authorization: Bearer <token>". It '
            "is never shown again once saved: leave the field empty to keep "
            "the stored token, type a new one to replace it."
        ),
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
            "https://www.ville.fr: every link in notifications and the "
            "identifiers of calendar events are written with it, never with "
            "the address a request came through. Set at installation from "
            "the site's address. Empty: the address stored at installation."
        ),
        default="",
        missing_value="",
        required=False,
        constraint=check_url,
    )

    directives.mode(site_url="display")
    site_url = schema.TextLine(
        title=_("Address of the site at installation"),
        description=_(
            "Stored when the add-on was installed; used for the links in "
            "notifications when the public address is empty."
        ),
        default="",
        missing_value="",
        required=False,
        constraint=check_url,
    )

    phone_region = schema.Choice(
        title=_("Region of phone numbers"),
        description=_(
            "How a phone number written without its country code (e.g. "
            "06 12 34 56 78) is read. A place can have its own region (e.g. "
            "La Réunion for 0692 12 34 56)."
        ),
        vocabulary="collective.rendezvous.PhoneRegions",
        default=DEFAULT_REGION,
        required=False,
    )

    sms_countries = schema.List(
        title=_("SMS countries"),
        description=_(
            "SMS are sent only to mobile numbers of these countries and "
            "territories; a booking with another number is accepted but gets "
            "no SMS (noted in its notification log). Keep the list short: "
            "each SMS abroad is paid for."
        ),
        value_type=schema.Choice(vocabulary="collective.rendezvous.PhoneRegions"),
        default=list(FRENCH_REGIONS),
        missing_value=[],
        required=False,
    )

    mail_smtputf8 = schema.Bool(
        title=_("The mail server accepts addresses with accents (SMTPUTF8)"),
        description=_(
            "Tick only if the site's mail server (Site Setup > Mail) offers "
            "SMTPUTF8: then addresses such as zoé@exemple.fr are accepted. "
            "Unticked, such addresses are refused when booking; addresses "
            "whose domain only has accents (x@bücher.example) are always "
            "accepted and sent to the domain's international (IDNA) form."
        ),
        default=False,
        required=False,
    )

    model.fieldset(
        "ants",
        label=_("ANTS"),
        fields=[
            "ants_enabled",
            "ants_hub_token_hash",
            "ants_token",
            "ants_environment",
            "ants_custom_url",
        ],
    )

    ants_enabled = schema.Bool(
        title=_("Connected to the ANTS national appointment hub"),
        description=_(
            "Ticked, the national hub (rendezvouspasseport.ants.gouv.fr) may "
            "read the meeting points and free slots of the appointment types "
            "that serve an ANTS reason, and the appointments booked with a "
            "pre-application number, and the site declares those appointments "
            "to the ANTS anti-duplication service. Unticked, the hub is "
            "refused and nothing new is declared, but the appointments already "
            "declared are still withdrawn when they are cancelled or moved "
            "(with the token below)."
        ),
        default=False,
        required=False,
    )

    # Write-only: the form and PATCH take the token in clear and store its
    # SHA-256 (hexadecimal); GET never returns it.
    directives.widget("ants_hub_token_hash", SecretFieldWidget)
    ants_hub_token_hash = schema.TextLine(
        title=_("Token of the hub (X-HUB-RDV-AUTH-TOKEN)"),
        description=_(
            "The token the national hub sends with its requests, given by the "
            "ANTS. Only its fingerprint (SHA-256) is stored and it is never "
            "shown again: leave the field empty to keep it, type a new one to "
            "replace it."
        ),
        default="",
        missing_value="",
        required=False,
    )

    # Write-only, like the SMS gateway token.
    directives.widget("ants_token", SecretFieldWidget)
    ants_token = schema.TextLine(
        title=_("Token sent to the ANTS (x-rdv-opt-auth-token)"),
        description=_(
            "The token this site sends to the ANTS anti-duplication service. "
            "It is never shown again once saved: leave the field empty to "
            "keep it, type a new one to replace it."
        ),
        default="",
        missing_value="",
        required=False,
    )

    ants_environment = schema.Choice(
        title=_("ANTS environment"),
        description=_(
            "Production, the ANTS integration (test) environment, or the "
            "custom address below (tests)."
        ),
        vocabulary="collective.rendezvous.AntsEnvironments",
        default="integration",
        required=False,
    )

    ants_custom_url = schema.URI(
        title=_("Custom ANTS address"),
        description=_(
            'Used when the environment is "Custom address", e.g. '
            "https://ants.example.org/api; http:// only on this machine."
        ),
        required=False,
        constraint=check_ants_url,
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
