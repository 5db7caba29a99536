"""Book, move, cancel and mark bookings, keeping the counters' slots in step.

The guard (X2): taking a slot rewrites the counter's day record
(``DaySlots.take``). Two transactions booking the same counter-day write the
same persistent object, so ZODB raises a ConflictError for the second one;
Zope retries the request, the retry sees the slot taken and answers 409.
Nothing here relies on a check-then-write of data that concurrent
transactions would merge silently (BTree containers, the catalog), and a
booking writes nothing site-wide: bookings are not cataloged (see index.py),
and the limits against abuse write one entry of one shard of each of their
tables (see ratelimit.py).
"""

from Acquisition import aq_base
from collective.rendezvous import _
from collective.rendezvous import addresses
from collective.rendezvous import phones
from collective.rendezvous import scheduling
from collective.rendezvous.ants import numbers as ants_numbers
from collective.rendezvous.booking import codes
from collective.rendezvous.booking import index
from collective.rendezvous.booking import ratelimit
from collective.rendezvous.content.appointment_type import IAppointmentType
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.interfaces import BookingAbsentEvent
from collective.rendezvous.interfaces import BookingAttendedEvent
from collective.rendezvous.interfaces import BookingCancelledEvent
from collective.rendezvous.interfaces import BookingCreatedEvent
from collective.rendezvous.interfaces import BookingMovedEvent
from collective.rendezvous.interfaces import BookingUnscheduledEvent
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import MANAGE_BOOKINGS
from collective.rendezvous.slots.query import offered_counters
from collective.rendezvous.slots.query import to_datetime
from collective.rendezvous.slots.store import get_store
from dataclasses import dataclass
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.dexterity.utils import createContent
from zope.event import notify
from zope.lifecycleevent import ObjectAddedEvent

import datetime
import random
import re


EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ACTIVE_STATES = ("booked",)


class BookingError(Exception):
    """A refused request: HTTP status, the field concerned, a message.

    ``retry_after``: for a 429, the seconds after which the request may be
    accepted (the ``Retry-After`` header).
    """

    def __init__(
        self,
        status: int,
        message,
        field: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.retry_after = retry_after
        # Every refused field when several are (see ``clean_details``).
        self.errors = {field: message} if field else {}


@dataclass
class Request:
    """A booking request, as every entry point gives it to ``book``."""

    type: str = ""
    start: str = ""
    counter: str = ""
    place: str = ""
    option: str = ""
    beneficiary: str = ""
    email: str = ""
    phone: str = ""
    partner_type: str = ""
    comment: str = ""
    # ANTS pre-application numbers (issue 14): a text or a list of texts.
    application_ids: str = ""
    confirm_ants_warning: str = ""
    # How many documents (one slot and one number each); by default, as
    # many as numbers given.
    documents_number: str = ""

    @classmethod
    def from_dict(cls, data) -> "Request":
        if not isinstance(data, dict):
            raise BookingError(400, _("The body must be a JSON object."))
        values = {}
        for name in cls.__dataclass_fields__:
            value = data.get(name)
            if value is None:
                value = ""
            value = _ants_value(name, value)
            if not isinstance(value, str):
                raise BookingError(400, _("This value must be a text."), field=name)
            values[name] = value.strip()
        return cls(**values)


def _ants_value(name: str, value):
    """The ANTS fields of a request as texts: a list of numbers, a flag."""
    if (
        name == "application_ids"
        and isinstance(value, list)
        and all(isinstance(item, str) for item in value)
    ):
        return " ".join(value)
    if name == "confirm_ants_warning" and isinstance(value, bool):
        return "1" if value else ""
    if name == "documents_number" and isinstance(value, int):
        return str(value)
    return value


def slots_wanted(appointment_type, request: Request) -> int:
    """How many consecutive slots the booking takes: one per document.

    Only a type that asks pre-application numbers (ANTS) books several
    documents at once; its count is ``documents_number``, else the number of
    numbers given. Read leniently here (the slot is looked up first);
    ``clean_details`` refuses what does not add up.
    """
    if not ants_numbers.requires_numbers(appointment_type, request.option):
        return 1
    count = ants_numbers.documents_count(request.documents_number)
    if count is not None:
        return count
    return ants_numbers.documents_shown(
        len(ants_numbers.split(request.application_ids))
    )


def slots_of(booking) -> int:
    """How many slots a booking holds: one per pre-application number."""
    return max(1, len(getattr(booking, "application_ids", ()) or ()))


def _documents(appointment_type, request: Request, numbers: tuple) -> tuple:
    """The numbers, once their count matches ``documents_number``."""
    if not request.documents_number:
        return numbers
    count = ants_numbers.documents_count(request.documents_number)
    if count is None:
        raise BookingError(400, ants_numbers.DOCUMENTS_RANGE, "documents_number")
    if not ants_numbers.requires_numbers(appointment_type, request.option):
        if count != 1:
            raise BookingError(400, ants_numbers.ONE_PERSON, "documents_number")
        return numbers
    if len(numbers) != count:
        raise BookingError(
            400,
            _(
                "Give one pre-application number for each of the ${count} "
                "documents (${given} given).",
                mapping={"count": count, "given": len(numbers)},
            ),
            "application_ids",
        )
    return numbers


# -- helpers -------------------------------------------------------------------


def may_manage(obj) -> bool:
    """Whether the current user manages bookings on this counter/booking."""
    return bool(api.user.has_permission(MANAGE_BOOKINGS, obj=obj))


def now_in_site() -> datetime.datetime:
    return datetime.datetime.now(site_timezone())


def parse_start(value: str) -> datetime.datetime:
    try:
        start = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BookingError(
            400,
            _(
                "Write the start as an ISO 8601 date and time, "
                "e.g. 2026-12-01T09:00:00+01:00."
            ),
            field="start",
        ) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=site_timezone())
    if not 1971 <= start.year <= 9000:
        raise BookingError(400, _("This date is out of range."), field="start")
    return start


