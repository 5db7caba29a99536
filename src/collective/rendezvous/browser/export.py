"""Agents' exports (X4, X10): a CSV file of a period, a private iCalendar feed.

- ``@@rendezvous-export.csv`` on a Counter, a Place or the appointment service
  (``?start=YYYY-MM-DD&end=YYYY-MM-DD``, at most 366 days): the bookings of
  the counters the user manages, for a spreadsheet. Every text cell is
  quoted; the separator is ``;`` on a French site (what a French
  spreadsheet expects), ``,`` otherwise, unless ``?separator=`` says. The
  date and the times of a booking are separate columns. Phones are written
  as people write them ("06 12 34 56 78" for French numbers, "+44 20 7946
  0958" for others): digits, spaces and a leading "+" only, which no
  spreadsheet can run as a formula that does anything, so they carry no
  apostrophe. Any other cell that a spreadsheet would run as a formula is
  defused with a leading apostrophe.
- ``@@rendezvous-feed`` on a Counter (agents): makes the user's own secret
  address of the counter's feed, or revokes it. Each agent has their own key
  per counter; only its SHA-256 is kept (in a site-wide BTree), so the
  address is shown once, when it is made, and making a new one retires the
  old one. Managers of the service (``Manage settings``) see every agent's
  key of the counter and may revoke it. Whether the feed shows the citizens'
  e-mail and phone is chosen when the key is made (off by default) and kept
  with it, so a leaked address cannot be turned into one that shows them.
- ``@@rendezvous-feed.ics?user=...&key=...`` on a Counter: the feed itself,
  for calendar applications, readable with the key only (no login), and only
  while that user exists and still manages the bookings of the counter
  (checked at every read: an agent who leaves the service loses the feed):
  the active bookings of the past month and the next three months, with the
  names of the beneficiaries. It is personal data (X10).
"""

from BTrees.OOBTree import OOBTree
from collective.rendezvous import _
from collective.rendezvous.booking import codes
from collective.rendezvous.browser.agenda import actor
from collective.rendezvous.browser.agenda import BackOfficeView
from collective.rendezvous.browser.agenda import bookings_between
from collective.rendezvous.browser.agenda import in_counters
from collective.rendezvous.browser.agenda import ManagedCountersView
from collective.rendezvous.browser.folder import day_and_time
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import MANAGE_BOOKINGS
from persistent.mapping import PersistentMapping
from plone import api
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zExceptions import NotFound
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse

import csv
import datetime
import icalendar
import io
import phonenumbers
import re


MAX_DAYS = 366
DEFAULT_DAYS = 31
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = {"comma": ",", "semicolon": ";"}

FEED_ANNOTATION = "collective.rendezvous.feed"
FEED_KEYS = "collective.rendezvous.feed-keys"
MANAGE_SETTINGS = "collective.rendezvous: Manage settings"
FEED_STATES = ("booked", "attended", "absent")
FEED_PAST_DAYS = 31
FEED_FUTURE_DAYS = 92

COLUMNS = (
    _("Code"),
    _("State"),
    _("Date"),
    _("Start"),
    _("End"),
    _("Place"),
    _("Counter"),
    _("Appointment type"),
    _("Option"),
    _("Partner type"),
    _("Beneficiary"),
    _("E-mail"),
    _("Phone"),
    _("Comment"),
    _("Booked by"),
    _("Cancelled by"),
    # Last: the columns before keep their places (issue 14).
    _("Pre-application numbers"),
)


# What a phone cell may hold to be written without an apostrophe.
READABLE_PHONE = re.compile(r"\+?[0-9][0-9 ]*")


class Phone(str):
    """A phone cell, already written for people (see ``readable_phone``)."""


def readable_phone(value: str) -> str:
    """A stored (E.164) phone as people write it: national for French numbers.

    "+33612345678" gives "06 12 34 56 78", "+442079460958" "+44 20 7946
    0958". Only digits, spaces and a leading "+": nothing a spreadsheet can
    run. Anything else is returned as it is (and then defused as text).
    """
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == "FR"
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    text = phonenumbers.format_number(number, style)
    return Phone(text) if READABLE_PHONE.fullmatch(text) else value


