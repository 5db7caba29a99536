"""The citizens' page of an appointment service: type, option, place, day, slot.

Server-rendered and driven by query parameters (``appointment_type``, ``option``,
``place``, ``month``, ``day``), so it works without JavaScript and every step
has its own URL. Booking the chosen slot completes the flow (bookings issue).
"""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import offered_counters
from collective.rendezvous.slots.query import to_datetime
from plone import api
from plone.app.uuid.utils import uuidToObject
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.i18n import translate
from zope.i18n.locales import locales

import calendar
import collections
import datetime


class FolderView(BrowserView):
    """Step by step: every step reads the previous ones from the query."""

    def __call__(self):
        self.tz = site_timezone()
        self.today = datetime.datetime.now(self.tz).date()
        form = self.request.form
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
        return self.index()

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
                    "counter": counter.Title(),
                    "place": counter.__parent__.Title(),
                }
            )
        return result

    # -- formatting ----------------------------------------------------------

    @property
    def _calendar(self):
        language = api.portal.get_current_language() or "fr"
        try:
            locale = locales.getLocale(language.split("-")[0])
        except Exception:
            locale = locales.getLocale("en")
        return locale.dates.calendars["gregorian"]

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
        names = self._calendar
        return (
            f"{names.getDayNames()[day.weekday()]} {day.day} "
            f"{names.getMonthNames()[day.month - 1]} {day.year}"
        )

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
        return max(month, self.today.replace(day=1))

    def _date(self, value) -> datetime.date | None:
        try:
            day = datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
        return day if day >= self.today else None
