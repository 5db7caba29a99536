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
from collective.rendezvous.slots.query import citizen_window
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import last_open_day
from collective.rendezvous.slots.query import minutes
from collective.rendezvous.slots.query import nearest_free_slots
from collective.rendezvous.slots.query import next_free_slot
from collective.rendezvous.slots.query import offered_counters
from collective.rendezvous.slots.query import opening_day
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


FORM_FIELDS = (
    "beneficiary",
    "email",
    "phone",
    "application_ids",
    "partner_type",
    "comment",
    "consent",
)


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


def block_label(start: datetime.datetime, count: int, duration) -> str:
    """``day_and_time``, with the end when the appointment takes ``count``
    slots of ``duration`` minutes (several documents)."""
    label = day_and_time(start)
    if count > 1 and duration:
        end = start + datetime.timedelta(minutes=count * int(duration))
        label = f"{label}\u2013{end.strftime('%H:%M')}"
    return label


class FolderView(BrowserView):
    """Step by step: every step reads the previous ones from the query."""

    def __call__(self):
        self.tz = site_timezone()
        self.today = datetime.datetime.now(self.tz).date()
        form = self.request.form
        if form.get("token") or form.get("move"):
            # Moving a booking: the token is in this page's URL and links.
            codes.keep_private(self.request.response)
        slot = form.get("slot")
        if isinstance(slot, str) and "|" in slot:
            # A time offered at a given place ("start|place"): the place is
            # part of the choice (issue 13).
            form["slot"], form["place"] = slot.split("|", 1)
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
        self.documents = self._documents(form.get("documents_number"))
        if self.move is not None:
            # A booking for several documents moves to as many slots in a row.
            self.documents = service.slots_of(self.move[0])
        # An appointment elsewhere for a pre-application (ANTS): confirmable.
        self.ants_warning = False
        self.errors = {}
        self.message = None
        # The slot is not (or no longer) bookable: why, and the closest ones.
        self.unbookable = None
        self.unbookable_reason = None
        self.alternatives = []
        # After a POST on such a slot: the form stays, with the alternatives.
        self.taken = False
        if self.ready() and self.slot:
            self._check_slot()
        if self.request.method == "POST" and self.ready() and self.slot:
            if self.unbookable is not None:
                # The form stays, with what was typed, and the closest times.
                self.taken = True
                self.message = self.unbookable
                if self.unbookable_reason == "taken":
                    self.message = _(
                        "This slot has just been taken: please choose another one."
                    )
            else:
                done = self.submit()
                if done:
                    return done
        return self.index()

    def _check_slot(self):
        """Whether the slot of the URL is free now; if not, say why (issue 13)."""
        key = minutes(self.slot)
        day = self.slot.astimezone(self.tz).date()
        free = self.free_between(day, day)
        if any(slot.start == key for slot in free):
            return
        earliest, limit = citizen_window(self.chosen_type)
        self.unbookable_reason = "taken"
        if self.slot < earliest:
            self.unbookable_reason = "past"
            self.unbookable = _(
                "This time can no longer be booked: it is past, or too close "
                "to be booked online."
            )
        elif self.slot >= limit:
            self.unbookable_reason = "later"
            self.unbookable = _(
                "This time cannot be booked yet: bookings for ${day} open on "
                "${opening}.",
                mapping={
                    "day": day_label(day),
                    "opening": day_label(opening_day(self.chosen_type, day)),
                },
            )
        else:
            self.unbookable = _(
                "This time cannot be booked: it is taken, closed, or not the "
                "start of a slot."
            )
        self._offer_alternatives(self.slot)

    def _offer_alternatives(self, moment):
        self.alternatives = [
            self._slot_info(slot)
            for slot in nearest_free_slots(
                self.chosen_type,
                self.context,
                moment,
                place=self.place,
                documents=self.slots_count(),
            )
        ]

    def _slot_info(self, slot) -> dict:
        start = to_datetime(slot.start, self.tz)
        place = uuidToObject(slot.place, unrestricted=True)
        return {
            "label": day_and_time(start),
            "value": f"{start.isoformat()}|{slot.place}",
            "url": self.url(
                slot=start.isoformat(),
                place=slot.place,
                day=start.date().isoformat(),
                month=start.strftime("%Y-%m"),
            ),
            "place": place.Title() if place is not None else "",
        }

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
        data = {
            name: form.get(name, "")
            for name in ("beneficiary", "email", "phone", "partner_type", "comment")
        }
        numbers = form.get("application_ids") or []
        if isinstance(numbers, str):
            numbers = [numbers]
        data.update(
            application_ids=" ".join(n for n in numbers if isinstance(n, str)),
            confirm_ants_warning=form.get("confirm_ants_warning") or "",
            documents_number=str(self.slots_count()) if self.asks_numbers() else "",
            type=self.chosen_type.UID(),
            option=self.option or "",
            place=self.place.UID() if self.place is not None else "",
            start=self.slot.isoformat(),
        )
        if not form.get("consent"):
            # Every error at once: the details are checked as booking would.
            self.errors["consent"] = _(
                "Please accept the processing of your data to book."
            )
            try:
                service.validate(self.context, data)
            except service.BookingError as error:
                self._refused(error)
            return None
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
        if error.field == "application_ids" and getattr(error, "confirm", None):
            # An appointment elsewhere for a number: shown with a box to
            # confirm past it (issue 14).
            self.ants_warning = True
        if error.status == 429:
            # The limit per address (booking/ratelimit.py): the same answer
            # as the REST service's.
            self.request.response.setStatus(429)
            if error.retry_after:
                self.request.response.setHeader("Retry-After", str(error.retry_after))
        if error.status == 409 and error.field not in (
            "email",
            "phone",
            "application_ids",
        ):
            # Taken meanwhile: say so; the form keeps what was typed and
            # offers the closest free times (issue 13). A 409 on the e-mail
            # or phone is the cap of bookings per contact: a field error.
            self.message = error.message
            self.taken = True
            self._offer_alternatives(self.slot)
            return
        fields = {k: v for k, v in error.errors.items() if k in FORM_FIELDS}
        self.errors.update(fields)
        others = [v for k, v in error.errors.items() if k not in FORM_FIELDS]
        if others or not error.errors:
            self.message = others[0] if others else error.message

    def partner_types(self):
        """The partner types the chosen type accepts (all when unrestricted)."""
        from collective.rendezvous.controlpanels.settings import get_settings

        rows = get_settings().partner_types or ()
        allowed = set(self.chosen_type.partner_types or ())
        return [row for row in rows if not allowed or row["id"] in allowed]

    def partner_required(self) -> bool:
        return bool(self.chosen_type.partner_types)

    def slot_label(self) -> str:
        return block_label(
            self.slot.astimezone(self.tz),
            self.slots_count(),
            self.chosen_type.duration,
        )

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

    def free_between(self, first, last):
        """The free slots of the chosen type and place (as many in a row as
        documents) from ``first`` to ``last``."""
        return free_slots(
            self.chosen_type,
            self.context,
            first,
            last,
            place=self.place,
            count=self.slots_count(),
        )

    def month_slots(self):
        first = self.month
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        first = max(first, self.today)
        if last < first:
            return []
        return self.free_between(first, last)

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
        """The free times of the chosen day, by place: one button per time.

        The counters of a place are one offer: booking a time takes the
        least-loaded free counter there (the booking service). With "any
        place", the times are listed under their place, and a time's link
        chooses that place, so that the booking is made where it says.
        """
        if self.day is None:
            return []
        slots = self.free_between(self.day, self.day)
        groups = {}
        for slot in slots:
            group = groups.get(slot.place)
            if group is None:
                place = uuidToObject(slot.place, unrestricted=True)
                group = groups[slot.place] = {
                    "place": place.Title() if place is not None else "",
                    "uid": slot.place,
                    "times": [],
                    "seen": set(),
                }
            if slot.start in group["seen"]:
                continue
            group["seen"].add(slot.start)
            start = to_datetime(slot.start, self.tz)
            url = (
                self.url(slot=start.isoformat())
                if self.place is not None
                else self.url(slot=start.isoformat(), place=slot.place)
            )
            group["times"].append({"time": start.strftime("%H:%M"), "url": url})
        return sorted(groups.values(), key=lambda group: group["place"].lower())

    # -- the horizon (issue 13) ------------------------------------------------

    def last_open_day(self) -> datetime.date:
        return last_open_day(self.chosen_type)

    def horizon_note(self) -> str:
        """Up to when citizens may book, and when the next dates open."""
        last = self.last_open_day()
        following = last + datetime.timedelta(days=1)
        return self.translate(
            _(
                "You can book up to ${last}. Later dates open day by day: "
                "${following} opens on ${opening}.",
                mapping={
                    "last": day_label(last),
                    "following": day_label(following),
                    "opening": day_label(opening_day(self.chosen_type, following)),
                },
            )
        )

    def next_free(self) -> dict | None:
        """The first free slot (at the chosen place, if any): a shortcut."""
        slot = next_free_slot(
            self.chosen_type, self.context, place=self.place, count=self.slots_count()
        )
        return self._slot_info(slot) if slot is not None else None

    def empty_month_note(self, weeks) -> str | None:
        """Why the month shows no free day, or None when it has some."""
        if any(free for week in weeks for _day, free in week):
            return None
        month = self.month_label()
        last = self.last_open_day()
        if self.month > last:
            message = _(
                "Bookings for ${month} are not open yet: they open on ${opening}.",
                mapping={
                    "month": month,
                    "opening": day_label(opening_day(self.chosen_type, self.month)),
                },
            )
        else:
            message = _(
                "There is no free slot left in ${month}.", mapping={"month": month}
            )
        return self.translate(message)

    def moving_note(self) -> str | None:
        """The banner while moving a booking: which appointment is moved."""
        if self.move is None:
            return None
        booking = self.move[0]
        return self.translate(
            _(
                "You are moving your appointment of ${date} (booking ${code}).",
                mapping={
                    "date": day_and_time(booking.start.astimezone(self.tz)),
                    "code": booking.code,
                },
            )
        )

    # -- ANTS pre-application numbers (issue 14) ------------------------------

    def _documents(self, value) -> int:
        """How many documents (one number each): ``documents_number``, 1-5."""
        from collective.rendezvous.ants.numbers import documents_shown

        return documents_shown(value)

    def slots_count(self) -> int:
        """Slots in a row that a time must offer: one per document."""
        return self.documents if self.asks_numbers() else 1

    def length_note(self) -> str:
        """How long the appointment is, for the number of documents chosen."""
        count = self.slots_count()
        return translate(
            _(
                "An appointment for ${count} document(s) lasts ${minutes} "
                "minutes: the times shown leave that long free.",
                mapping={
                    "count": count,
                    "minutes": count * int(self.chosen_type.duration or 0),
                },
            ),
            context=self.request,
        )

    def asks_numbers(self) -> bool:
        from collective.rendezvous.ants.numbers import requires_numbers

        return self.chosen_type is not None and requires_numbers(
            self.chosen_type, self.option
        )

    def document_choices(self) -> list[dict]:
        """Links to the same page for 1 to 5 documents."""
        from collective.rendezvous.ants.numbers import MAX_NUMBERS

        return [
            {
                "count": count,
                "url": self.url(documents_number=count if count > 1 else None),
                "current": count == self.documents,
            }
            for count in range(1, MAX_NUMBERS + 1)
        ]

    def number_value(self, index: int) -> str:
        """The number typed in the ``index``-th (1-based) input, if any."""
        values = self.request.form.get("application_ids") or []
        if isinstance(values, str):
            values = [values]
        value = values[index - 1] if len(values) >= index else ""
        return value if isinstance(value, str) else ""

    def value(self, name) -> str:
        """What was typed in a field, to show it again after an error."""
        value = self.request.form.get(name)
        return value if isinstance(value, str) else ""

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
            "documents_number": (
                self.documents
                if getattr(self, "documents", 1) > 1 and self.asks_numbers()
                else None
            ),
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