def defuse(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, Phone):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def default_delimiter() -> str:
    """``;`` on a French site (French spreadsheets read it), ``,`` otherwise."""
    from collective.rendezvous.notifications.texts import site_language

    return ";" if site_language() == "fr" else ","


class ExportView(ManagedCountersView):
    """The bookings of a period as CSV (UTF-8 with a BOM, for Excel)."""

    def render(self):
        counters = self.counters
        response = self.request.response
        form = self.request.form
        tz = site_timezone()
        today = datetime.datetime.now(tz).date()
        try:
            first = self._date(form.get("start"), today)
            last = self._date(
                form.get("end"), first + datetime.timedelta(days=DEFAULT_DAYS - 1)
            )
        except ValueError:
            return self._refuse(_("Write the dates as YYYY-MM-DD, e.g. 2026-12-01."))
        if last < first:
            return self._refuse(_("The end date is before the start date."))
        if (last - first).days + 1 > MAX_DAYS:
            return self._refuse(
                _(
                    "Export at most ${max} days at a time.",
                    mapping={"max": MAX_DAYS},
                )
            )
        separator = form.get("separator")
        delimiter = default_delimiter()
        if isinstance(separator, str):
            delimiter = DELIMITERS.get(separator, delimiter)
        output = io.StringIO()
        # Every cell is text: quoting them all tells a spreadsheet so.
        writer = csv.writer(
            output,
            delimiter=delimiter,
            lineterminator="\r\n",
            quoting=csv.QUOTE_ALL,
        )
        writer.writerow([self.translate(column) for column in COLUMNS])
        partner_titles = self._partner_titles()
        for booking in bookings_between(self.context, first, last):
            if in_counters(booking, counters):
                writer.writerow(
                    [defuse(cell) for cell in self.row(booking, tz, partner_titles)]
                )
        name = re.sub(r"[^A-Za-z0-9_-]", "", self.context.getId()) or "rendezvous"
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="{name}-{first.isoformat()}-{last.isoformat()}.csv"',
        )
        response.setHeader("Cache-Control", "private, no-store")
        return ("\ufeff" + output.getvalue()).encode("utf-8")

    def row(self, booking, tz, partner_titles) -> list:
        state = api.content.get_state(booking)
        counter = booking.__parent__
        appointment_type = counter.get_appointment_type()
        start = booking.start.astimezone(tz)
        return [
            booking.code,
            self.translate(_state_label(state)),
            start.date().isoformat(),
            start.strftime("%H:%M"),
            booking.end.astimezone(tz).strftime("%H:%M"),
            counter.__parent__.Title(),
            counter.Title(),
            appointment_type.Title() if appointment_type is not None else "",
            booking.option or "",
            partner_titles.get(booking.partner_type, booking.partner_type or ""),
            booking.beneficiary or "",
            booking.email or "",
            readable_phone(booking.phone or ""),
            booking.comment or "",
            self._who(booking, getattr(booking, "booked_by", ""), "booked"),
            self._who(booking, booking.cancelled_by or "", "cancelled"),
            " ".join(getattr(booking, "application_ids", ()) or ()),
        ]

    def _who(self, booking, kind: str, event: str) -> str:
        """ "Citizen", or "Agent (user id)"."""
        if kind == "citizen":
            return self.translate(_("Citizen"))
        if kind == "agent":
            user = actor(booking, event)
            label = self.translate(_("Agent"))
            return f"{label} ({user})" if user and user != "agent" else label
        return kind or ""

    @staticmethod
    def _partner_titles() -> dict:
        from collective.rendezvous.controlpanels.settings import get_settings

        return {
            row.get("id"): row.get("title") or row.get("id")
            for row in get_settings().partner_types or ()
        }

    @staticmethod
    def _date(value, default: datetime.date) -> datetime.date:
        if not value:
            return default
        if not isinstance(value, str):
            raise ValueError(value)
        day = datetime.date.fromisoformat(value)
        if not 1971 <= day.year <= 9000:
            raise ValueError(value)
        return day

    def _refuse(self, message):
        self.request.response.setStatus(400)
        self.request.response.setHeader("Content-Type", "text/plain; charset=utf-8")
        return self.translate(message)