def clean_text(
    value: str, field: str, required: bool, maximum: int = 200, multiline=False
) -> str:
    """Refuse control characters (line breaks too, unless ``multiline``)."""
    checked = value.replace("\n", "").replace("\r", "") if multiline else value
    if CONTROL.search(checked.replace("\t", "")):
        raise BookingError(400, _("This text contains invalid characters."), field)
    if required and not value:
        raise BookingError(400, _("This field is required."), field)
    if len(value) > maximum:
        raise BookingError(
            400,
            _(
                "This text is too long (at most ${max} characters).",
                mapping={"max": maximum},
            ),
            field,
        )
    return value


def clean_email(value: str, required: bool, smtputf8: bool | None = None) -> str:
    """A mailable address, or a 400.

    A non-ASCII local part (``zoé@exemple.fr``) is accepted only when the
    mail server carries SMTPUTF8 (``smtputf8``; None: the ``mail_smtputf8``
    setting); an international domain must have a valid IDNA form.
    """
    if not value:
        if required:
            raise BookingError(400, _("An e-mail address is required."), "email")
        return ""
    value = addresses.normalise(value)
    local, domain = addresses.split(value)
    if (
        len(value.encode("utf-8")) > 254
        or len(local.encode("utf-8")) > 64
        or not EMAIL.match(value)
        or addresses.ascii_domain(domain) is None
    ):
        raise BookingError(400, _("This is not a valid e-mail address."), "email")
    if not local.isascii():
        if smtputf8 is None:
            smtputf8 = addresses.smtputf8_enabled()
        if not smtputf8:
            raise BookingError(
                400,
                _(
                    "We cannot send mail to an address with accents or other "
                    "special characters before the @: please give another "
                    "address."
                ),
                "email",
            )
    return value


