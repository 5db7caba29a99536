"""Pre-application numbers of a booking (issue 14): cleaned, then checked.

A type whose ``ants_requires_number`` is on (an application for an identity
card or a passport) asks one ANTS pre-application number per document: 10
letters and digits, upper-cased. A type that does not (a "withdrawal", a
title handed over) refuses them. The booking service calls ``clean`` with
the other details (every entry point shares it) and, when the ANTS
connection is on, ``check`` just before it takes the slot:

- every number "validated" and free: the booking goes on;
- a number with appointments elsewhere: a 409 naming them (place, date,
  link), which the booker may confirm past with ``confirm_ants_warning``;
- "consumed", "declared", "unknown", "expired": a 400 with the reason;
- the hub failing or silent past ``client.STATUS_TIMEOUT``: a 503 asking to
  try again in a minute. Nothing is stored in any of these cases.
"""

from collective.rendezvous import _
from collective.rendezvous import logger
from collective.rendezvous.ants import client
from zope.i18nmessageid import Message

import re


NUMBER = re.compile(r"^[A-Z0-9]{10}$")
SEPARATORS = re.compile(r"[\s,;]+")
# A family books together; more documents than this is one appointment per
# group (what a counter can handle in one slot).
MAX_NUMBERS = 5
TRUE = ("1", "true", "on", "yes", "confirm")
DOCUMENTS_RANGE = _(
    "The number of documents is a whole number from 1 to ${max}.",
    mapping={"max": MAX_NUMBERS},
)
ONE_PERSON = _("This appointment type is booked for one person at a time.")


def documents_count(value) -> int | None:
    """``documents_number`` read strictly: 1 to MAX_NUMBERS, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= MAX_NUMBERS:
        return int(value)
    return None


def documents_shown(value, default: int = 1) -> int:
    """``documents_number`` of a page's address, read leniently: clamped to
    1 to MAX_NUMBERS; ``default`` when it is not a whole number."""
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = default
    return min(max(count, 1), MAX_NUMBERS)


def enabled() -> bool:
    """Whether the ANTS connection is on (the ``ants_enabled`` setting)."""
    return bool(client._record("ants_enabled", False))


def option_reasons(appointment_type) -> dict[str, str]:
    """option -> ANTS reason ("": none) of the options the type maps.

    Rows naming an option the type no longer has are left out.
    """
    options = set(getattr(appointment_type, "options", None) or ())
    return {
        row["option"]: row.get("reason") or ""
        for row in getattr(appointment_type, "ants_option_reasons", None) or ()
        if isinstance(row, dict) and row.get("option") in options
    }


def reason_of(appointment_type, option: str | None = None) -> str:
    """The ANTS reason of this type, or of one of its options."""
    mapped = option_reasons(appointment_type)
    if option and option in mapped:
        return mapped[option]
    return getattr(appointment_type, "ants_reason", "") or ""


def served(appointment_type) -> list[tuple[str, str | None]]:
    """(reason, option) pairs the type offers the hub, in the options' order.

    An option mapped to a reason is offered with that option chosen; the
    type's own reason is offered without an option, as long as some option
    is not mapped (or the type has none).
    """
    mapped = option_reasons(appointment_type)
    options = list(getattr(appointment_type, "options", None) or ())
    pairs = [(mapped[o], o) for o in options if mapped.get(o)]
    reason = getattr(appointment_type, "ants_reason", "") or ""
    if reason and (not options or any(o not in mapped for o in options)):
        pairs.append((reason, None))
    return pairs


def requires_numbers(appointment_type, option: str | None = None) -> bool:
    """Whether booking asks pre-application numbers (for this option).

    The type decides (``ants_requires_number``); an option mapped to no
    reason (the withdrawal of a title, say) asks none.
    """
    if not getattr(appointment_type, "ants_requires_number", False):
        return False
    if option:
        mapped = option_reasons(appointment_type)
        if option in mapped and not mapped[option]:
            return False
    return True


def meeting_point_id(place) -> str:
    """The place's identifier at the hub (its UID when none is set)."""
    return (getattr(place, "ants_meeting_point_id", "") or "").strip() or place.UID()


