"""What a change would unschedule, worked out before it is saved (issue 13).

``would_lose`` reads the slot store and writes nothing; the forms list its
bookings before saving (browser/unscheduling.py). It must announce exactly
what the regeneration then unschedules.
"""

from collective.rendezvous.browser.forms import EditForm
from collective.rendezvous.controlpanels import get_settings
from collective.rendezvous.controlpanels import opening_calendar_inputs
from collective.rendezvous.controlpanels.controlpanel import RendezvousSettingsForm
from collective.rendezvous.controlpanels.interfaces import WEEKDAYS
from collective.rendezvous.slots.generation import Context
from collective.rendezvous.slots.generation import regenerate
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.generation import would_lose
from collective.rendezvous.slots.store import get_store
from helpers import make_service
from plone import api
from test_booking_service import make

import datetime
import pytest


@pytest.fixture
def booked(portal):
    folder, kind, counter = make_service(portal)
    booking, _token = make(folder, kind)
    return folder, counter, booking


def day_of(booking) -> datetime.date:
    return booking.start.astimezone(site_timezone()).date()


def closure(day):
    return [{"start": day, "end": day, "label": "Grève"}]


def test_would_lose_is_what_the_regeneration_unschedules(booked):
    folder, counter, booking = booked
    day = day_of(booking)
    signature = get_store(counter).signature
    opening = opening_calendar_inputs({"closures": closure(day)})
    lost = would_lose(counter, Context(opening=opening))
    assert [uid for _start, _end, uid in lost] == [booking.getId()]
    # Nothing written: the slot is still taken, the booking still booked.
    assert get_store(counter).signature == signature
    assert get_store(counter).day(day).taken
    assert api.content.get_state(booking) == "booked"

    get_settings().closures = closure(day)
    summary = regenerate(counter)
    assert [item[1:] for item in summary.lost] == lost
    assert api.content.get_state(booking) == "unscheduled"


def test_another_day_loses_nothing(booked):
    folder, counter, booking = booked
    other = day_of(booking) + datetime.timedelta(days=1)
    opening = opening_calendar_inputs({"closures": closure(other)})
    assert would_lose(counter, Context(opening=opening)) == []
    assert would_lose(counter, closures=closure(other)) == []
    # The stored configuration loses nothing either.
    assert would_lose(counter) == []


def test_the_settings_form_lists_a_weekday_closed(booked, portal, http_request):
    folder, counter, booking = booked
    weekday = WEEKDAYS[day_of(booking).weekday()]
    form = RendezvousSettingsForm(portal, http_request)
    open_days = [day for day in get_settings().open_weekdays if day != weekday]
    assert form.bookings_unscheduled_by({"open_weekdays": open_days}) == [booking]
    assert form.bookings_unscheduled_by({"closures": []}) == []
    assert api.content.get_state(booking) == "booked"


def test_the_counter_form_lists_a_schedule_row_cut(booked, http_request):
    folder, counter, booking = booked
    row = dict(counter.schedule[0], end=day_of(booking) - datetime.timedelta(days=1))
    form = EditForm(counter, http_request)
    assert form.bookings_unscheduled_by({"schedule": [row]}) == [booking]
    assert form.bookings_unscheduled_by({"schedule": counter.schedule}) == []


def test_the_place_form_lists_its_counters_bookings(booked, http_request):
    folder, counter, booking = booked
    form = EditForm(counter.__parent__, http_request)
    closures = closure(day_of(booking))
    assert form.bookings_unscheduled_by({"closures": closures}) == [booking]


def test_the_week_form_lists_a_day_emptied(booked, http_request):
    folder, counter, booking = booked
    weekday = WEEKDAYS[day_of(booking).weekday()]
    form = EditForm(folder["week"], http_request)
    assert form.bookings_unscheduled_by({weekday: []}) == [booking]
    # Hours that still hold the booking's slot lose nothing.
    assert form.bookings_unscheduled_by({weekday: ["08h00-12h00"]}) == []
    assert form.bookings_unscheduled_by({"title": "Renamed"}) == []


def test_the_settings_form_lists_a_holiday_closed_again(portal, http_request):
    """A holiday kept open, booked, then unticked: its booking is listed."""
    from collective.rendezvous import scheduling
    from collective.rendezvous.slots.query import free_slots

    today = datetime.date.today()
    holidays = scheduling.french_holidays((today.year, today.year + 1), "metropole")
    # Some stretches of the year have no weekday holiday for months: the
    # service opens for 400 days so that one is always within reach.
    day, keys = next(
        (day, keys)
        for day, keys in holidays.items()
        if (day - today).days >= 3 and day.weekday() < 5
    )
    get_settings().holidays_open = list(keys)
    folder, kind, counter = make_service(portal)
    kind.horizon = "13m"
    counter.schedule = [
        dict(counter.schedule[0], end=today + datetime.timedelta(days=400))
    ]
    regenerate(counter)
    slot = next(s for s in free_slots(kind, folder, day, day))
    booking, _token = make(folder, kind, slot)
    form = RendezvousSettingsForm(portal, http_request)
    assert form.bookings_unscheduled_by({"holidays_open": []}) == [booking]
    assert form.bookings_unscheduled_by({"holidays_open": list(keys)}) == []
    assert api.content.get_state(booking) == "booked"


def test_the_type_form_lists_what_a_new_duration_or_horizon_removes(
    portal, http_request
):
    """An appointment type's duration and horizon shape the slots of all
    its counters: a change that removes a booked slot is listed."""
    from collective.rendezvous.slots.query import free_slots

    folder, kind, counter = make_service(portal)
    today = datetime.date.today()
    far = today + datetime.timedelta(days=21)
    slots = free_slots(kind, folder, far, far + datetime.timedelta(days=7))
    first = slots[0]
    second = next(s for s in slots if s.start == first.start + kind.duration)
    booking, _token = make(folder, kind, second)
    form = EditForm(kind, http_request)
    # Nothing changed, or a duration whose grid still holds the slot.
    assert form.bookings_unscheduled_by({"duration": kind.duration}) == []
    assert form.bookings_unscheduled_by({"title": "Renamed"}) == []
    # Another grid: the second slot of the day no longer starts a slot.
    assert form.bookings_unscheduled_by({"duration": kind.duration + 10}) == [booking]
    # A horizon that ends before the appointment.
    assert form.bookings_unscheduled_by({"horizon": "1w"}) == [booking]
    assert api.content.get_state(booking) == "booked"
    # What the regeneration then does.
    kind.horizon = "1w"
    regenerate(counter, force=True)
    assert api.content.get_state(booking) == "unscheduled"


def test_a_long_list_is_cut_but_counted(http_request):
    """A site-wide closure over busy weeks: the first LISTED bookings are
    listed, the count is the whole."""
    from collective.rendezvous.browser import unscheduling

    class Counter:
        __parent__ = None

        def Title(self):
            return "Guichet 1"

    class Booking:
        __parent__ = Counter()
        beneficiary = "Jeanne Martin"

        def __init__(self, n):
            self.code = f"CODE{n:04d}"
            self.start = datetime.datetime(2030, 1, 7, 9, 0, tzinfo=datetime.UTC)

    class Form(unscheduling.ConfirmUnscheduling):
        request = http_request

    bookings = [Booking(n) for n in range(unscheduling.LISTED + 5)]
    html = Form().confirmation(bookings)
    assert str(unscheduling.LISTED + 5) in html
    assert html.count("<code>") == unscheduling.LISTED
    assert "and 5 more" in html