def clean_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 (+33612345678).

    A national number is read in ``region`` (the place's, see
    ``phones.place_region``), then in the site's region.
    """
    if not value:
        return ""
    number = phones.parse(value, region)
    if number is None:
        raise BookingError(400, _("This is not a valid phone number."), "phone")
    return phones.e164(number)


def find(folder, uid: str, interface):
    """Content of this service by UID, or None."""
    if not uid or len(uid) > 64:
        return None
    obj = uuidToObject(uid, unrestricted=True)
    if obj is None or not interface.providedBy(obj):
        return None
    path = folder.getPhysicalPath()
    return obj if obj.getPhysicalPath()[: len(path)] == path else None


def window(appointment_type, as_agent: bool, now: datetime.datetime):
    """(earliest, limit) in minutes since the epoch for this booker."""
    horizon = scheduling.parse_horizon(appointment_type.horizon)
    notice = (
        scheduling.parse_notice(appointment_type.min_notice)
        if appointment_type.min_notice and not as_agent
        else None
    )
    earliest, limit = scheduling.offer_window(now, notice, horizon)
    return scheduling.slot_key(earliest), scheduling.slot_key(limit)


def state_of(booking) -> str:
    return api.content.get_state(booking)


def _transition(booking, transition: str) -> None:
    # The service has checked who may do this; the workflow records it.
    with api.env.adopt_roles(["Manager"]):
        api.content.transition(obj=booking, transition=transition)


def _take(
    counter, start_key: int, booking_id: str, tz, count: int = 1
) -> tuple[int, int]:
    """Take ``count`` consecutive free slots on a counter; (start, end) keys.

    Raises 409 if one of them is taken or not offered.
    """
    store = get_store(counter)
    day = to_datetime(start_key, tz).date()
    record = store.day(day) if store is not None else None
    if record is None or start_key not in record.starts:
        raise BookingError(409, _("This slot is not offered."), "start")
    if not record.block_free(start_key, count, ignore=booking_id):
        if count > 1 and record.is_free(start_key):
            raise _too_short(count)
        raise BookingError(
            409, _("This slot has just been taken: please choose another one."), "start"
        )
    end_key = start_key + count * record.duration
    record.take(start_key, end_key, booking_id)
    return start_key, end_key


def _too_short(count: int) -> BookingError:
    return BookingError(
        409,
        _(
            "There are not ${count} free slots in a row from this time (one "
            "per document): please choose another time.",
            mapping={"count": count},
        ),
        "start",
    )


def _release(booking) -> None:
    """Free the booking's slot in its counter's day record (if it holds it)."""
    counter = booking.__parent__
    store = get_store(counter)
    if store is None:
        return
    key = scheduling.slot_key(booking.start)
    record = store.day(booking.start.astimezone(site_timezone()).date())
    if record is not None and record.taken.get(key, (None, None))[1] == booking.getId():
        record.release(key)


def _candidates(folder, appointment_type, start_key, request, tz, now, count=1):
    """Counters where the slot (``count`` slots in a row) could be taken,
    best first (least loaded)."""
    place = counter = None
    if request.place:
        place = find(folder, request.place, IPlace)
        if place is None:
            raise BookingError(
                400, _("There is no place with this identifier."), "place"
            )
    if request.counter:
        counter = find(folder, request.counter, ICounter)
        if counter is None or counter.appointment_type != appointment_type.UID():
            raise BookingError(
                400,
                _("There is no counter of this type with this identifier."),
                "counter",
            )
    day = to_datetime(start_key, tz).date()
    options = []
    boundary = short = False
    for obj, manages in offered_counters(appointment_type, folder, place, counter):
        earliest, limit = window(appointment_type, manages, now)
        store = get_store(obj)
        record = store.day(day) if store is not None else None
        if record is None:
            continue
        if start_key in record.starts:
            boundary = True
        if not (earliest <= start_key < limit):
            continue
        if start_key in record.starts and record.is_free(start_key):
            if count > 1 and not record.block_free(start_key, count):
                short = True
                continue
            options.append((len(record.taken), random.random(), obj))
    if not options:
        if short:
            raise _too_short(count)
        if boundary or not _any_day(folder, appointment_type, day, place, counter):
            raise BookingError(
                409, _("This slot is not free: please choose another one."), "start"
            )
        raise BookingError(400, _("This time is not the start of a slot."), "start")
    options.sort(key=lambda item: item[:2])
    return [obj for _load, _rand, obj in options]


def _any_day(folder, appointment_type, day, place, counter) -> bool:
    for obj, _manages in offered_counters(appointment_type, folder, place, counter):
        store = get_store(obj)
        if store is not None and store.day(day) is not None:
            return True
    return False


# -- the service ---------------------------------------------------------------


def clean_details(
    appointment_type, request: Request, as_agent: bool, region: str | None = None
) -> dict:
    """The booker's details, cleaned; refused fields all at once.

    The first refusal is raised; its ``errors`` holds every refused field, so
    that a form shows them together (issue 13).
    """
    checks = (
        (
            "beneficiary",
            lambda: clean_text(request.beneficiary, "beneficiary", required=True),
        ),
        ("email", lambda: clean_email(request.email, required=not as_agent)),
        ("phone", lambda: clean_phone(request.phone, region=region)),
        (
            "comment",
            lambda: clean_text(
                request.comment, "comment", required=False, maximum=2000, multiline=True
            ),
        ),
        ("option", lambda: _option(appointment_type, request.option)),
        (
            "partner_type",
            lambda: _partner_type(appointment_type, request.partner_type),
        ),
        (
            "application_ids",
            lambda: _documents(
                appointment_type,
                request,
                ants_numbers.clean(
                    appointment_type, request.application_ids, request.option
                ),
            ),
        ),
    )
    values = {}
    first = None
    errors = {}
    for name, check in checks:
        try:
            values[name] = check()
        except BookingError as error:
            errors[error.field or name] = error.message
            first = first or error
    if first is not None:
        first.errors = errors
        raise first
    return values


def validate(folder, data):
    """Check a booking request as ``book`` does, taking nothing.

    (request, appointment type, candidate counters, as_agent, cleaned details).
    """
    request = data if isinstance(data, Request) else Request.from_dict(data)
    appointment_type = find(folder, request.type, IAppointmentType)
    if appointment_type is None:
        raise BookingError(
            400, _("There is no appointment type with this identifier."), "type"
        )
    tz = site_timezone()
    now = now_in_site()
    start_key = scheduling.slot_key(parse_start(request.start))
    count = slots_wanted(appointment_type, request)
    candidates = _candidates(
        folder, appointment_type, start_key, request, tz, now, count
    )
    as_agent = may_manage(candidates[0])
    if not appointment_type.portal_visible and not as_agent:
        raise BookingError(
            400, _("There is no appointment type with this identifier."), "type"
        )
    region = phones.place_region(candidates[0].__parent__)
    details = clean_details(appointment_type, request, as_agent, region=region)
    return request, appointment_type, candidates, as_agent, details


def book(folder, data) -> tuple[object, str]:
    """Make a booking from a request (dict or Request); (booking, token)."""
    request, _type, candidates, as_agent, details = validate(folder, data)
    tz = site_timezone()
    now = now_in_site()
    start_key = scheduling.slot_key(parse_start(request.start))
    counter = candidates[0]
    beneficiary = details["beneficiary"]
    email = details["email"]
    phone = details["phone"]
    comment = details["comment"]
    option = details["option"]
    partner_type = details["partner_type"]
    limits = None if as_agent else _check_limits(email, phone, now)
    application_ids = details["application_ids"]
    # The national hub is asked last, once everything else is right.
    ants_numbers.check(
        application_ids,
        counter.__parent__,
        ants_numbers.confirmed(request.confirm_ants_warning),
    )

    booking = createContent("Booking")
    code = codes.new_code(folder, counter.UID())
    start, end = _take(counter, start_key, code.lower(), tz, len(application_ids) or 1)
    token, token_hash = codes.new_token()
    booking.id = code.lower()
    booking.code = code
    booking.token_hash = token_hash
    booking.beneficiary = beneficiary
    booking.email = email
    booking.phone = phone
    booking.partner_type = partner_type
    booking.option = option
    booking.comment = comment
    booking.application_ids = application_ids
    # Stored in UTC: ZoneInfo objects do not pickle in the ZODB's protocol.
    booking.start = to_datetime(start, datetime.UTC)
    booking.end = to_datetime(end, datetime.UTC)
    booking.previous_start = None
    booking.booked_by = "agent" if as_agent else "citizen"
    # No ContainerModifiedEvent: it would reindex the counter in the portal
    # catalog, a site-wide write in every booking (see index.py).
    counter._setObject(booking.id, booking, suppress_events=True)
    booking = counter[booking.id]
    notify(ObjectAddedEvent(booking, counter, booking.id))
    index.register(counter, booking, end - start)
    # Counted in this transaction: a booking refused later counts for nothing.
    if limits is not None:
        ratelimit.record_address(limits.bookings_per_hour or 0)
    if (email or phone) and _contact_cap() != 0:
        # Not when the cap is off: concurrent bookings for one e-mail would
        # then conflict on its entry for nothing (the day record is the guard).
        ratelimit.record_contact(folder, booking, now)
    booking.log("booked", by=_actor(as_agent), start=booking.start.isoformat())
    created = BookingCreatedEvent(booking, by=booking.booked_by)
    created.token = token  # for the confirmation's private link; never stored
    notify(created)
    return booking, token


def _contact_cap() -> int:
    """Active bookings allowed per e-mail and per phone (0: no cap)."""
    from collective.rendezvous.controlpanels.settings import get_settings

    cap = get_settings().bookings_per_contact
    return ratelimit.DEFAULT_CAP if cap is None else cap


def _check_limits(email: str, phone: str, now: datetime.datetime):
    """Refuse a booking past the limits against abuse (booking/ratelimit.py).

    For whoever does not manage the counter; returns the settings.
    """
    from collective.rendezvous.controlpanels.settings import get_settings

    settings = get_settings()
    wait = ratelimit.address_wait(settings.bookings_per_hour or 0)
    if wait:
        raise BookingError(429, ratelimit.ADDRESS_MESSAGE, retry_after=wait)
    cap = _contact_cap()
    over = ratelimit.contact_over(cap, email, phone, now)
    if over == "email":
        raise BookingError(
            409,
            _(
                "There are already ${max} appointments to come booked with "
                "this e-mail address: cancel one of them, or call the town "
                "hall, to book another.",
                mapping={"max": cap},
            ),
            "email",
        )
    if over == "phone":
        raise BookingError(
            409,
            _(
                "There are already ${max} appointments to come booked with "
                "this phone number: cancel one of them, or call the town "
                "hall, to book another.",
                mapping={"max": cap},
            ),
            "phone",
        )
    return settings


def _actor(as_agent: bool) -> str:
    if as_agent:
        return api.user.get_current().getId() or "agent"
    return "citizen"


def _option(appointment_type, option: str) -> str:
    options = list(appointment_type.options or ())
    if not options:
        if option:
            raise BookingError(
                400, _("This appointment type has no options."), "option"
            )
        return ""
    if not option:
        raise BookingError(
            400, _("Choose one of the options of this appointment type."), "option"
        )
    if option not in options:
        raise BookingError(
            400, _("This option does not exist for this appointment type."), "option"
        )
    return option


def _partner_type(appointment_type, partner_type: str) -> str:
    allowed = list(appointment_type.partner_types or ())
    if allowed and partner_type not in allowed:
        raise BookingError(
            400,
            _(
                "This appointment type is open to some partner types only: "
                "choose one of them."
            ),
            "partner_type",
        )
    if partner_type:
        from collective.rendezvous.controlpanels.settings import get_settings

        known = {row.get("id") for row in get_settings().partner_types or ()}
        if partner_type not in known:
            raise BookingError(
                400, _("This partner type does not exist."), "partner_type"
            )
    return partner_type


def get_booking(folder, code: str):
    booking = index.find(folder, code) if isinstance(code, str) else None
    if booking is None:
        raise BookingError(404, _("There is no booking with this code."), "code")
    return booking


def authorise(booking, token, agent_only: bool = False) -> str:
    """Who acts: "agent" (manages the counter) or "citizen" (right token)."""
    if may_manage(booking):
        return "agent"
    if agent_only:
        raise BookingError(403 if token else 401, _("Only an agent can do this."))
    if not token:
        raise BookingError(
            401, _("The private link of the booking is required."), "token"
        )
    if not codes.token_matches(booking.token_hash, token):
        raise BookingError(403, _("This link is not valid for this booking."), "token")
    return "citizen"


def no_such_booking() -> BookingError:
    """The one answer to an unknown code and to a wrong or missing token.

    Whoever does not manage a booking cannot tell from the answer whether
    its code exists: probing codes learns nothing.
    """
    return BookingError(
        404,
        _("There is no booking with this code, or the link is not valid for it."),
        "code",
    )


def open_booking(folder, code, token, agent_only: bool = False):
    """(booking, who) for a code and a token, as every entry point checks them.

    An agent of the booking's counter needs no token. Anyone else gets the
    same 404 for an unknown code and for a wrong token; an anonymous visitor
    without any token gets 401 whether the code exists or not.
    """
    booking = index.find(folder, code) if isinstance(code, str) else None
    if booking is not None and may_manage(booking):
        return booking, "agent"
    anonymous = api.user.is_anonymous()
    if agent_only:
        if anonymous:
            raise BookingError(401, _("Only an agent can do this."))
        raise no_such_booking()
    if not token and anonymous:
        raise BookingError(
            401, _("The private link of the booking is required."), "token"
        )
    # The token is checked for an unknown code too, against nothing: the
    # same work either way.
    stored = booking.token_hash if booking is not None else codes.NO_HASH
    if not codes.token_matches(stored, token) or booking is None:
        raise no_such_booking()
    return booking, "citizen"


def cancel(booking, by: str, reason: str = "") -> None:
    state = state_of(booking)
    if state not in ("booked", "unscheduled"):
        raise BookingError(409, _("This booking can no longer be cancelled."), "state")
    reason = clean_text(
        reason or "", "reason", required=False, maximum=500, multiline=True
    )
    if state == "booked":
        _release(booking)
    _transition(booking, "cancel_by_citizen" if by == "citizen" else "cancel_by_agent")
    booking.cancelled_by = by
    booking.cancelled_at = datetime.datetime.now(datetime.UTC)
    booking.cancel_reason = reason
    booking.log("cancelled", by=_actor(by == "agent"), reason=reason)
    notify(BookingCancelledEvent(booking, by=by))


def may_mark(booking, outcome: str, now: datetime.datetime | None = None) -> bool:
    """Whether the outcome can be recorded yet.

    A citizen can be marked absent only once the appointment has started, and
    attended from the morning of its day (people come early), never before.
    """
    now = now or now_in_site()
    if outcome == "absent":
        return booking.start <= now
    return booking.start.astimezone(now.tzinfo).date() <= now.date()


def mark(booking, outcome: str) -> None:
    """attended or absent (agents)."""
    if state_of(booking) != "booked":
        raise BookingError(409, _("Only a booked appointment can be marked."), "state")
    if not may_mark(booking, outcome):
        if outcome == "absent":
            message = _(
                "A citizen can be marked absent only once the appointment has started."
            )
        else:
            message = _("An appointment can be marked attended only on its day.")
        raise BookingError(409, message, "state")
    _transition(booking, "attend" if outcome == "attended" else "mark_absent")
    booking.log(outcome, by=_actor(True))
    event = BookingAttendedEvent if outcome == "attended" else BookingAbsentEvent
    notify(event(booking, by="agent"))


def reschedule(folder, booking, start: str, counter_uid: str = "", by: str = "citizen"):
    """Move a booked (or unscheduled) booking to another free slot of its type."""
    state = state_of(booking)
    if state not in ("booked", "unscheduled"):
        raise BookingError(409, _("This booking can no longer be moved."), "state")
    appointment_type = booking.__parent__.get_appointment_type()
    if appointment_type is None:
        raise BookingError(
            409, _("The appointment type of this booking no longer exists.")
        )
    tz = site_timezone()
    start_key = scheduling.slot_key(parse_start(start))
    if (
        state == "booked"
        and start_key == scheduling.slot_key(booking.start)
        and counter_uid in ("", None, booking.__parent__.UID())
    ):
        # The same slot: nothing changes, nothing is logged or sent.
        return booking
    request = Request(type=appointment_type.UID(), counter=counter_uid or "")
    if by == "citizen":
        # A citizen stays at the same place (a counter elsewhere is refused).
        request.place = booking.__parent__.__parent__.UID()
    if state == "booked":
        _release(booking)
    count = slots_of(booking)
    candidates = _candidates(
        folder, appointment_type, start_key, request, tz, now_in_site(), count
    )
    old_counter = booking.__parent__
    counter = old_counter if old_counter in candidates else candidates[0]
    if by == "agent" and not may_manage(counter):
        raise BookingError(403, _("You do not manage this counter."), "counter")
    previous = booking.start
    start_key, end_key = _take(counter, start_key, booking.getId(), tz, count)
    index.unregister(old_counter, booking)
    if counter is not old_counter:
        booking = _move(booking, old_counter, counter)
        codes.moved(folder, booking.code, counter.UID())
    booking.previous_start = previous
    booking.start = to_datetime(start_key, datetime.UTC)
    booking.end = to_datetime(end_key, datetime.UTC)
    index.register(counter, booking, end_key - start_key)
    if state == "unscheduled":
        _transition(booking, "rebook")
    booking.log(
        "moved",
        by=_actor(by == "agent"),
        start=booking.start.isoformat(),
        previous_start=previous.isoformat(),
    )
    notify(BookingMovedEvent(booking, by=by))
    return booking


def _move(booking, source, target):
    """Move a booking to another counter, keeping its id and UID.

    What OFS's cut and paste does, without its permission checks: nobody
    holds the add permission of bookings (only this service creates them),
    and the caller has checked who may move this booking.
    """
    # No move events either: they would make plone.app.redirector remember
    # the old path in its site-wide storage (a shared write, and a record of
    # booking paths kept forever). Bookings are not cataloged and have no
    # IntId, so nothing else needs to hear of the move.
    name = booking.getId()
    source._delObject(name, suppress_events=True)
    target._setObject(name, aq_base(booking), set_owner=0, suppress_events=True)
    return target._getOb(name)


def hand_over(folder, booking, target):
    """The booking's counter is being deleted: keep it, unscheduled, on ``target``.

    ``target`` is another counter of the same appointment type in the same
    service (the caller picks it). The booking keeps its code, token and
    history; its slot is gone with the deleted counter, so it waits in the
    service's unscheduled list to be moved or cancelled (R6), and its citizen
    hears of it as of any other unscheduling.
    """
    source = booking.__parent__
    duration = scheduling.slot_key(booking.end) - scheduling.slot_key(booking.start)
    index.unregister(source, booking)
    booking = _move(booking, source, target)
    codes.moved(folder, booking.code, target.UID())
    index.register(target, booking, duration)
    booking.log("counter_removed", counter=source.Title(), to=target.Title())
    unschedule(booking)
    return booking


def unschedule(booking) -> None:
    """The booking's slot disappeared (R6): it waits to be moved or cancelled."""
    if state_of(booking) != "booked":
        return
    _transition(booking, "unschedule")
    booking.log("unscheduled", by="planning")
    notify(BookingUnscheduledEvent(booking))


