"""Notification texts: the seven events, the shipped defaults, merge fields.

A text is plain text with merge fields between braces (R7):

``{0}`` beneficiary, ``{1}`` appointment date, ``{2}`` counter, ``{3}`` place
name, ``{4}`` place address, ``{5}`` appointment type, ``{6}`` duration,
``{7}`` previous appointment date (moves), and named ones: ``{code}`` the
booking code, ``{link}`` the citizen's private link when it is known (the
"created" message), the appointment service's page otherwise, ``{option}``
the option chosen and ``{bring}`` the type's "what to bring" text. A line
whose only merge fields are ``{option}`` or ``{bring}``, all empty, is left
out (and the blank line it leaves), so that one text suits types with and
without them. ``{{`` and ``}}`` write a literal brace.

Shipped defaults replaced by a new version stay in ``LEGACY_TEXTS``: a site
that stored an older default (``fill_default_texts``) gets the new one.

The shipped defaults (R8) are i18n messages: English in the code, French in
``locales/fr``. They are written into the settings in the site's language
when the profile is installed (``fill_default_texts``); a text left empty, or
still equal to a shipped default in any language, is sent as the shipped
default in the site's language, so an untouched set-up follows the site.

Texts are checked when they are saved (``check_template``): an unknown field
(``{9}``) or a brace out of place is refused with a message; rendering never
fails at send time.
"""

from collective.rendezvous import _
from collective.rendezvous.content.validation import RendezvousValidationError
from string import Formatter
from zope.i18n import translate

import datetime


# -- events and channels -------------------------------------------------------

CREATED = "created"
REMINDER = "reminder"
MOVED = "moved"
ABSENT = "absent"
UNSCHEDULED = "unscheduled"
CANCELLED_CITIZEN = "cancelled_citizen"
CANCELLED_AGENT = "cancelled_agent"

EVENTS = (
    CREATED,
    REMINDER,
    MOVED,
    ABSENT,
    UNSCHEDULED,
    CANCELLED_CITIZEN,
    CANCELLED_AGENT,
)

EVENT_TITLES = {
    CREATED: _("Booking created"),
    REMINDER: _("Reminder"),
    MOVED: _("Date changed"),
    ABSENT: _("Absence"),
    UNSCHEDULED: _("Unscheduled by a planning change"),
    CANCELLED_CITIZEN: _("Cancelled by the citizen"),
    CANCELLED_AGENT: _("Cancelled by an agent"),
}

MAIL = "mail"
SMS = "sms"
CHANNELS = (MAIL, SMS)
CHANNEL_TITLES = {MAIL: _("E-mail"), SMS: _("SMS")}

# What is sent out of the box (R6): every event by mail; by SMS too when the
# citizen must act or come (the SMS gateway logs only until one is set up).
DEFAULT_CHANNELS = {
    CREATED: (MAIL, SMS),
    REMINDER: (MAIL, SMS),
    MOVED: (MAIL, SMS),
    ABSENT: (MAIL,),
    UNSCHEDULED: (MAIL, SMS),
    CANCELLED_CITIZEN: (MAIL,),
    CANCELLED_AGENT: (MAIL, SMS),
}

# The parts of a message: the mail's subject and body, the SMS body.
SUBJECT = "subject"
MAIL_BODY = "mail_body"
SMS_BODY = "sms_body"
PARTS = (SUBJECT, MAIL_BODY, SMS_BODY)


# -- the shipped default texts (R8) -------------------------------------------

_SIGNATURE = "\n\n-- \n{3}\n{4}"

