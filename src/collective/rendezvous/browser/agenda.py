"""The agents' back office (issue 6, item 3; R3, R14, X4, X10).

Server-rendered pages, usable without JavaScript and printable:

- ``@@rendezvous-agenda`` on a Place or a Counter: the day or week agenda of
  the counters the user manages (``?date=YYYY-MM-DD&view=day|week``), with
  buttons to mark attended / absent and to cancel, and links to book a free
  slot for a citizen or to move a booking;
- ``@@rendezvous-book-for`` on a Counter (``?start=ISO``): book for a citizen;
- ``@@rendezvous-move`` on a Booking: move it to another free slot;
- ``@@rendezvous-unscheduled`` on the appointment service: the bookings whose
  slot disappeared, to move or cancel.

Every change goes through the booking service (``booking/service.py``); a
refused change dooms the transaction. A user sees and changes the bookings
of the counters on which they hold "collective.rendezvous: Manage bookings"
only (the agents of the counter's services, R14).
"""

from collective.rendezvous import _
from collective.rendezvous.booking import service
from collective.rendezvous.booking.index import bookings_of
from collective.rendezvous.booking.index import find as find_booking
from collective.rendezvous.browser.folder import block_label
from collective.rendezvous.browser.folder import day_and_time
from collective.rendezvous.browser.folder import day_label
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.folder import service_folder
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import to_datetime
from collective.rendezvous.slots.store import get_store
from plone import api
from plone.app.layout.globals.context import ContextState as BaseContextState
from plone.app.layout.viewlets.common import ViewletBase
from plone.app.uuid.utils import uuidToObject
from plone.protect import CheckAuthenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from zExceptions import NotFound
from zExceptions import Unauthorized
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.interface import Interface
from zope.publisher.interfaces import IPublishTraverse

import datetime
import logging
import transaction


STATE_LABELS = {
    "free": _("Free"),
    "taken": _("Taken"),
    "booked": _("Booked"),
    "attended": _("Attended"),
    "absent": _("Absent"),
    "cancelled": _("Cancelled"),
    "unscheduled": _("Unscheduled"),
}

# Bootstrap 5 badges (Barceloneta); the label is always written out, so the
# colour is never the only clue (WCAG 1.4.1).
STATE_BADGES = {
    "free": "text-bg-light border",
    "taken": "text-bg-dark",
    "booked": "text-bg-primary",
    "attended": "text-bg-success",
    "absent": "text-bg-warning",
    "cancelled": "text-bg-secondary",
    "unscheduled": "text-bg-danger",
}

ACTIONS = ("attended", "absent", "cancel")
MOVE_DAYS = 14


# -- helpers shared by the back-office pages -----------------------------------


def path_of(obj) -> str:
    return "/".join(obj.getPhysicalPath())


def managed_counters(context) -> list:
    """The counters in ``context`` (or ``context`` itself) this user manages."""
    if api.user.is_anonymous():
        return []
    if ICounter.providedBy(context):
        return [context] if service.may_manage(context) else []
    catalog = api.portal.get_tool("portal_catalog")
    counters = []
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Counter", path=path_of(context)
    ):
        counter = brain._unrestrictedGetObject()
        if service.may_manage(counter):
            counters.append(counter)
    counters.sort(key=lambda obj: (obj.__parent__.Title().lower(), obj.Title().lower()))
    return counters


def bookings_between(context, first: datetime.date, last: datetime.date):
    """Bookings in ``context`` starting from ``first`` to ``last`` (inclusive).

    Read from the counters' day records (bookings are not cataloged, see
    booking/index.py).
    """
    if ICounter.providedBy(context):
        counters = [context]
    else:
        catalog = api.portal.get_tool("portal_catalog")
        counters = [
            brain._unrestrictedGetObject()
            for brain in catalog.unrestrictedSearchResults(
                portal_type="Counter", path=path_of(context)
            )
        ]
    result = []
    for counter in counters:
        result.extend(bookings_of(counter, first, last))
    result.sort(key=lambda booking: (booking.start, booking.getId()))
    return result