def _state_label(state: str):
    from collective.rendezvous.browser.agenda import STATE_LABELS

    return STATE_LABELS.get(state, state)


# -- the counter's private iCalendar feed ------------------------------------------


def feed_keys() -> OOBTree:
    """The site's feed keys: (counter UID, user id) -> record (hash...)."""
    annotations = IAnnotations(api.portal.get())
    keys = annotations.get(FEED_KEYS)
    if keys is None:
        keys = annotations[FEED_KEYS] = OOBTree()
    return keys


def feed_record(counter, user_id: str):
    keys = IAnnotations(api.portal.get()).get(FEED_KEYS)
    if keys is None or not isinstance(user_id, str) or not user_id:
        return None
    return keys.get((counter.UID(), user_id))


def feed_key_holders(counter) -> list[tuple[str, dict]]:
    """(user id, record) of every key of this counter's feed."""
    keys = IAnnotations(api.portal.get()).get(FEED_KEYS)
    if keys is None:
        return []
    uid = counter.UID()
    # Keys sort by counter first: this counter's are one range of the tree.
    return [
        (user_id, record)
        for (counter_uid, user_id), record in keys.items(min=(uid,))
        if counter_uid == uid
    ]


def new_feed_key(counter, user_id: str, contacts: bool = False) -> str:
    """Make this user's key of the counter's feed (replacing theirs); store
    its hash only."""
    key, key_hash = codes.new_token()
    feed_keys()[(counter.UID(), user_id)] = PersistentMapping(
        {
            "hash": key_hash,
            "created": datetime.datetime.now(datetime.UTC),
            "contacts": bool(contacts),
        }
    )
    # The counter's former shared key (before issue 12) no longer opens it.
    IAnnotations(counter).pop(FEED_ANNOTATION, None)
    return key


def revoke_feed_key(counter, user_id: str) -> bool:
    keys = IAnnotations(api.portal.get()).get(FEED_KEYS)
    if keys is None or (counter.UID(), user_id) not in keys:
        return False
    del keys[(counter.UID(), user_id)]
    return True


def may_read_feed(counter, user_id: str) -> bool:
    """The user exists and manages the counter's bookings now."""
    user = api.user.get(userid=user_id)
    return user is not None and api.user.has_permission(
        MANAGE_BOOKINGS, user=user, obj=counter
    )


def feed_reader(counter, user_id, key):
    """The record of a valid key whose user still manages the counter, or None."""
    record = feed_record(counter, user_id)
    if record is None or not codes.token_matches(record.get("hash"), key):
        return None
    return record if may_read_feed(counter, user_id) else None


