"""Messages of a booking event, logged on the booking, sent after the commit.

``dispatch(booking, event)`` is called inside the transaction that changed
the booking (book, move, cancel, mark absent, unschedule, the tick's
reminders). It decides what to send (the global matrix, then the booking's
appointment type's overrides, R6 and R10), renders the texts with their
merge fields (R7), appends one ``pending`` entry per message to the
booking's ``notifications`` log and registers an after-commit hook. Nothing
leaves the site before the transaction commits: a request retried after a
ConflictError aborted its first attempt, whose hook is then dropped, so a
message is never sent twice; a request that fails sends nothing.

After the commit the hook sends each message (mail through the site's
MailHost with ``immediate=True``, SMS through the configured gateway) and
records the result (``sent`` or ``failed``, with the time and the error) in
a small transaction of its own on a fresh connection. Failed messages are
also put in the site's retry queue, which ``retry_failed`` (run by
``@@rendezvous-tick``) sends again, at most ``MAX_ATTEMPTS`` times in all,
``RETRY_AFTER`` times the number of attempts apart; then the entry is marked
``abandoned`` and reported in the log and the tick's summary.

The citizen's secret token is never stored (only its hash is): the
"created" message gets it from the event and its ``{link}`` is the private
link; every other message (and a "created" message sent again by the tick)
gets the appointment service's page as ``{link}``, and the booking code as
``{code}``.

An SMS to a number that does not get SMS (a landline, a country outside the
``sms_countries`` setting) is not sent: its entry is logged ``skipped`` with
the reason. Mails carry ``Auto-Submitted: auto-generated`` (RFC 3834), so
that vacation responders do not answer them; their invitations (.ics
REQUEST and CANCEL) name the site as ORGANIZER and the citizen as ATTENDEE
(RFC 5546). An address with accents is sent with SMTPUTF8 when the mail
server offers it, else with its domain in IDNA form (see ``addresses``).
"""

from Acquisition import aq_base
from collective.rendezvous import addresses
from collective.rendezvous import links
from collective.rendezvous import logger
from collective.rendezvous import phones
from collective.rendezvous.booking.serialize import booking_ics
from collective.rendezvous.booking.serialize import manage_url
from collective.rendezvous.content.folder import service_folder
from collective.rendezvous.notifications import texts
from collective.rendezvous.notifications.gateways import ISMSGateway
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.transactions import write_apart
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import formatdate
from email.utils import make_msgid
from persistent.list import PersistentList
from plone import api
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations
from zope.component import queryUtility

import copy
import datetime
import icalendar
import re
import transaction
import uuid


MAX_ATTEMPTS = 4
RETRY_AFTER = datetime.timedelta(minutes=5)
QUEUE = "collective.rendezvous.notifications.retry"

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
ABANDONED = "abandoned"
SKIPPED = "skipped"

ICS_METHODS = {
    texts.CREATED: "REQUEST",
    texts.MOVED: "REQUEST",
    texts.CANCELLED_CITIZEN: "CANCEL",
    texts.CANCELLED_AGENT: "CANCEL",
}

QUIET = re.compile(r"^([01]\d|2[0-3])h([0-5]\d)-([01]\d|2[0-3])h([0-5]\d)$")


# -- settings --------------------------------------------------------------------


def parse_quiet_hours(value) -> tuple[datetime.time, datetime.time] | None:
    """``21h00-08h00`` -> (21:00, 08:00); empty or equal ends -> None."""
    match = QUIET.match((value or "").strip())
    if match is None:
        return None
    start = datetime.time(int(match[1]), int(match[2]))
    end = datetime.time(int(match[3]), int(match[4]))
    return None if start == end else (start, end)


def read_config() -> dict | None:
    """The notification settings, or None when the records are missing."""
    from collective.rendezvous.controlpanels.settings import get_settings

    try:
        settings = get_settings()
    except KeyError:
        logger.warning("collective.rendezvous settings missing: no notification")
        return None
    return {
        "language": texts.site_language(),
        "matrix": {row.get("event"): row for row in settings.notification_matrix or ()},
        "reminder_hours": settings.reminder_hours or 6,
        "quiet_hours": parse_quiet_hours(settings.quiet_hours),
        "gateway": settings.sms_gateway or "log",
        "sms": {
            "url": settings.sms_gateway_url or "",
            "token": settings.sms_gateway_token or "",
            "sender": settings.sms_sender or "",
        },
        "from_address": api.portal.get_registry_record(
            "plone.email_from_address", default=""
        )
        or "",
        "from_name": api.portal.get_registry_record("plone.email_from_name", default="")
        or "",
    }