DEFAULT_TEXTS = {
    CREATED: {
        SUBJECT: _(
            "notification_created_subject",
            default="Your appointment on {1} is booked",
        ),
        MAIL_BODY: _(
            "notification_created_mail_body_2",
            default="Hello {0},\n\n"
            "Your appointment is booked:\n\n"
            "{5}\n"
            "Option: {option}\n"
            "Date: {1}\n"
            "Duration: {6}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "What to bring: {bring}\n\n"
            "Your booking code: {code}\n\n"
            "To cancel or move this appointment, use your private link:\n"
            "{link}\n\n"
            "The appointment is attached to this message (.ics file): open it "
            "to add it to your calendar." + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_created_sms_body",
            default="Appointment {5} booked on {1}, {3} ({2}). Code {code}. "
            "Cancel or move: {link}",
        ),
    },
    REMINDER: {
        SUBJECT: _(
            "notification_reminder_subject",
            default="Reminder: your appointment on {1}",
        ),
        MAIL_BODY: _(
            "notification_reminder_mail_body_2",
            default="Hello {0},\n\n"
            "This is a reminder of your appointment:\n\n"
            "{5}\n"
            "Option: {option}\n"
            "Date: {1}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "What to bring: {bring}\n\n"
            "Your booking code: {code}. If you cannot come, please cancel it "
            "with the link of your confirmation e-mail so that someone else "
            "can have the slot." + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_reminder_sms_body",
            default="Reminder: appointment {5} on {1}, {3} ({2}). Code {code}.",
        ),
    },
    MOVED: {
        SUBJECT: _(
            "notification_moved_subject",
            default="Your appointment is moved to {1}",
        ),
        MAIL_BODY: _(
            "notification_moved_mail_body_2",
            default="Hello {0},\n\n"
            "Your appointment of {7} is moved:\n\n"
            "{5}\n"
            "Option: {option}\n"
            "New date: {1}\n"
            "Duration: {6}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "What to bring: {bring}\n\n"
            "Your booking code is still {code}; the link of your confirmation "
            "e-mail still lets you cancel or move it. The new appointment is "
            "attached to this message (.ics file)." + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_moved_sms_body",
            default="Your appointment {5} of {7} is moved to {1}, {3} ({2}). "
            "Code {code}.",
        ),
    },
    ABSENT: {
        SUBJECT: _(
            "notification_absent_subject",
            default="Missed appointment on {1}",
        ),
        MAIL_BODY: _(
            "notification_absent_mail_body",
            default="Hello {0},\n\n"
            "You did not come to your appointment {5} on {1} ({3}).\n\n"
            "If you still need it, you can book a new appointment here:\n"
            "{link}" + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_absent_sms_body",
            default="You missed your appointment {5} on {1}. New appointment: {link}",
        ),
    },
    UNSCHEDULED: {
        SUBJECT: _(
            "notification_unscheduled_subject",
            default="Your appointment on {1} cannot take place",
        ),
        MAIL_BODY: _(
            "notification_unscheduled_mail_body",
            default="Hello {0},\n\n"
            "After a change in our opening hours, your appointment {5} on {1} "
            "({3}, {2}) cannot take place. We apologise for the inconvenience."
            "\n\n"
            "Please choose another time with the link of your confirmation "
            "e-mail (booking code {code}), or book a new appointment here:\n"
            "{link}" + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_unscheduled_sms_body",
            default="Your appointment {5} on {1} cannot take place (planning "
            "change). Choose another time with the link of your confirmation "
            "e-mail (code {code}).",
        ),
    },
    CANCELLED_CITIZEN: {
        SUBJECT: _(
            "notification_cancelled_citizen_subject",
            default="Cancellation of your appointment on {1}",
        ),
        MAIL_BODY: _(
            "notification_cancelled_citizen_mail_body",
            default="Hello {0},\n\n"
            "Your appointment {5} on {1} ({3}) is cancelled, as you asked.\n\n"
            "You can book a new appointment at any time here:\n"
            "{link}" + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_cancelled_citizen_sms_body",
            default="Your appointment {5} on {1} is cancelled.",
        ),
    },
    CANCELLED_AGENT: {
        SUBJECT: _(
            "notification_cancelled_agent_subject",
            default="Your appointment on {1} is cancelled",
        ),
        MAIL_BODY: _(
            "notification_cancelled_agent_mail_body",
            default="Hello {0},\n\n"
            "We are sorry to tell you that your appointment {5} on {1} ({3}) "
            "has been cancelled by our services.\n\n"
            "You can book a new appointment here:\n"
            "{link}" + _SIGNATURE,
        ),
        SMS_BODY: _(
            "notification_cancelled_agent_sms_body",
            default="Your appointment {5} on {1} has been cancelled by our "
            "services. New appointment: {link}",
        ),
    },
}