class FeedView(BackOfficeView):
    """Make, replace or revoke the user's own secret address of the feed."""

    template = ViewPageTemplateFile("templates/agenda_feed.pt")

    def render(self):
        self.feed_url = None
        self.user_id = api.user.get_current().getId() or ""
        form = self.request.form
        if self.request.method == "POST" and (
            form.get("regenerate") or form.get("revoke")
        ):
            CheckAuthenticator(self.request)
            alsoProvides(self.request, IDisableCSRFProtection)
            holder = form.get("revoke")
            if holder:
                self._revoke(holder)
            else:
                key = new_feed_key(
                    self.context, self.user_id, contacts=form.get("contacts") == "1"
                )
                query = urlencode({"user": self.user_id, "key": key})
                self.feed_url = (
                    f"{self.context.absolute_url()}/@@rendezvous-feed.ics?{query}"
                )
        # The address is a secret: keep it out of caches and Referer headers.
        codes.keep_private(self.request.response)
        return self.template()

    def _revoke(self, holder) -> None:
        """The user's own address ("1"), or, for a manager, an agent's."""
        if holder in ("1", self.user_id):
            if revoke_feed_key(self.context, self.user_id):
                self.notify_user(_("Your address of the feed no longer works."))
        elif (
            isinstance(holder, str)
            and self.manages_keys()
            and revoke_feed_key(self.context, holder)
        ):
            self.notify_user(
                _(
                    "The address of ${user} no longer works.",
                    mapping={"user": holder},
                )
            )

    def record(self) -> dict | None:
        record = feed_record(self.context, self.user_id)
        if record is None:
            return None
        return {
            "created": day_and_time(record["created"].astimezone(site_timezone())),
            "contacts": bool(record.get("contacts")),
        }

    def manages_keys(self) -> bool:
        """Managers of the service see and revoke every agent's address."""
        return api.user.has_permission(MANAGE_SETTINGS, obj=self.context)

    def holders(self) -> list[dict]:
        if not self.manages_keys():
            return []
        tz = site_timezone()
        return [
            {
                "user": user_id,
                "created": day_and_time(record["created"].astimezone(tz)),
                "contacts": bool(record.get("contacts")),
                "works": may_read_feed(self.context, user_id),
            }
            for user_id, record in feed_key_holders(self.context)
        ]

    def webcal_url(self) -> str | None:
        if not self.feed_url:
            return None
        return "webcal://" + self.feed_url.split("://", 1)[1]

    def agenda_url(self) -> str:
        return f"{self.context.absolute_url()}/@@rendezvous-agenda"


@implementer(IPublishTraverse)
class FeedIcsView(BrowserView):
    """The feed, for calendar applications: the key is the only credential."""

    def publishTraverse(self, request, name):
        raise NotFound(self, name, request)

    def __call__(self):
        response = self.request.response
        form = self.request.form
        # The address carries the key: no cache, no Referer.
        codes.keep_private(response)
        self.record = feed_reader(self.context, form.get("user"), form.get("key"))
        if self.record is None:
            response.setStatus(403)
            response.setHeader("Content-Type", "text/plain; charset=utf-8")
            return translate(
                _("This calendar address is not valid (any more)."),
                context=self.request,
            )
        response.setHeader("Content-Type", "text/calendar; charset=utf-8")
        response.setHeader(
            "Content-Disposition", f'inline; filename="{self.context.getId()}.ics"'
        )
        return self.calendar()

    def calendar(self) -> bytes:
        counter = self.context
        place = counter.__parent__
        appointment_type = counter.get_appointment_type()
        type_title = appointment_type.Title() if appointment_type is not None else ""
        tz = site_timezone()
        today = datetime.datetime.now(tz).date()
        first = today - datetime.timedelta(days=FEED_PAST_DAYS)
        last = today + datetime.timedelta(days=FEED_FUTURE_DAYS)
        host = counter.absolute_url().split("/")[2]
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//collective.rendezvous//agents//FR")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", f"{place.Title()} – {counter.Title()}")
        calendar.add("x-wr-timezone", tz.key)
        calendar.add("x-published-ttl", "PT15M")
        stamp = datetime.datetime.now(datetime.UTC)
        for booking in bookings_between(counter, first, last):
            state = api.content.get_state(booking)
            if state not in FEED_STATES:
                continue
            event = icalendar.Event()
            event.add("uid", f"{booking.UID()}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", booking.start.astimezone(datetime.UTC))
            event.add("dtend", booking.end.astimezone(datetime.UTC))
            summary = [type_title, booking.option, booking.code, booking.beneficiary]
            event.add("summary", " – ".join(part for part in summary if part))
            event.add("location", f"{place.Title()}, {counter.Title()}")
            details = [translate(_state_label(state), context=self.request)]
            if self.record.get("contacts"):
                # Only when the agent chose so when making the key.
                details += [booking.phone or "", booking.email or ""]
            details.append(booking.comment or "")
            event.add("description", "\n".join(part for part in details if part))
            event.add("status", "CONFIRMED")
            event.add("sequence", len(booking.history or ()))
            calendar.add_component(event)
        return calendar.to_ical()