# -- what to send ------------------------------------------------------------------


def merge_values(booking, config: dict, token: str | None = None) -> dict:
    """The merge fields of R7 for a booking, plus ``code`` and ``link``."""
    language = config["language"]
    tz = site_timezone()
    counter = booking.__parent__
    place = counter.__parent__
    appointment_type = counter.get_appointment_type()
    folder = service_folder(booking)
    # The site's stored address, never the request's host (issue 12).
    folder_url = links.url_of(folder)
    link = manage_url(folder, booking, token, folder_url) if token else folder_url
    minutes = None
    if booking.start is not None and booking.end is not None:
        minutes = int((booking.end - booking.start).total_seconds() // 60)
    previous = booking.previous_start
    return {
        "0": booking.beneficiary or "",
        "1": texts.format_moment(booking.start.astimezone(tz), language),
        "2": counter.Title(),
        "3": place.Title(),
        "4": (getattr(place, "address", "") or "").strip(),
        "5": appointment_type.Title() if appointment_type is not None else "",
        "6": texts.format_duration(minutes, language),
        "7": texts.format_moment(previous.astimezone(tz), language)
        if previous is not None
        else "",
        "code": booking.code or "",
        "link": link,
        "option": booking.option or "",
        "bring": (
            (getattr(appointment_type, "what_to_bring", "") or "").strip()
            if appointment_type is not None
            else ""
        ),
    }


def plan(booking, event: str, config: dict) -> dict[str, dict]:
    """channel -> {"subject", "body"} (raw texts) of what this event sends."""
    language = config["language"]
    row = config["matrix"].get(event) or {}
    appointment_type = booking.__parent__.get_appointment_type()
    overrides = {}
    if appointment_type is not None:
        for override in getattr(appointment_type, "notification_overrides", None) or ():
            if isinstance(override, dict):
                overrides[(override.get("event"), override.get("channel"))] = override
    result = {}
    for channel in texts.CHANNELS:
        if channel == texts.MAIL:
            subject = texts.effective_text(
                event, texts.SUBJECT, row.get(texts.SUBJECT), language
            )
            body = texts.effective_text(
                event, texts.MAIL_BODY, row.get(texts.MAIL_BODY), language
            )
        else:
            subject = ""
            body = texts.effective_text(
                event, texts.SMS_BODY, row.get(texts.SMS_BODY), language
            )
        send = bool(row.get(channel))
        override = overrides.get((event, channel))
        if override is not None:
            send = override.get("send") is not False
            if channel == texts.MAIL and (override.get("subject") or "").strip():
                subject = override["subject"]
            if (override.get("body") or "").strip():
                body = override["body"]
        if send:
            result[channel] = {"subject": subject, "body": body}
    return result


def build(booking, event: str, config: dict, token: str | None = None) -> list:
    """[(channel, payload)] ready to send for this event (recipients known)."""
    planned = plan(booking, event, config)
    if not planned:
        return []
    language = config["language"]
    values = merge_values(booking, config, token)
    messages = []
    mail = planned.get(texts.MAIL)
    if mail is not None and booking.email:
        subject = texts.safe_render(
            mail["subject"],
            values,
            texts.default_text(event, texts.SUBJECT, language),
        )
        body = texts.safe_render(
            mail["body"],
            values,
            texts.default_text(event, texts.MAIL_BODY, language),
        )
        messages.append(
            (
                texts.MAIL,
                {
                    "to": booking.email,
                    "from": config["from_address"],
                    "message": mail_message(
                        booking, event, config, " ".join(subject.split()), body
                    ),
                },
            )
        )
    sms = planned.get(texts.SMS)
    refusal = phones.sms_refusal(booking.phone) if booking.phone else None
    if sms is not None and refusal:
        # Logged, not sent: a landline, or a country not paid for.
        messages.append((texts.SMS, {"skip": refusal}))
    elif sms is not None and booking.phone:
        sms_values = dict(values)
        for name in ("4", "bring"):
            sms_values[name] = ", ".join(
                line.strip() for line in values[name].splitlines() if line.strip()
            )
        text = texts.safe_render(
            sms["body"], sms_values, texts.default_text(event, texts.SMS_BODY, language)
        )
        messages.append(
            (
                texts.SMS,
                {
                    "to": booking.phone,
                    "text": text.strip(),
                    "gateway": config["gateway"],
                    "config": dict(config["sms"]),
                },
            )
        )
    return messages


def calendar_file(booking, method: str, config: dict) -> bytes:
    """The booking's .ics (``booking_ics``); its UID does not depend on the
    request (``links.calendar_uid``).

    An iTIP REQUEST or CANCEL (RFC 5546) names its ORGANIZER, the site's
    sender address, and its ATTENDEE, the citizen (who booked: accepted, no
    answer expected).
    """
    folder = service_folder(booking)
    calendar = icalendar.Calendar.from_ical(booking_ics(folder, booking, method))
    for component in calendar.walk("VEVENT"):
        if config.get("from_address"):
            organizer = icalendar.vCalAddress(f"mailto:{config['from_address']}")
            if config.get("from_name"):
                organizer.params["cn"] = icalendar.vText(config["from_name"])
            component.add("organizer", organizer)
        if booking.email:
            attendee = icalendar.vCalAddress(f"mailto:{booking.email}")
            if booking.beneficiary:
                attendee.params["cn"] = icalendar.vText(booking.beneficiary)
            attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            attendee.params["partstat"] = icalendar.vText(
                "DECLINED" if method == "CANCEL" else "ACCEPTED"
            )
            attendee.params["rsvp"] = icalendar.vText("FALSE")
            component.add("attendee", attendee)
    return calendar.to_ical()


def set_subject(message: EmailMessage, subject: str) -> None:
    """The Subject header, read back exactly as written by mail clients.

    Python's own folding (3.11) leaves a space at the end of a line before
    an encoded word, which readers show doubled ("janvier 2027  à 10h00"),
    and moves a long ASCII subject whole to the next line, behind a leading
    space. ``email.header.Header`` folds between words (RFC 5322) or between
    encoded words (RFC 2047), whose folding whitespace readers drop; its
    result is stored as it is. Line breaks are never part of a subject.
    """
    subject = re.sub(r"[\r\n]+", " ", subject).strip()
    charset = "us-ascii" if subject.isascii() else "utf-8"
    encoded = Header(subject, charset, header_name="Subject").encode(linesep="\r\n")
    message.set_raw("Subject", encoded)


def mail_message(booking, event: str, config: dict, subject: str, body: str):
    """The MIME message: text, and the .ics for created, moved, cancelled."""
    # CRLF line ends: MailHost sends the bytes as they are, and SMTP wants them.
    message = EmailMessage(policy=policy.SMTP)
    set_subject(message, subject)
    message["From"] = formataddr((config["from_name"], config["from_address"]))
    message["To"] = booking.email
    message["Date"] = formatdate(localtime=True)
    domain = (config["from_address"] or "localhost").rpartition("@")[2]
    message["Message-ID"] = make_msgid("rendezvous", domain=domain or None)
    # An automatic message (RFC 3834): no vacation replies, no loops.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    method = ICS_METHODS.get(event)
    if method:
        message.add_attachment(
            calendar_file(booking, method, config),
            maintype="text",
            subtype="calendar",
            filename="rendez-vous.ics",
            params={"method": method, "charset": "utf-8"},
        )
    return message


# -- the booking's log -----------------------------------------------------------------


def log_of(booking, create: bool = False):
    log = getattr(aq_base(booking), "notifications", None)
    if log is None and create:
        log = booking.notifications = PersistentList()
    return log


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def dispatch(booking, event: str, token: str | None = None, now=None) -> int:
    """Log and schedule (after commit) this event's messages; how many."""
    config = read_config()
    if config is None:
        return 0
    try:
        messages = build(booking, event, config, token)
    except ConflictError:
        raise  # Zope retries the request
    except Exception:
        # A notification must never stop the booking's own transaction.
        logger.exception("Cannot prepare the %s notification of %s", event, booking)
        return 0
    if not messages:
        return 0
    now = now or _now()
    log = log_of(booking, create=True)
    jobs = []
    for channel, payload in messages:
        skipped = "skip" in payload
        entry = {
            "id": uuid.uuid4().hex[:12],
            "event": event,
            "channel": channel,
            "at": now,
            "status": SKIPPED if skipped else PENDING,
            "attempts": 0,
            "result": payload["skip"] if skipped else "",
        }
        if event == texts.REMINDER:
            entry["start"] = booking.start.isoformat()
        log.append(entry)
        if not skipped:
            jobs.append((entry["id"], channel, payload))
    schedule(booking, jobs)
    return len(jobs)


def schedule(booking, jobs) -> None:
    """Send these jobs once the current transaction has committed."""
    if not jobs:
        return
    mailhost = api.portal.get_tool("MailHost")
    # How the tick finds the booking again: its service and its code.
    where = (service_folder(booking).UID(), booking.code)
    transaction.get().addAfterCommitHook(
        _after_commit,
        args=(aq_base(booking), aq_base(api.portal.get()), where, mailhost, list(jobs)),
    )


# -- after the commit ---------------------------------------------------------------


def send_one(mailhost, channel: str, payload: dict) -> str:
    """Send one message; its result, or an exception."""
    if channel == texts.MAIL:
        if not payload["from"]:
            raise ValueError(
                "the site has no sender address (Site Setup > Mail: "
                "Site 'From' address)"
            )
        if payload["to"].isascii() and payload["from"].isascii():
            # The sender comes from the From header, display name included.
            mailhost.send(payload["message"], mto=[payload["to"]], immediate=True)
            return "sent"
        return send_international(mailhost, payload)
    gateway = queryUtility(ISMSGateway, name=payload["gateway"])
    if gateway is None:
        raise LookupError(f"no SMS gateway named {payload['gateway']!r}")
    return str(gateway.send(payload["to"], payload["text"], payload["config"]) or "")


def send_international(mailhost, payload: dict) -> str:
    """Send to an address with accents: SMTPUTF8 if offered, else IDNA.

    The MailHost's own mailer connects (its server, port, TLS and login) but
    cannot ask for SMTPUTF8, so this talks SMTP on its connection.
    """
    sender, recipient = payload["from"], payload["to"]
    message = copy.deepcopy(payload["message"])
    mailer = mailhost._makeMailer()
    mailer.vote(sender, [recipient], message)
    connection = mailer.connection
    try:
        if not getattr(mailer, "implicit_tls", False):
            if connection.has_extn("starttls") and not mailer.no_tls:
                connection.starttls()
                connection.ehlo()
            elif mailer.force_tls:
                raise RuntimeError("TLS is not available but TLS is required")
        if mailer.username and mailer.password:
            connection.login(mailer.username, mailer.password)
        if connection.has_extn("smtputf8"):
            options = ["SMTPUTF8"]
            if connection.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
            data = message.as_bytes(policy=policy.SMTPUTF8.clone(linesep="\r\n"))
            connection.sendmail(sender, [recipient], data, mail_options=options)
            return "sent (SMTPUTF8)"
        ascii_sender = addresses.ascii_address(sender)
        ascii_recipient = addresses.ascii_address(recipient)
        if ascii_sender is None or ascii_recipient is None:
            raise ValueError(
                "the mail server does not offer SMTPUTF8: an address with "
                "accents before the @ cannot be sent (setting mail_smtputf8)"
            )
        del message["To"]
        message["To"] = ascii_recipient
        connection.sendmail(ascii_sender, [ascii_recipient], message.as_bytes())
        return "sent (IDNA)"
    finally:
        mailer.abort()


def _error_text(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    # Keep addresses out of a log that outlives personal data (X10).
    text = re.sub(r"[^\s<>\"'@]+@[^\s<>\"']+", "<address>", text)
    text = re.sub(r"\+?\d[\d .-]{7,}\d", "<number>", text)
    return text[:300]


def _after_commit(status: bool, booking, portal, where, mailhost, jobs) -> None:
    if not status:
        return
    results = []
    for entry_id, channel, payload in jobs:
        try:
            result = send_one(mailhost, channel, payload)
        except Exception as error:
            logger.warning(
                "Notification %s (%s) of booking %s failed: %s",
                entry_id,
                channel,
                getattr(booking, "code", "?"),
                error,
            )
            results.append((entry_id, FAILED, _error_text(error), _now()))
        else:
            results.append((entry_id, SENT, (result or "sent")[:300], _now()))
    try:
        record(booking._p_jar.db(), booking._p_oid, portal._p_oid, where, results)
    except Exception:
        logger.exception("Cannot record the notifications of %s", booking)


def record(db, booking_oid, portal_oid, where, results) -> None:
    """Write the results in the booking's log, in a transaction of its own."""

    def write(connection) -> None:
        booking = connection.get(booking_oid)
        if apply_results(booking, results):
            queue = retry_queue(connection.get(portal_oid), create=True)
            queue[booking.UID()] = tuple(where)

    if not write_apart(db, write):
        logger.error("Cannot record the notification results %s", results)


def apply_results(booking, results) -> bool:
    """Update the log entries; whether some failed."""
    log = log_of(booking, create=True)
    by_id = {entry_id: (status, text, when) for entry_id, status, text, when in results}
    failed = False
    for index, entry in enumerate(log):
        if entry.get("id") not in by_id:
            continue
        status, text, when = by_id[entry["id"]]
        entry = dict(entry)
        entry["status"] = status
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry["result"] = text
        entry["done"] = when
        log[index] = entry
        failed = failed or status == FAILED
    return failed


def retry_queue(portal, create: bool = False):
    """Bookings with failed messages: an OOBTree in the site's annotations.

    Booking UID -> (UID of its appointment service, booking code), how the
    booking service finds a booking. Written only when a message fails.
    """
    from BTrees.OOBTree import OOBTree

    annotations = IAnnotations(portal)
    queue = annotations.get(QUEUE)
    if queue is None and create:
        queue = annotations[QUEUE] = OOBTree()
    return queue


# -- retries (the tick) ----------------------------------------------------------------


def retry_failed(now: datetime.datetime | None = None) -> dict:
    """Send failed messages again, or give up on them; counts for the tick."""
    now = now or _now()
    counts = {"retried": 0, "abandoned": 0, "waiting": 0}
    queue = retry_queue(api.portal.get())
    if not queue:
        return counts
    config = read_config()
    if config is None:
        return counts
    for uid, where in list(queue.items()):
        booking = find_booking(where)
        log = log_of(booking) if booking is not None else None
        if not log:
            del queue[uid]
            continue
        jobs = []
        waiting = False
        for index, entry in enumerate(log):
            if entry.get("status") != FAILED:
                continue
            entry = dict(entry)
            attempts = entry.get("attempts", 0)
            too_late = entry["event"] == texts.REMINDER and booking.start <= now
            if attempts >= MAX_ATTEMPTS or too_late:
                entry["status"] = ABANDONED
                log[index] = entry
                counts["abandoned"] += 1
                logger.error(
                    "Notification %s (%s by %s) of booking %s abandoned after "
                    "%d attempts: %s",
                    entry.get("id"),
                    entry.get("event"),
                    entry.get("channel"),
                    booking.code,
                    attempts,
                    entry.get("result"),
                )
                continue
            last = entry.get("done") or entry.get("at") or now
            if now < last + RETRY_AFTER * max(attempts, 1):
                waiting = True
                counts["waiting"] += 1
                continue
            payload = None
            for channel, candidate in build(booking, entry["event"], config):
                if channel == entry["channel"]:
                    payload = candidate
            if payload is not None and "skip" in payload:
                entry["status"] = ABANDONED
                entry["result"] = payload["skip"]
                log[index] = entry
                counts["abandoned"] += 1
                continue
            if payload is None:
                # No longer to be sent (settings, override, recipient removed).
                entry["status"] = ABANDONED
                entry["result"] = "no longer to be sent"
                log[index] = entry
                counts["abandoned"] += 1
                continue
            entry["status"] = PENDING
            log[index] = entry
            jobs.append((entry["id"], entry["channel"], payload))
            counts["retried"] += 1
        if not waiting:
            del queue[uid]
        schedule(booking, jobs)
    return counts


def find_booking(where):
    """The booking of a retry queue entry (service UID, code), or None."""
    from collective.rendezvous.booking import service
    from plone.app.uuid.utils import uuidToObject

    try:
        folder_uid, code = where
    except (TypeError, ValueError):
        return None
    folder = uuidToObject(folder_uid, unrestricted=True)
    if folder is None:
        return None
    try:
        return service.get_booking(folder, code)
    except service.BookingError:
        return None
