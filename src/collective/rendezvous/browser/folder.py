"""The citizens' page of an appointment service: type, option, place, day, slot.

Server-rendered and driven by query parameters (``appointment_type``, ``option``,
``place``, ``month``, ``day``), so it works without JavaScript and every step
has its own URL. Booking the chosen slot completes the flow (bookings issue).
"""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.booking import codes
from collective.rendezvous.booking import service
from collective.rendezvous.booking.serialize import manage_url
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import offered_counters
from collective.rendezvous.slots.query import to_datetime
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.i18n import translate
from zope.i18n.locales import locales
from zope.interface import alsoProvides

import calendar
import collections
import datetime
import transaction


FORM_FIELDS = ("beneficiary", "email", "phone", "partner_type", "comment", "consent")


def _gregorian():
    language = api.portal.get_current_language() or "fr"
    try:
        locale = locales.getLocale(language.split("-")[0])
    except Exception:
        locale = locales.getLocale("en")
    return locale.dates.calendars["gregorian"]


def day_label(day: datetime.date) -> str:
    """e.g. "mardi 1 décembre 2026" on a French site."""
    names = _gregorian()
    return (
        f"{names.getDayNames()[day.weekday()]} {day.day} "
        f"{names.getMonthNames()[day.month - 1]} {day.year}"
    )


def day_and_time(moment: datetime.datetime) -> str:
    return f"{day_label(moment.date())}, {moment.strftime('%H:%M')}"