# -- edits of a booking's details ------------------------------------------------

# What an agent may change on a booking (PATCH of the booking, its @@edit
# form); the time and the counter change only by moving it (``reschedule``).
EDITABLE = (
    "beneficiary",
    "email",
    "phone",
    "comment",
    "option",
    "partner_type",
    "application_ids",
)


def edit(booking, data) -> list[str]:
    """Change a booking's details, checked as when booking; the names changed.

    Every value is checked before anything is stored: one refused value (a
    ``BookingError``) changes nothing. The history records who changed which
    fields, never the values: anonymisation (anonymise.py) empties the
    fields and would miss old personal values kept in the history.
    """
    if not isinstance(data, dict):
        raise BookingError(400, _("The body must be a JSON object."))
    for name in data:
        if name not in EDITABLE:
            raise BookingError(
                400,
                _(
                    'The field "${field}" of a booking cannot be changed; the '
                    "fields that can be are: ${fields}.",
                    mapping={"field": name, "fields": ", ".join(EDITABLE)},
                ),
                name,
            )
    if booking.anonymised:
        raise BookingError(
            409, _("This booking is anonymised: its details can no longer change.")
        )
    values = {}
    for name, value in data.items():
        value = "" if value is None else _ants_value(name, value)
        if not isinstance(value, str):
            raise BookingError(400, _("This value must be a text."), field=name)
        values[name] = value.strip()
    checked = {}
    appointment_type = booking.__parent__.get_appointment_type()
    for name, value in values.items():
        if name == "beneficiary":
            checked[name] = clean_text(value, name, required=True)
        elif name == "email":
            # Agents may book without an e-mail address: they may remove it.
            checked[name] = clean_email(value, required=False)
        elif name == "phone":
            region = phones.place_region(booking.__parent__.__parent__)
            checked[name] = clean_phone(value, region=region)
        elif name == "comment":
            checked[name] = clean_text(
                value, name, required=False, maximum=2000, multiline=True
            )
        elif appointment_type is None:
            raise BookingError(
                409, _("This booking's appointment type no longer exists."), name
            )
        elif name == "option":
            checked[name] = _option(appointment_type, value)
        elif name == "application_ids":
            option = values.get("option", getattr(booking, "option", "") or "")
            checked[name] = ants_numbers.clean(appointment_type, value, option)
        else:
            checked[name] = _partner_type(appointment_type, value)
    previous_ids = _current(booking, "application_ids")
    changed = [
        name
        for name in EDITABLE
        if name in checked and checked[name] != _current(booking, name)
    ]
    if "application_ids" in changed:
        _resize(booking, max(1, len(checked["application_ids"])))
        _ants_numbers_changed(booking, previous_ids, checked["application_ids"])
    for name in changed:
        setattr(booking, name, checked[name])
    if changed:
        booking.log("edited", by=_actor(True), fields=changed)
    return changed