# Shipped defaults of earlier versions (without {option} and {bring}): a
# stored text equal to one of them is sent as today's default.
LEGACY_TEXTS = {
    CREATED: {
        MAIL_BODY: _(
            "notification_created_mail_body",
            default="Hello {0},\n\n"
            "Your appointment is booked:\n\n"
            "{5}\n"
            "Date: {1}\n"
            "Duration: {6}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "Your booking code: {code}\n\n"
            "To cancel or move this appointment, use your private link:\n"
            "{link}\n\n"
            "The appointment is attached to this message (.ics file): open it "
            "to add it to your calendar." + _SIGNATURE,
        ),
    },
    REMINDER: {
        MAIL_BODY: _(
            "notification_reminder_mail_body",
            default="Hello {0},\n\n"
            "This is a reminder of your appointment:\n\n"
            "{5}\n"
            "Date: {1}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "Your booking code: {code}. If you cannot come, please cancel it "
            "with the link of your confirmation e-mail so that someone else "
            "can have the slot." + _SIGNATURE,
        ),
    },
    MOVED: {
        MAIL_BODY: _(
            "notification_moved_mail_body",
            default="Hello {0},\n\n"
            "Your appointment of {7} is moved:\n\n"
            "{5}\n"
            "New date: {1}\n"
            "Duration: {6}\n"
            "Place: {3}, {2}\n"
            "Address: {4}\n\n"
            "Your booking code is still {code}; the link of your confirmation "
            "e-mail still lets you cancel or move it. The new appointment is "
            "attached to this message (.ics file)." + _SIGNATURE,
        ),
    },
}

# The languages the defaults are shipped in (locales/).
SHIPPED_LANGUAGES = ("fr", "en")


def default_matrix() -> list[dict]:
    """The settings' matrix out of the box: channels on, texts empty (defaults)."""
    return [
        {
            "event": event,
            "mail": MAIL in DEFAULT_CHANNELS[event],
            "sms": SMS in DEFAULT_CHANNELS[event],
            SUBJECT: "",
            MAIL_BODY: "",
            SMS_BODY: "",
        }
        for event in EVENTS
    ]


def site_language() -> str:
    """The site's language (``plone.default_language``), e.g. ``fr``."""
    from plone import api

    language = api.portal.get_registry_record("plone.default_language", default="")
    return (language or "en").split("-")[0].lower()


def default_text(event: str, part: str, language: str) -> str:
    """A shipped default text in a language (English when not translated)."""
    return translate(DEFAULT_TEXTS[event][part], target_language=language)


def is_shipped(event: str, part: str, text: str) -> bool:
    """Whether a text is empty or a shipped default in one of its languages."""
    text = (text or "").strip()
    if not text:
        return True
    messages = [DEFAULT_TEXTS[event][part]]
    legacy = LEGACY_TEXTS.get(event, {}).get(part)
    if legacy is not None:
        messages.append(legacy)
    for message in messages:
        if text == message.default.strip():
            return True
        if any(
            text == translate(message, target_language=language).strip()
            for language in SHIPPED_LANGUAGES
        ):
            return True
    return False


def effective_text(event: str, part: str, text: str, language: str) -> str:
    """The text to send: the stored one, or the shipped default if untouched."""
    if is_shipped(event, part, text):
        return default_text(event, part, language)
    return text


def fill_default_texts(rows, language: str) -> list[dict]:
    """The matrix with its empty texts set to the defaults in a language."""
    filled = []
    for row in rows or ():
        row = dict(row)
        event = row.get("event")
        if event in DEFAULT_TEXTS:
            for part in PARTS:
                if not (row.get(part) or "").strip():
                    row[part] = default_text(event, part, language)
        filled.append(row)
    return filled


# -- merge fields (R7) ---------------------------------------------------------

NUMBERED = tuple(str(n) for n in range(8))
NAMED = ("code", "link", "option", "bring")
FIELDS = NUMBERED + NAMED
FIELDS_HELP = "{0} … {7}, {code}, {link}, {option}, {bring}"
# Fields whose line is left out when they are empty.
OPTIONAL = ("option", "bring")

_formatter = Formatter()