class FolderView(BrowserView):
    """Step by step: every step reads the previous ones from the query."""

    def __call__(self):
        self.tz = site_timezone()
        self.today = datetime.datetime.now(self.tz).date()
        form = self.request.form
        if form.get("token") or form.get("move"):
            # Moving a booking: the token is in this page's URL and links.
            codes.keep_private(self.request.response)
        self.move = self._move(form.get("move"), form.get("token"))
        if self.move is not None:
            # Moving a booking: its type, option and place are given.
            counter = self.move[0].__parent__
            form["appointment_type"] = counter.appointment_type
            form["option"] = self.move[0].option
            form.setdefault("place", counter.__parent__.UID())
        self.types = self.visible_types()
        self.chosen_type = self._pick(form.get("appointment_type"), self.types)
        self.option = None
        self.places = []
        self.place = None
        if self.chosen_type is not None:
            options = list(self.chosen_type.options or ())
            if form.get("option") in options:
                self.option = form["option"]
            self.places = self.visible_places(self.chosen_type)
            self.place = self._pick(form.get("place"), self.places)
        self.month = self._month(form.get("month"))
        self.day = self._date(form.get("day"))
        self.slot = self._slot(form.get("slot"))
        self.errors = {}
        self.message = None
        if self.request.method == "POST" and self.ready() and self.slot:
            done = self.submit()
            if done:
                return done
        return self.index()

    # -- booking -----------------------------------------------------------

    def submit(self):
        """Book the chosen slot (or move the booking); a URL to go to, or None."""
        form = self.request.form
        if form.get("website"):
            # The honeypot: hidden from people, filled in by robots.
            self.message = _("Your request could not be accepted.")
            return None
        if not api.user.is_anonymous():
            from plone.protect import CheckAuthenticator

            CheckAuthenticator(self.request)
        alsoProvides(self.request, IDisableCSRFProtection)
        if self.move is not None:
            return self._submit_move()
        if not form.get("consent"):
            self.errors["consent"] = _(
                "Please accept the processing of your data to book."
            )
            return None
        data = {
            name: form.get(name, "")
            for name in ("beneficiary", "email", "phone", "partner_type", "comment")
        }
        data.update(
            type=self.chosen_type.UID(),
            option=self.option or "",
            place=self.place.UID() if self.place is not None else "",
            start=self.slot.isoformat(),
        )
        try:
            booking, token = service.book(self.context, data)
        except service.BookingError as error:
            transaction.doom()
            self._refused(error)
            return None
        codes.keep_private(self.request.response)  # the redirect holds the token
        return self.request.response.redirect(
            manage_url(self.context, booking, token) + "&new=1"
        )

    def _submit_move(self):
        booking, token = self.move
        events = len(booking.history or ())
        try:
            booking = service.reschedule(
                self.context, booking, self.slot.isoformat(), by="citizen"
            )
        except service.BookingError as error:
            transaction.doom()
            self._refused(error)
            return None
        # The same slot changes nothing: no "moved" banner.
        moved = "&moved=1" if len(booking.history or ()) != events else ""
        return self.request.response.redirect(
            manage_url(self.context, booking, token) + moved
        )

    def _refused(self, error):
        if error.status == 429:
            # The limit per address (booking/ratelimit.py): the same answer
            # as the REST service's.
            self.request.response.setStatus(429)
            if error.retry_after:
                self.request.response.setHeader("Retry-After", str(error.retry_after))
        if error.status == 409 and error.field not in ("email", "phone"):
            # Taken meanwhile: say so and show the day's slots again.
            self.message = error.message
            self.slot = None
        elif error.field in FORM_FIELDS:
            self.errors[error.field] = error.message
        else:
            self.message = error.message

    def partner_types(self):
        """The partner types the chosen type accepts (all when unrestricted)."""
        from collective.rendezvous.controlpanels.settings import get_settings

        rows = get_settings().partner_types or ()
        allowed = set(self.chosen_type.partner_types or ())
        return [row for row in rows if not allowed or row["id"] in allowed]

    def partner_required(self) -> bool:
        return bool(self.chosen_type.partner_types)

    def slot_label(self) -> str:
        return day_and_time(self.slot.astimezone(self.tz))

    def translate(self, message) -> str:
        return translate(message, context=self.request)

    def first_error(self) -> str | None:
        """The first field in error, in the form's order: it gets the focus."""
        return next((name for name in FORM_FIELDS if name in self.errors), None)

    def error(self, field):
        message = self.errors.get(field)
        return translate(message, context=self.request) if message else None

    # -- data ------------------------------------------------------------

    def visible_types(self):
        """The appointment types this visitor may book, by title."""
        types = [
            obj
            for obj in self.context.objectValues()
            if getattr(obj, "portal_type", None) == "AppointmentType"
            and api.user.has_permission("View", obj=obj)
        ]
        return sorted(types, key=lambda obj: obj.Title().lower())

    def visible_places(self, appointment_type):
        """The places with a counter of this type offered to this visitor."""
        places = {}
        for counter, _may_manage in offered_counters(appointment_type, self.context):
            place = counter.__parent__
            places[place.UID()] = place
        return sorted(places.values(), key=lambda obj: obj.Title().lower())

    def needs_option(self) -> bool:
        return bool(
            self.chosen_type is not None
            and self.chosen_type.options
            and not self.option
        )

    def ready(self) -> bool:
        """Type (and option when it has some) chosen: show the calendar."""
        return self.chosen_type is not None and not self.needs_option()

    def month_slots(self):
        first = self.month
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        first = max(first, self.today)
        if last < first:
            return []
        return free_slots(self.chosen_type, self.context, first, last, place=self.place)

    def calendar_weeks(self):
        """Weeks of the month: lists of (date or None, free count)."""
        per_day = collections.Counter(
            to_datetime(slot.start, self.tz).date() for slot in self.month_slots()
        )
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
            self.month.year, self.month.month
        ):
            weeks.append(
                [
                    (
                        day if day.month == self.month.month else None,
                        per_day.get(day, 0),
                    )
                    for day in week
                ]
            )
        return weeks

    def day_slots(self):
        """The free slots of the chosen day: dicts with time and counter."""
        if self.day is None:
            return []
        slots = free_slots(
            self.chosen_type, self.context, self.day, self.day, place=self.place
        )
        counters = {}
        result = []
        for slot in slots:
            if slot.counter not in counters:
                counters[slot.counter] = uuidToObject(slot.counter, unrestricted=True)
            counter = counters[slot.counter]
            start = to_datetime(slot.start, self.tz)
            result.append(
                {
                    "time": start.strftime("%H:%M"),
                    "start": start.isoformat(),
                    "url": self.url(slot=start.isoformat()),
                    "counter": counter.Title(),
                    "place": counter.__parent__.Title(),
                }
            )
        return result

    # -- formatting ----------------------------------------------------------

    @property
    def _calendar(self):
        return _gregorian()

    def month_label(self) -> str:
        name = self._calendar.getMonthNames()[self.month.month - 1]
        return f"{name} {self.month.year}"

    def day_names(self):
        return list(
            zip(
                self._calendar.getDayAbbreviations(),
                self._calendar.getDayNames(),
                strict=True,
            )
        )

    def day_label(self, day: datetime.date) -> str:
        return day_label(day)

    def day_aria(self, day: datetime.date, free: int) -> str:
        return translate(
            _(
                "${day}: ${count} free slots",
                mapping={"day": self.day_label(day), "count": free},
            ),
            context=self.request,
        )

    def timezone_name(self) -> str:
        return self.tz.key

    def url(self, **changes) -> str:
        """This page's URL with the current choices, some of them changed."""
        params = {
            "appointment_type": (
                self.chosen_type.UID() if self.chosen_type is not None else None
            ),
            "option": self.option,
            "place": self.place.UID() if self.place is not None else None,
            "month": self.month.strftime("%Y-%m"),
            "day": self.day.isoformat() if self.day else None,
        }
        if self.move is not None:
            params["move"] = self.move[0].code
            params["token"] = self.move[1]
        params.update(changes)
        query = {k: v for k, v in params.items() if v}
        return f"{self.context.absolute_url()}?{urlencode(query)}"

    def previous_month(self) -> str | None:
        previous = (self.month - datetime.timedelta(days=1)).replace(day=1)
        if previous < self.today.replace(day=1):
            return None
        return self.url(month=previous.strftime("%Y-%m"), day=None)

    def next_month(self) -> str | None:
        following = (self.month + datetime.timedelta(days=32)).replace(day=1)
        horizon = scheduling.parse_horizon(self.chosen_type.horizon)
        if following > horizon.end(datetime.datetime.now(self.tz)).date():
            return None
        return self.url(month=following.strftime("%Y-%m"), day=None)

    # -- parsing -------------------------------------------------------------

    @staticmethod
    def _pick(uid, objects):
        for obj in objects:
            if obj.UID() == uid:
                return obj
        return None

    def _month(self, value) -> datetime.date:
        try:
            month = datetime.date.fromisoformat(f"{value}-01")
        except (TypeError, ValueError):
            month = self.today.replace(day=1)
        if month.year > self.today.year + 10:
            month = self.today.replace(day=1)
        return max(month, self.today.replace(day=1))

    def _slot(self, value) -> datetime.datetime | None:
        try:
            start = datetime.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return None
        if start.tzinfo is None or not 1971 <= start.year <= 9000:
            return None
        return start

    def _move(self, code, token):
        """(booking, token) when a citizen moves a booking with its link."""
        if not code or not token:
            return None
        try:
            booking = service.get_booking(self.context, code)
            service.authorise(booking, token)
        except service.BookingError:
            return None
        return booking, token

    def _date(self, value) -> datetime.date | None:
        try:
            day = datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
        return day if self.today <= day and day.year <= 9000 else None