def in_counters(booking, counters) -> bool:
    paths = {path_of(counter) for counter in counters}
    return path_of(booking.__parent__) in paths


def parse_day(value, default: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default
    # Far enough from the calendar's ends to add and subtract weeks.
    return day if 1971 <= day.year <= 9000 else default


def actor(booking, event: str) -> str:
    """Who did ``event`` (booked, cancelled...) according to the history."""
    for entry in reversed(booking.history or ()):
        if entry.get("event") == event:
            return entry.get("by") or ""
    return ""


def safe_came_from(request, url) -> str | None:
    """``url`` when it points into the site (no open redirect), else None."""
    if not isinstance(url, str) or not url:
        return None
    portal_url = api.portal.get_tool("portal_url")
    return url if portal_url.isURLInPortal(url) else None


logger = logging.getLogger("collective.rendezvous.backoffice")


class IBackOfficeView(Interface):
    """A page of the agents' back office (not about the content it is on)."""


class NoByline(ViewletBase):
    """Plone's byline ("by admin — last modified") says nothing of a back-office
    page: it is left out of them."""

    def render(self):
        return ""


class ContextState(BaseContextState):
    """Plone's context state, without the "Contents" tab where it lists nothing.

    Bookings are not cataloged (booking/index.py), so Plone's folder contents
    of a counter is always empty, for every role: the agenda lists them. And
    a back-office page is about bookings, not about the contents of the
    item it is on. Elsewhere the tab stays.
    """

    def actions(self, category=None, max=-1):
        actions = super().actions(category, max)
        if category == "object" and (
            ICounter.providedBy(self.context)
            or IBackOfficeView.providedBy(self.request.get("PUBLISHED"))
        ):
            actions = [
                action for action in actions if action.get("id") != "folderContents"
            ]
        return actions


@implementer(IPublishTraverse, IBackOfficeView)
class BackOfficeView(BrowserView):
    """What the back-office pages share: access check, bookings, actions.

    The pages are registered as public and check access here, before
    anything else: the current user must manage the bookings of the
    counter(s) concerned (``allowed``). This answers 403 to an agent of
    another service rather than Plone's login redirect, and lets agents
    reach a place that is not visible on the portal.

    The 403 is a page of its own, not a raised ``Forbidden``: Plone's error
    log records every ``Forbidden`` as an ERROR (with its traceback) in the
    event log, and an agent following an old link is not an error of the
    site. It is logged at INFO.
    """

    macros_template = ViewPageTemplateFile("templates/agenda_macros.pt")
    confirm_template = ViewPageTemplateFile("templates/agenda_confirm.pt")
    denied_template = ViewPageTemplateFile("templates/agenda_denied.pt")

    def __call__(self):
        if not self.allowed():
            return self.deny()
        return self.render()

    def deny(self):
        """Log in first (anonymous), or a 403 page (someone of another service)."""
        if api.user.is_anonymous():
            raise Unauthorized("Log in as an agent of this service.")
        logger.info(
            "Refused %s to %s: not an agent of this service",
            self.request.get("URL", ""),
            api.user.get_current().getId(),
        )
        response = self.request.response
        response.setStatus(403)
        response.setHeader("Cache-Control", "private, no-store")
        response.setHeader("Content-Type", "text/html; charset=utf-8")
        return self.denied_template()

    def allowed(self) -> bool:
        return service.may_manage(self.context)

    def render(self):
        raise NotImplementedError

    def publishTraverse(self, request, name):
        # Nothing below a page: its methods are not published.
        raise NotFound(self, name, request)

    @property
    def macros(self):
        return self.macros_template.macros

    def translate(self, message) -> str:
        return translate(message, context=self.request)

    def notify_user(self, message, kind="info") -> None:
        api.portal.show_message(
            self.translate(message), request=self.request, type=kind
        )

    def timezone_name(self) -> str:
        return site_timezone().key

    def default_separator(self) -> str:
        """The CSV export's separator chosen first: semicolon on a French site."""
        from collective.rendezvous.browser.export import default_delimiter

        return "semicolon" if default_delimiter() == ";" else "comma"

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(site_timezone())

    def state_label(self, state: str) -> str:
        return self.translate(STATE_LABELS.get(state, state))

    def booking_info(self, booking, came_from: str = "") -> dict:
        """A booking as the back-office templates show it."""
        tz = site_timezone()
        state = api.content.get_state(booking)
        counter = booking.__parent__
        start = booking.start.astimezone(tz)
        active = state in ("booked", "unscheduled")
        now = service.now_in_site()
        move_url = None
        if active:
            query = {"came_from": came_from} if came_from else {}
            move_url = f"{booking.absolute_url()}/@@rendezvous-move"
            if query:
                move_url += "?" + urlencode(query)
        return {
            "uid": booking.code,  # what the action forms post (see find_booking)
            "code": booking.code,
            "state": state,
            "label": self.state_label(state),
            "badge": STATE_BADGES.get(state, "text-bg-secondary"),
            "beneficiary": booking.beneficiary or "",
            "option": booking.option or "",
            "partner_type": booking.partner_type or "",
            "email": booking.email or "",
            "phone": booking.phone or "",
            "comment": booking.comment or "",
            # ANTS pre-application numbers (issue 14).
            "application_ids": ", ".join(getattr(booking, "application_ids", ()) or ()),
            "cancel_reason": getattr(booking, "cancel_reason", "") or "",
            "start": start,
            "time": start.strftime("%H:%M"),
            "end_time": booking.end.astimezone(tz).strftime("%H:%M"),
            "when": day_and_time(start),
            "counter": counter.Title(),
            "place": counter.__parent__.Title(),
            "can_attend": state == "booked"
            and service.may_mark(booking, "attended", now),
            "can_absent": state == "booked"
            and service.may_mark(booking, "absent", now),
            "can_cancel": active,
            "move_url": move_url,
        }

    # -- POST actions: mark attended / absent, cancel --------------------------

    def handle_action(self, return_url: str):
        """Run the posted action on a booking, then go back (post/redirect/get)."""
        CheckAuthenticator(self.request)
        alsoProvides(self.request, IDisableCSRFProtection)
        form = self.request.form
        action = form.get("action")
        booking = self.find_booking(form.get("booking"))
        if booking is None or action not in ACTIONS:
            self.notify_user(_("You cannot change this booking."), "error")
            return self.request.response.redirect(return_url)
        if (
            action == "absent"
            and form.get("confirmed") != "1"
            and api.content.get_state(booking) == "booked"
            and service.may_mark(booking, "absent")
        ):
            # Marking absent counts against the citizen and cannot be undone
            # here: a confirmation step, a page of its own so that it works
            # without JavaScript (issue 13).
            self.confirm_info = self.booking_info(booking)
            self.confirm_action = "absent"
            self.return_url = return_url
            self.request.response.setHeader("Cache-Control", "private, no-store")
            return self.confirm_template()
        try:
            if action == "cancel":
                reason = form.get("reason") or ""
                if not isinstance(reason, str):
                    reason = ""
                service.cancel(booking, by="agent", reason=reason.strip())
                done = _(
                    "Booking ${code} is cancelled.", mapping={"code": booking.code}
                )
            else:
                service.mark(booking, action)
                done = (
                    _(
                        "Booking ${code} is marked attended.",
                        mapping={"code": booking.code},
                    )
                    if action == "attended"
                    else _(
                        "Booking ${code} is marked absent.",
                        mapping={"code": booking.code},
                    )
                )
        except service.BookingError as error:
            transaction.doom()
            self.notify_user(error.message, "error")
        else:
            self.notify_user(done)
        return self.request.response.redirect(return_url)

    def find_booking(self, code):
        """The booking with this code in this context, if the user manages it."""
        if not isinstance(code, str) or not code or len(code) > 32:
            return None
        folder = service_folder(self.context)
        booking = find_booking(folder, code) if folder is not None else None
        if booking is None:
            return None
        base = self.context.getPhysicalPath()
        if booking.getPhysicalPath()[: len(base)] != base:
            return None
        return booking if service.may_manage(booking) else None


# -- the agenda ------------------------------------------------------------------


class ManagedCountersView(BackOfficeView):
    """A page over the counters of its context that the user manages."""

    def manages_any(self) -> bool:
        """Whether to offer the page (condition of its tab)."""
        return bool(managed_counters(self.context))

    def allowed(self) -> bool:
        self.counters = managed_counters(self.context)
        return bool(self.counters)


def week_grid(days: list[dict]) -> list[dict]:
    """The week as a grid: one line per start time, one cell per day.

    Each cell holds the rows of ``AgendaView.rows`` of that day starting at
    that time (a slot, its booking, cancelled bookings beside it). Times are
    the union of the week's times, so a day with other hours shows empty
    cells where it has no slot.
    """
    times = sorted({row["time"] for day in days for row in day["rows"]})
    return [
        {
            "time": time,
            "cells": [
                {
                    "day": day,
                    "rows": [row for row in day["rows"] if row["time"] == time],
                }
                for day in days
            ],
        }
        for time in times
    ]


class AgendaView(ManagedCountersView):
    """Day or week agenda of a counter, or of the managed counters of a place."""

    template = ViewPageTemplateFile("templates/agenda.pt")

    def render(self):
        form = self.request.form
        self.tz = site_timezone()
        self.today = self.now().date()
        self.day = parse_day(form.get("date"), self.today)
        self.mode = "week" if form.get("view") == "week" else "day"
        if self.mode == "week":
            self.first = self.day - datetime.timedelta(days=self.day.weekday())
            self.last = self.first + datetime.timedelta(days=6)
        else:
            self.first = self.last = self.day
        if self.request.method == "POST":
            return self.handle_action(self.url())
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return self.template()

    # -- URLs ------------------------------------------------------------------

    def url(self, day: datetime.date | None = None, mode: str | None = None) -> str:
        query = {
            "date": (day or self.day).isoformat(),
            "view": mode or self.mode,
        }
        return f"{self.context.absolute_url()}/@@rendezvous-agenda?{urlencode(query)}"

    def step(self) -> datetime.timedelta:
        return datetime.timedelta(days=7 if self.mode == "week" else 1)

    def previous_url(self) -> str:
        return self.url(self.day - self.step())

    def next_url(self) -> str:
        return self.url(self.day + self.step())

    def today_url(self) -> str:
        return self.url(self.today)

    def day_url(self, day: datetime.date) -> str:
        return self.url(day, "day")

    def week_url(self) -> str:
        return self.url(mode="week")

    def export_url(self) -> str:
        return f"{self.context.absolute_url()}/@@rendezvous-export.csv"

    def unscheduled_url(self) -> str | None:
        folder = service_folder(self.context)
        return f"{folder.absolute_url()}/@@rendezvous-unscheduled" if folder else None

    # -- labels ----------------------------------------------------------------

    def period_label(self) -> str:
        if self.mode == "day":
            return day_label(self.day)
        return self.translate(
            _(
                "Week from ${first} to ${last}",
                mapping={"first": day_label(self.first), "last": day_label(self.last)},
            )
        )

    def is_place(self) -> bool:
        return not ICounter.providedBy(self.context)

    # -- data ------------------------------------------------------------------

    def days(self) -> list[datetime.date]:
        count = (self.last - self.first).days + 1
        return [self.first + datetime.timedelta(days=n) for n in range(count)]

    def agenda(self) -> list[dict]:
        """Per counter: its days (rows of slots and bookings), its unscheduled."""
        result = []
        came_from = self.url()
        now = self.now()
        for counter in self.counters:
            bookings = bookings_between(counter, self.first, self.last)
            infos = [self.booking_info(booking, came_from) for booking in bookings]
            unscheduled = [info for info in infos if info["state"] == "unscheduled"]
            scheduled = [info for info in infos if info["state"] != "unscheduled"]
            store = get_store(counter)
            days = []
            for day in self.days():
                record = store.day(day) if store is not None else None
                rows = self.rows(counter, day, record, scheduled, now, came_from)
                days.append(
                    {
                        "date": day,
                        "label": day_label(day),
                        "url": self.day_url(day),
                        "rows": rows,
                        "free": sum(1 for row in rows if row["status"] == "free"),
                        "booked": sum(
                            1
                            for row in rows
                            if row["booking"] is not None
                            and row["booking"]["state"] != "cancelled"
                        ),
                        "id": f"rdv-{counter.UID()}-{day.isoformat()}",
                    }
                )
            appointment_type = counter.get_appointment_type()
            result.append(
                {
                    "grid": week_grid(days) if self.mode == "week" else None,
                    "title": counter.Title(),
                    "place": counter.__parent__.Title(),
                    "type": (
                        appointment_type.Title() if appointment_type is not None else ""
                    ),
                    "url": counter.absolute_url(),
                    "agenda_url": (
                        f"{counter.absolute_url()}/@@rendezvous-agenda?"
                        + urlencode({"date": self.day.isoformat(), "view": self.mode})
                    ),
                    "days": days,
                    "unscheduled": unscheduled,
                }
            )
        return result

    def rows(self, counter, day, record, scheduled, now, came_from) -> list[dict]:
        """The slots of a counter's day in order, with the bookings they hold.

        A cancelled booking frees its slot: the slot shows free again and the
        booking is listed beside it. Bookings at times that are no longer a
        slot (the schedule changed after they attended...) are listed too.
        """
        # DaySlots.taken holds booking ids (the lower-case code).
        day_bookings = {
            info["uid"].lower(): info
            for info in scheduled
            if info["start"].date() == day
        }
        placed = set()
        rows = []
        if record is not None:
            for key in record.starts:
                start = to_datetime(key, self.tz)
                holder = record.taken.get(key)
                # A booking for several documents holds several slots: its
                # row ends where the booking does.
                end = to_datetime(
                    holder[0] if holder else key + record.duration, self.tz
                )
                info = day_bookings.get(holder[1]) if holder else None
                row = {
                    "start": start,
                    "time": start.strftime("%H:%M"),
                    "end_time": end.strftime("%H:%M"),
                    "booking": info,
                    "book_url": None,
                }
                if info is not None:
                    placed.add(info["uid"].lower())
                    row["status"] = info["state"]
                elif record.is_free(key):
                    row["status"] = "free"
                    if start >= now:
                        row["book_url"] = (
                            f"{counter.absolute_url()}/@@rendezvous-book-for?"
                            + urlencode(
                                {"start": start.isoformat(), "came_from": came_from}
                            )
                        )
                else:
                    # Covered by a booking of several slots (several
                    # documents) or of another length (the type's duration
                    # changed since it was made).
                    row["status"] = "taken"
                row["label"] = self.state_label(row["status"])
                row["badge"] = STATE_BADGES[row["status"]]
                rows.append(row)
        for uid, info in day_bookings.items():
            if uid in placed:
                continue
            rows.append(
                {
                    "start": info["start"],
                    "time": info["time"],
                    "end_time": info["end_time"],
                    "booking": info,
                    "book_url": None,
                    "status": info["state"],
                    "label": info["label"],
                    "badge": info["badge"],
                }
            )
        # Slot rows first at equal times, then the bookings listed beside them.
        rows.sort(key=lambda row: (row["start"], row["status"] == "cancelled"))
        return rows


# -- book for a citizen ----------------------------------------------------------


BOOK_FIELDS = (
    "beneficiary",
    "email",
    "phone",
    "option",
    "partner_type",
    "comment",
    "application_ids",
)


class BookForView(BackOfficeView):
    """An agent books a free slot of this counter for a citizen (R3, R13)."""

    template = ViewPageTemplateFile("templates/agenda_book_for.pt")

    def render(self):
        self.tz = site_timezone()
        self.folder = service_folder(self.context)
        self.appointment_type = self.context.get_appointment_type()
        self.errors = {}
        self.message = None
        # An appointment elsewhere for a pre-application (ANTS): confirmable.
        self.ants_warning = False
        form = self.request.form
        self.start = self._start(form.get("start"))
        self.documents = self._documents()
        if self.start is None or self.appointment_type is None:
            self.request.response.setStatus(400)
            self.message = _("Choose a free slot in the agenda.")
            return self.template()
        if self.request.method == "POST" and form.get("submit"):
            CheckAuthenticator(self.request)
            alsoProvides(self.request, IDisableCSRFProtection)
            done = self.submit()
            if done:
                return done
        elif not self.slot_free():
            self.message = _("This slot is not free: please choose another one.")
            if self.slots_count() > 1 and self.slot_free(count=1):
                self.message = _(
                    "There are not ${count} free slots in a row from this time "
                    "(one per document): please choose another time.",
                    mapping={"count": self.slots_count()},
                )
        return self.template()

    def _start(self, value):
        if not isinstance(value, str):
            return None
        try:
            return service.parse_start(value).astimezone(site_timezone())
        except service.BookingError:
            return None

    def _documents(self) -> int:
        """How many documents (one number and one slot each, issue 14):
        ``documents_number``, else as many as the numbers typed; 1 to
        MAX_NUMBERS."""
        from collective.rendezvous.ants.numbers import documents_shown

        value = self.request.form.get("documents_number")
        if not (isinstance(value, str) and value.isdigit()):
            value = None
        return documents_shown(value, default=len(self.numbers()))

    def numbers(self) -> list[str]:
        """The numbers typed, one per input (``application_ids:list``)."""
        values = self.request.form.get("application_ids") or []
        if isinstance(values, str):
            values = values.split()
        return [value for value in values if isinstance(value, str)]

    def number_value(self, index: int) -> str:
        """The number typed in the ``index``-th (1-based) input, if any."""
        values = self.numbers()
        return values[index - 1] if len(values) >= index else ""

    def slots_count(self) -> int:
        return self.documents if self.asks_numbers() else 1

    def document_choices(self) -> list[dict]:
        """Links to this form for 1 to MAX_NUMBERS documents."""
        from collective.rendezvous.ants.numbers import MAX_NUMBERS

        return [
            {
                "count": count,
                "url": self.action_url(documents_number=count),
                "current": count == self.documents,
            }
            for count in range(1, MAX_NUMBERS + 1)
        ]

    def slot_free(self, count: int | None = None) -> bool:
        """Whether the slot, and as many after it as documents (``count``,
        by default the form's), is free."""
        from collective.rendezvous import scheduling

        store = get_store(self.context)
        record = store.day(self.start.date()) if store is not None else None
        key = scheduling.slot_key(self.start)
        return record is not None and record.block_free(
            key, count or self.slots_count()
        )

    def submit(self):
        form = self.request.form
        data = {name: form.get(name, "") for name in BOOK_FIELDS}
        data.update(
            type=self.appointment_type.UID(),
            counter=self.context.UID(),
            start=self.start.isoformat(),
            confirm_ants_warning=form.get("confirm_ants_warning") or "",
        )
        if self.asks_numbers():
            data["application_ids"] = [n for n in self.numbers() if n.strip()]
            data["documents_number"] = str(self.documents)
        try:
            booking, _token = service.book(self.folder, data)
        except service.BookingError as error:
            transaction.doom()
            self.ants_warning = bool(getattr(error, "confirm", None))
            # Every refused field at once (issue 13), as on the citizens' page.
            fields = {k: v for k, v in error.errors.items() if k in BOOK_FIELDS}
            self.errors.update(fields)
            if not fields:
                self.message = error.message
            return None
        self.notify_user(
            _(
                "Booked for ${name} on ${when}: booking code ${code}.",
                mapping={
                    "name": booking.beneficiary,
                    "when": day_and_time(self.start),
                    "code": booking.code,
                },
            )
        )
        return self.request.response.redirect(self.back_url())

    def back_url(self) -> str:
        came_from = safe_came_from(self.request, self.request.form.get("came_from"))
        if came_from:
            return came_from
        day = self.start.date().isoformat() if self.start else ""
        return f"{self.context.absolute_url()}/@@rendezvous-agenda?date={day}"

    def action_url(self, documents_number: int | None = None) -> str:
        query = {"start": self.start.isoformat()}
        count = documents_number or getattr(self, "documents", 1)
        if count > 1 and self.asks_numbers():
            query["documents_number"] = str(count)
        came_from = safe_came_from(self.request, self.request.form.get("came_from"))
        if came_from:
            query["came_from"] = came_from
        return f"{self.context.absolute_url()}/@@rendezvous-book-for?" + urlencode(
            query
        )

    def slot_label(self) -> str:
        return block_label(
            self.start, self.slots_count(), self.appointment_type.duration
        )

    def options(self) -> list[str]:
        return list(getattr(self.appointment_type, "options", None) or ())

    def partner_types(self) -> list[dict]:
        """The partner types the type is restricted to (empty: not asked)."""
        from collective.rendezvous.controlpanels.settings import get_settings

        allowed = set(self.appointment_type.partner_types or ())
        if not allowed:
            return []
        return [
            row for row in get_settings().partner_types or () if row["id"] in allowed
        ]

    def asks_numbers(self) -> bool:
        from collective.rendezvous.ants.numbers import requires_numbers

        return requires_numbers(self.appointment_type)

    def options_without_numbers(self) -> str:
        """The options that ask no number (mapped to no ANTS reason)."""
        from collective.rendezvous.ants.numbers import requires_numbers

        return ", ".join(
            option
            for option in self.options()
            if not requires_numbers(self.appointment_type, option)
        )

    def value(self, name) -> str:
        value = self.request.form.get(name, "")
        return value if isinstance(value, str) else ""

    def error(self, name) -> str | None:
        message = self.errors.get(name)
        return self.translate(message) if message else None


# -- move a booking ----------------------------------------------------------------


class MoveView(BackOfficeView):
    """An agent moves a booking to a free slot of its type (any counter they manage)."""

    template = ViewPageTemplateFile("templates/agenda_move.pt")

    def render(self):
        self.tz = site_timezone()
        self.folder = service_folder(self.context)
        self.today = self.now().date()
        form = self.request.form
        self.first = max(parse_day(form.get("date"), self.today), self.today)
        self.last = self.first + datetime.timedelta(days=MOVE_DAYS - 1)
        self.message = None
        self.state = api.content.get_state(self.context)
        self.info = self.booking_info(self.context)
        if self.state not in ("booked", "unscheduled"):
            self.message = _("This booking can no longer be moved.")
        elif self.request.method == "POST" and form.get("submit"):
            CheckAuthenticator(self.request)
            alsoProvides(self.request, IDisableCSRFProtection)
            done = self.submit()
            if done:
                return done
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return self.template()

    def submit(self):
        value = self.request.form.get("slot")
        if not isinstance(value, str) or "|" not in value:
            self.message = _("Choose the new time.")
            return None
        start, counter_uid = value.split("|", 1)
        try:
            booking = service.reschedule(
                self.folder, self.context, start, counter_uid, by="agent"
            )
        except service.BookingError as error:
            transaction.doom()
            self.message = error.message
            return None
        new_start = booking.start.astimezone(self.tz)
        self.notify_user(
            _(
                "Booking ${code} moved to ${when}.",
                mapping={"code": booking.code, "when": day_and_time(new_start)},
            )
        )
        came_from = safe_came_from(self.request, self.request.form.get("came_from"))
        if not came_from:
            came_from = (
                f"{booking.__parent__.absolute_url()}/@@rendezvous-agenda?"
                + urlencode({"date": new_start.date().isoformat()})
            )
        return self.request.response.redirect(came_from)

    def url(self, day: datetime.date | None = None) -> str:
        query = {"date": (day or self.first).isoformat()}
        came_from = safe_came_from(self.request, self.request.form.get("came_from"))
        if came_from:
            query["came_from"] = came_from
        return f"{self.context.absolute_url()}/@@rendezvous-move?" + urlencode(query)

    def previous_url(self) -> str | None:
        if self.first <= self.today:
            return None
        return self.url(
            max(self.today, self.first - datetime.timedelta(days=MOVE_DAYS))
        )

    def next_url(self) -> str:
        return self.url(self.first + datetime.timedelta(days=MOVE_DAYS))

    def period_label(self) -> str:
        return self.translate(
            _(
                "From ${first} to ${last}",
                mapping={"first": day_label(self.first), "last": day_label(self.last)},
            )
        )

    def back_url(self) -> str:
        came_from = safe_came_from(self.request, self.request.form.get("came_from"))
        if came_from:
            return came_from
        return (
            f"{self.context.__parent__.absolute_url()}/@@rendezvous-agenda?"
            + urlencode({"date": self.info["start"].date().isoformat()})
        )

    def slot_days(self) -> list[dict]:
        """Free slots of the booking's type at the counters this agent manages."""
        appointment_type = self.context.__parent__.get_appointment_type()
        if appointment_type is None or self.folder is None:
            return []
        counters = {}
        days = {}
        for slot in free_slots(appointment_type, self.folder, self.first, self.last):
            if slot.counter not in counters:
                counter = uuidToObject(slot.counter, unrestricted=True)
                counters[slot.counter] = (
                    counter
                    if counter is not None and service.may_manage(counter)
                    else None
                )
            counter = counters[slot.counter]
            if counter is None:
                continue
            start = to_datetime(slot.start, self.tz)
            day = start.date()
            if day not in days:
                days[day] = {
                    "date": day,
                    "label": day_label(day),
                    "id": f"rdv-move-{day.isoformat()}",
                    "slots": [],
                }
            days[day]["slots"].append(
                {
                    "value": f"{start.isoformat()}|{slot.counter}",
                    "id": f"rdv-slot-{slot.start}-{slot.counter}",
                    "time": start.strftime("%H:%M"),
                    "counter": counter.Title(),
                    "place": counter.__parent__.Title(),
                }
            )
        for entry in days.values():
            entry["slots"].sort(
                key=lambda slot: (slot["time"], slot["place"], slot["counter"])
            )
        return [days[day] for day in sorted(days)]


# -- unscheduled bookings ---------------------------------------------------------


class UnscheduledView(ManagedCountersView):
    """The bookings of the service whose slot disappeared, to move or cancel."""

    template = ViewPageTemplateFile("templates/agenda_unscheduled.pt")

    def render(self):
        if self.request.method == "POST":
            return self.handle_action(self.url())
        self.request.response.setHeader("Cache-Control", "private, no-store")
        return self.template()

    def url(self) -> str:
        return f"{self.context.absolute_url()}/@@rendezvous-unscheduled"

    def bookings(self) -> list[dict]:
        found = [
            booking
            for counter in self.counters
            for booking in bookings_of(counter)
            if api.content.get_state(booking) == "unscheduled"
        ]
        found.sort(key=lambda booking: (booking.start, booking.getId()))
        return [self.booking_info(booking, self.url()) for booking in found]

    def agendas(self) -> list[dict]:
        """The places and counters this user manages, with their agendas."""
        places = {}
        for counter in self.counters:
            place = counter.__parent__
            entry = places.setdefault(
                path_of(place),
                {
                    "title": place.Title(),
                    "url": f"{place.absolute_url()}/@@rendezvous-agenda",
                    "counters": [],
                },
            )
            entry["counters"].append(
                {
                    "title": counter.Title(),
                    "url": f"{counter.absolute_url()}/@@rendezvous-agenda",
                    "feed_url": f"{counter.absolute_url()}/@@rendezvous-feed",
                }
            )
        return list(places.values())

    def export_url(self) -> str:
        return f"{self.context.absolute_url()}/@@rendezvous-export.csv"

    def today(self) -> datetime.date:
        return self.now().date()

    def month_end(self) -> datetime.date:
        return self.today() + datetime.timedelta(days=30)