def check_template(text) -> bool:
    """A text's merge fields are known and its braces balanced; else refused."""
    if not text:
        return True
    try:
        parsed = list(_formatter.parse(text))
    except ValueError:
        raise RendezvousValidationError(
            _(
                "A brace is out of place: merge fields are written between "
                "braces, like {0} or {code}; write {{ or }} for a brace in "
                "the text."
            )
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            shown = "{" + name
            if conversion:
                shown += "!" + conversion
            if spec:
                shown += ":" + spec
            shown += "}"
            raise RendezvousValidationError(
                _(
                    'Unknown merge field "${field}": the merge fields are ${fields}.',
                    mapping={"field": shown, "fields": FIELDS_HELP},
                )
            )
    return True


def render(text: str, values: dict) -> str:
    """Fill a checked text's merge fields (unknown ones become empty).

    A line whose only merge fields are optional ones (``OPTIONAL``), all
    empty, is left out, and so is a blank line that would then be doubled.
    """
    lines = []
    after_dropped = False
    for line in (text or "").split("\n"):
        parts = []
        names = []
        for literal, name, _spec, _conversion in _formatter.parse(line):
            parts.append(literal)
            if name is not None:
                names.append(name)
                parts.append(str(values.get(name, "")))
        if (
            names
            and all(name in OPTIONAL for name in names)
            and not any(str(values.get(name, "")).strip() for name in names)
        ):
            after_dropped = True
            continue
        rendered = "".join(parts)
        if after_dropped and not rendered.strip() and lines and not lines[-1].strip():
            continue
        after_dropped = False
        lines.append(rendered)
    return "\n".join(lines)


def safe_render(text: str, values: dict, fallback: str) -> str:
    """``render``, or the fallback text for a stored text that is not valid.

    Texts are checked when saved; one written to the registry some other way
    must still not stop a notification.
    """
    try:
        check_template(text)
    except RendezvousValidationError:
        text = fallback
    return render(text, values)


# -- dates and durations in the site's language ---------------------------------

# Written "mardi 1 décembre 2026 à 09h00" (fr) and
# "Tuesday 1 December 2026 at 09:00" (en and others).
_MOMENT = {
    "fr": "{day} à {hour:02d}h{minute:02d}",
    "en": "{day} at {hour:02d}:{minute:02d}",
}
_DURATION = {
    "fr": ("{n} minute", "{n} minutes", "{h} heure", "{h} heures", "{h} h {m:02d}"),
    "en": ("{n} minute", "{n} minutes", "{h} hour", "{h} hours", "{h} h {m:02d}"),
}


def _calendar(language: str):
    from zope.i18n.locales import locales

    try:
        locale = locales.getLocale(language)
    except Exception:
        locale = locales.getLocale("en")
    return locale.dates.calendars["gregorian"]


def format_day(day: datetime.date, language: str) -> str:
    names = _calendar(language)
    weekday = names.getDayNames()[day.weekday()]
    month = names.getMonthNames()[day.month - 1]
    if language != "fr":
        weekday, month = weekday.capitalize(), month.capitalize()
    return f"{weekday} {day.day} {month} {day.year}"


def format_moment(moment: datetime.datetime | None, language: str) -> str:
    """A wall-clock moment, e.g. "mardi 1 décembre 2026 à 09h00"."""
    if moment is None:
        return ""
    pattern = _MOMENT.get(language, _MOMENT["en"])
    return pattern.format(
        day=format_day(moment.date(), language),
        hour=moment.hour,
        minute=moment.minute,
    )


def format_duration(minutes: int | None, language: str) -> str:
    """e.g. "20 minutes", "1 heure", "1 h 30"."""
    if not minutes:
        return ""
    one_minute, minutes_, one_hour, hours_, mixed = _DURATION.get(
        language, _DURATION["en"]
    )
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return (one_minute if rest == 1 else minutes_).format(n=rest)
    if not rest:
        return (one_hour if hours == 1 else hours_).format(h=hours)
    return mixed.format(h=hours, m=rest)


# -- SMS length ----------------------------------------------------------------

_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€")


def sms_parts(text: str) -> tuple[int, int]:
    """(characters, messages) of an SMS: 160/153 in GSM 7-bit, 70/67 otherwise."""
    text = text or ""
    if all(char in _GSM or char in _GSM_EXTENDED for char in text):
        length = sum(2 if char in _GSM_EXTENDED else 1 for char in text)
        single, multi = 160, 153
    else:
        length = len(text)
        single, multi = 70, 67
    if length <= single:
        return length, 1 if length else 0
    return length, -(-length // multi)
