"""Row schemas of the notification settings: the global matrix and the overrides.

The global matrix (``notification_matrix`` in the "Rendez-vous" settings)
has one row per event: whether it is sent by e-mail and by SMS, and its
texts. An appointment type's ``notification_overrides`` (R10) have one row
per event and channel: whether it is sent, and texts that replace the global
ones (empty = the global text).
"""

from collective.rendezvous import _
from collective.rendezvous.content.validation import RendezvousValidationError
from collective.rendezvous.notifications.texts import check_template
from collective.rendezvous.notifications.texts import EVENTS
from collective.rendezvous.notifications.texts import PARTS
from zope import schema
from zope.interface import implementer
from zope.interface import Interface
from zope.schema.interfaces import IList
from zope.schema.interfaces import IText


TEXT_HELP = _(
    "Merge fields: {0} beneficiary, {1} date, {2} counter, {3} place, {4} "
    "address, {5} appointment type, {6} duration, {7} previous date, {code} "
    "booking code, {link} private link, {option} option chosen, {bring} what "
    "to bring (a line whose {option} or {bring} is empty is left out)."
)

SMS_HELP = _(
    "One SMS holds 160 characters (70 with characters such as ç or œ); "
    "longer texts are sent as several messages. Merge fields: {0} … {7}, "
    "{code}, {link}, {option}, {bring}."
)


class ISMSText(IText):
    """An SMS text: its edit widget shows its length (``sms_input.pt``)."""


@implementer(ISMSText)
class SMSText(schema.Text):
    """The text of an SMS."""


class INotificationRow(Interface):
    """One event of the global matrix: its channels and texts."""

    event = schema.Choice(
        title=_("Event"),
        vocabulary="collective.rendezvous.NotificationEvents",
    )

    mail = schema.Bool(title=_("By e-mail"), required=False, default=False)

    sms = schema.Bool(title=_("By SMS"), required=False, default=False)

    subject = schema.TextLine(
        title=_("E-mail subject"),
        description=TEXT_HELP,
        required=False,
        default="",
        missing_value="",
        constraint=check_template,
    )

    mail_body = schema.Text(
        title=_("E-mail text"),
        description=TEXT_HELP,
        required=False,
        default="",
        missing_value="",
        constraint=check_template,
    )

    sms_body = SMSText(
        title=_("SMS text"),
        description=SMS_HELP,
        required=False,
        default="",
        missing_value="",
        constraint=check_template,
    )


class INotificationOverrideRow(Interface):
    """One event and channel of an appointment type: sent or not, and texts."""

    event = schema.Choice(
        title=_("Event"),
        vocabulary="collective.rendezvous.NotificationEvents",
    )

    channel = schema.Choice(
        title=_("Channel"),
        vocabulary="collective.rendezvous.NotificationChannels",
    )

    send = schema.Bool(
        title=_("Sent"),
        description=_("Unticked: this notification is not sent for this type."),
        required=False,
        default=True,
    )

    subject = schema.TextLine(
        title=_("E-mail subject"),
        description=_("E-mail only; empty: the global subject."),
        required=False,
        default="",
        missing_value=None,  # a REST row may leave it out
        constraint=check_template,
    )

    body = schema.Text(
        title=_("Text"),
        description=_(
            "Empty: the global text. Merge fields: {0} … {7}, {code}, {link}, "
            "{option}, {bring}."
        ),
        required=False,
        default="",
        missing_value=None,  # a REST row may leave it out
        constraint=check_template,
    )


def _text_error(number, name, error, mapping_extra=None):
    mapping = {"number": number, "column": name, "message": error.doc()}
    mapping.update(mapping_extra or {})
    return RendezvousValidationError(
        _('Notification ${number}, "${column}": ${message}', mapping=mapping)
    )