def _current(booking, name: str):
    if name == "application_ids":
        return tuple(getattr(booking, name, ()) or ())
    return getattr(booking, name, "") or ""


def _resize(booking, count: int) -> None:
    """The number of documents changed: the booking grows or shrinks to one
    slot per document, from the same start, on the same counter.

    Only a booked appointment to come holds slots to resize; an unscheduled
    one takes its count when it is moved. A block that runs into a taken slot
    or past the day's slots is refused (409): the agent moves the booking
    first.
    """
    if count == slots_of(booking) or state_of(booking) != "booked":
        return
    if booking.start <= now_in_site():
        return
    counter = booking.__parent__
    start_key = scheduling.slot_key(booking.start)
    # The booking's own interval does not count against it (``ignore``), and
    # taking the same start replaces its entry: nothing is written unless
    # the new block is free.
    try:
        start_key, end_key = _take(
            counter, start_key, booking.getId(), site_timezone(), count
        )
    except BookingError:
        raise BookingError(
            409,
            _(
                "The appointment cannot take ${count} slots in a row (one per "
                "document) from its time: move it to a time with enough free "
                "slots first.",
                mapping={"count": count},
            ),
            "application_ids",
        ) from None
    booking.end = to_datetime(end_key, datetime.UTC)


def _ants_numbers_changed(booking, previous: tuple, numbers: tuple) -> None:
    """An agent changed the ANTS numbers: the new ones are checked with the
    hub (refusals and outages stop the edit; an appointment elsewhere does
    not: the agent acts knowingly), then the removed ones are withdrawn and
    the new ones declared after the commit."""
    from collective.rendezvous.ants import declarations

    added = tuple(number for number in numbers if number not in previous)
    ants_numbers.check(added, booking.__parent__.__parent__, confirm=True)
    if state_of(booking) in ("booked", "unscheduled"):
        declarations.on_numbers_changed(booking, previous, numbers)
