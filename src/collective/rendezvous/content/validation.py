"""Field validation shared by forms and plone.restapi: clear, translated messages.

Both z3c.form and plone.restapi's deserializer catch ``zope.schema``
``ValidationError`` and show ``error.doc()`` next to the field (REST: 400
naming the field), so every refusal here is a ``RendezvousValidationError``
whose ``doc()`` is a translatable message.
"""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from zope.i18nmessageid import Message
from zope.schema import ValidationError


class RendezvousValidationError(ValidationError):
    """A refused value, with a message a person understands."""

    def __init__(self, message: Message | str):
        super().__init__(message)
        self.message = message

    def doc(self) -> Message | str:
        return self.message

    def __str__(self) -> str:
        return str(self.message)


def message_of(error: scheduling.SchedulingError) -> Message:
    """The translatable message of an error raised by the slot engine."""
    return _(error.msgid, default=error.default, mapping=error.mapping)


def engine_check(check, value):
    """Run an engine parser; turn its refusal into a field validation error."""
    try:
        return check(value)
    except scheduling.SchedulingError as error:
        raise RendezvousValidationError(message_of(error)) from error


def check_range(value: str) -> bool:
    engine_check(scheduling.parse_range, value)
    return True


def check_day(lines) -> bool:
    engine_check(scheduling.parse_day, list(lines or ()))
    return True


def check_horizon(value: str) -> bool:
    engine_check(scheduling.parse_horizon, value)
    return True


def check_notice(value: str) -> bool:
    if value:
        engine_check(scheduling.parse_notice, value)
    return True


def check_duration(value: int) -> bool:
    engine_check(scheduling.validate_duration, value)
    return True


def check_options(options) -> bool:
    seen = set()
    for option in options or ():
        label = option.strip()
        if not label:
            raise RendezvousValidationError(_("An option cannot be empty."))
        if label.lower() in seen:
            raise RendezvousValidationError(
                _(
                    'The option "${option}" is listed twice.',
                    mapping={"option": label},
                )
            )
        seen.add(label.lower())
    return True


def check_option_rows(rows) -> bool:
    """ANTS reasons of options: each option once, and named."""
    seen = set()
    for row in rows or ():
        if not isinstance(row, dict):
            continue  # a row the form could not read: refused by the grid
        option = (row.get("option") or "").strip()
        if not option:
            raise RendezvousValidationError(_("An option cannot be empty."))
        if option in seen:
            raise RendezvousValidationError(
                _(
                    'The option "${option}" is listed twice.',
                    mapping={"option": option},
                )
            )
        seen.add(option)
    return True


def check_periods(rows) -> bool:
    """Closure rows: each period has a start and an end that is not before it."""
    for row in rows or ():
        start, end = row.get("start"), row.get("end")
        if start is None or end is None:
            raise RendezvousValidationError(
                _("Each period needs a first and a last date.")
            )
        if end < start:
            raise RendezvousValidationError(
                _(
                    "The period from ${start} to ${end} ends before it starts.",
                    mapping={"start": start.isoformat(), "end": end.isoformat()},
                )
            )
    return True