def split(value) -> list[str]:
    """A text (numbers separated by spaces, commas or semicolons) or a list."""
    if isinstance(value, (list, tuple)):
        value = " ".join(value)
    return [part.upper() for part in SEPARATORS.split(value or "") if part]


def clean(appointment_type, value, option: str | None = None) -> tuple[str, ...]:
    """The numbers, upper-cased, or a BookingError on ``application_ids``."""
    from collective.rendezvous.booking.service import BookingError

    numbers = split(value)
    if not requires_numbers(appointment_type, option):
        if numbers and requires_numbers(appointment_type):
            raise BookingError(
                400,
                _(
                    'The option "${option}" does not ask for pre-application numbers.',
                    mapping={"option": option},
                ),
                "application_ids",
            )
        if numbers:
            raise BookingError(
                400,
                _("This appointment type does not ask for pre-application numbers."),
                "application_ids",
            )
        return ()
    if not numbers:
        raise BookingError(
            400,
            _(
                "Give the ANTS pre-application number of each document "
                "(one per person)."
            ),
            "application_ids",
        )
    for number in numbers:
        if not NUMBER.match(number):
            raise BookingError(
                400,
                _(
                    '"${number}" is not a pre-application number: it has 10 '
                    "letters and digits, e.g. ABCDE12345.",
                    mapping={"number": number[:20]},
                ),
                "application_ids",
            )
    if len(set(numbers)) != len(numbers):
        raise BookingError(
            400,
            _("The same pre-application number is given twice."),
            "application_ids",
        )
    if len(numbers) > MAX_NUMBERS:
        raise BookingError(
            400,
            _(
                "At most ${max} pre-application numbers per appointment: book "
                "one appointment for each group of ${max} people.",
                mapping={"max": MAX_NUMBERS},
            ),
            "application_ids",
        )
    return tuple(numbers)


REFUSALS = {
    "consumed": _(
        "The pre-application ${number} has already been used for an "
        "application: it cannot be used for a new appointment."
    ),
    "declared": _(
        "The pre-application ${number} has already been filed with the ANTS: "
        "it cannot be used for a new appointment."
    ),
    "unknown": _(
        "The pre-application number ${number} is unknown to the ANTS: check "
        "it on the summary of your pre-application."
    ),
    "expired": _(
        "The pre-application ${number} has expired: make a new "
        "pre-application on ants.gouv.fr."
    ),
}


def confirmed(value) -> bool:
    return str(value or "").strip().lower() in TRUE


def check(numbers, place, confirm: bool = False) -> None:
    """Ask the hub about the numbers; a BookingError if the booking must stop."""
    from collective.rendezvous.booking.service import BookingError

    if not numbers or not enabled():
        return
    try:
        answer = client.status(list(numbers), meeting_point_id(place))
    except client.AntsError as error:
        logger.warning("ANTS status check failed: %s", error)
        raise BookingError(
            503,
            _(
                "The national pre-application service (ANTS) cannot be "
                "reached right now: nothing was booked. Please try again in "
                "a minute."
            ),
            "application_ids",
            retry_after=60,
        ) from None
    elsewhere = []
    for number in numbers:
        item = answer[number]
        state = item["status"]
        if state != "validated":
            message = REFUSALS.get(state, REFUSALS["unknown"])
            raise BookingError(
                400,
                Message(message, mapping={"number": number}),
                "application_ids",
            )
        for appointment in item["appointments"]:
            elsewhere.append(
                "{} : {}, {} ({})".format(
                    number,
                    str(appointment.get("meeting_point") or "?")[:200],
                    str(appointment.get("appointment_date") or "?")[:40],
                    str(appointment.get("management_url") or "")[:500],
                )
            )
    if elsewhere and not confirm:
        error = BookingError(
            409,
            _(
                "A pre-application given already has an appointment: "
                "${appointments}. Cancel the one you no longer need with its "
                "link, or confirm to book this one too.",
                mapping={"appointments": "; ".join(elsewhere)},
            ),
            "application_ids",
        )
        # What lets the booker go past it (the REST body names it too).
        error.confirm = "confirm_ants_warning"
        raise error