def check_matrix(rows) -> bool:
    """Each event once; every text's merge fields known (rows numbered from 1)."""
    seen = {}
    for number, row in enumerate(rows or (), start=1):
        if not isinstance(row, dict):
            continue
        event = row.get("event")
        if event in seen:
            raise RendezvousValidationError(
                _(
                    'Notification ${number}: the event "${event}" is already '
                    "set in notification ${other}.",
                    mapping={"number": number, "event": event, "other": seen[event]},
                )
            )
        seen[event] = number
        for part in PARTS:
            try:
                check_template(row.get(part))
            except RendezvousValidationError as error:
                raise _text_error(number, part, error) from None
    return True


def check_overrides(rows) -> bool:
    """Rows of a type: known event and channel, each pair once, valid texts."""
    seen = {}
    for number, row in enumerate(rows or (), start=1):
        if not isinstance(row, dict):
            raise RendezvousValidationError(
                _(
                    "Notification ${number} must have an event, a channel and "
                    "whether it is sent.",
                    mapping={"number": number},
                )
            )
        event, channel = row.get("event"), row.get("channel")
        mapping = {"number": number, "event": event, "channel": channel}
        if event not in EVENTS:
            raise RendezvousValidationError(
                _(
                    'Notification ${number}: "${event}" is not an event; the '
                    "events are: ${events}.",
                    mapping=dict(mapping, events=", ".join(EVENTS)),
                )
            )
        if channel not in ("mail", "sms"):
            raise RendezvousValidationError(
                _(
                    'Notification ${number}: "${channel}" is not a channel; '
                    "write mail or sms.",
                    mapping=mapping,
                )
            )
        if (event, channel) in seen:
            raise RendezvousValidationError(
                _(
                    "Notification ${number}: ${event} by ${channel} is already "
                    "set in notification ${other}.",
                    mapping=dict(mapping, other=seen[(event, channel)]),
                )
            )
        seen[(event, channel)] = number
        for part in ("subject", "body"):
            try:
                check_template(row.get(part))
            except RendezvousValidationError as error:
                raise _text_error(number, part, error) from None
    return True


class INotificationOverridesField(IList):
    """The ``notification_overrides`` field of appointment types."""


@implementer(INotificationOverridesField)
class NotificationOverridesField(schema.List):
    """An appointment type's overrides, checked as a whole with clear messages.

    Runs before the rows' own validation, which could only say "wrong
    contained type".
    """

    def _validate(self, value):
        check_overrides(value)
        super()._validate(value)


OVERRIDE_COLUMNS = ("event", "channel", "send", "subject", "body")


def override_rows(value) -> list[dict]:
    """Rows of overrides read from JSON, with clear messages (REST).

    Columns left out are empty (``send``: true); ``check_overrides`` then
    checks the rows as a whole.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise RendezvousValidationError(
            _("The notifications of a type must be a list of rows.")
        )
    rows = []
    for number, raw in enumerate(value, start=1):
        mapping = {"number": number, "columns": ", ".join(OVERRIDE_COLUMNS)}
        if not isinstance(raw, dict):
            raise RendezvousValidationError(
                _(
                    "Notification ${number} must be an object with: ${columns}.",
                    mapping=mapping,
                )
            )
        for key in raw:
            if key not in OVERRIDE_COLUMNS and not key.startswith("@"):
                raise RendezvousValidationError(
                    _(
                        'Notification ${number}: unknown column "${column}"; the '
                        "columns are: ${columns}.",
                        mapping=dict(mapping, column=key),
                    )
                )
        row = {}
        for key in ("event", "channel", "subject", "body"):
            cell = raw.get(key)
            if isinstance(cell, dict):  # a choice as GET may give it
                cell = cell.get("token")
            if cell is not None and not isinstance(cell, str):
                raise RendezvousValidationError(
                    _(
                        'Notification ${number}: "${column}" must be a text.',
                        mapping=dict(mapping, column=key),
                    )
                )
            row[key] = (cell or "").strip()
        row["subject"] = row["subject"] or None
        row["body"] = row["body"] or None
        row["send"] = raw.get("send") is not False
        rows.append(row)
    return rows
