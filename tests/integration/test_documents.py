"""A booking for several documents takes as many slots in a row (issue 14).

An identity card or passport appointment for a family: one pre-application
number per document, one slot per document, on one counter, booked together
as one booking. The ANTS connection is off here (nothing asks the hub);
``ants_requires_number`` on the type is what makes it count documents.
"""

from collective.rendezvous.booking import service
from collective.rendezvous.booking.service import BookingError
from collective.rendezvous.slots.generation import regenerate
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import next_free_slot
from collective.rendezvous.slots.query import to_datetime
from collective.rendezvous.slots.store import get_store
from helpers import make_service
from helpers import next_weekday
from plone import api

import datetime
import pytest


NUMBERS = ("ABCDE12345", "FGHIJ67890", "KLMNO13579")


@pytest.fixture
def setup(portal):
    folder, kind, counter = make_service(portal)
    kind.ants_requires_number = True
    return folder, kind, counter


def next_monday():
    return next_weekday(0, after_days=1)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), site_timezone())


def book(folder, kind, start, numbers, **extra):
    return service.book(
        folder,
        {
            "type": kind.UID(),
            "start": start.isoformat(),
            "beneficiary": "Famille Martin",
            "email": "martin@example.org",
            "application_ids": list(numbers),
            **extra,
        },
    )


def starts_of(folder, kind, day, count=1):
    return [
        to_datetime(slot.start, at(day, 0).tzinfo).strftime("%H:%M")
        for slot in free_slots(kind, folder, day, day, count=count)
    ]


def record_of(counter, day):
    return get_store(counter).day(day)


def test_two_documents_take_two_slots_in_a_row(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:2])
    assert booking.end - booking.start == datetime.timedelta(minutes=40)
    free = starts_of(folder, kind, day)
    assert "10:00" not in free
    assert "10:20" not in free
    assert "09:40" in free
    assert "10:40" in free
    # One booking holds the block: one entry, one id in the day's record.
    record = record_of(counter, day)
    assert list(record.booked) == [booking.getId()]
    assert [uid for _end, uid in record.taken.values()] == [booking.getId()]


def test_one_number_takes_one_slot(setup):
    folder, kind, _counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:1])
    assert booking.end - booking.start == datetime.timedelta(minutes=20)
    assert "10:20" in starts_of(folder, kind, day)


def test_the_slots_offered_for_three_documents(setup):
    folder, kind, _counter = setup
    day = next_monday()
    book(folder, kind, at(day, 10), NUMBERS[:1])
    three = starts_of(folder, kind, day, count=3)
    # 09:20 and 09:40 would run into 10:00; 11:20 and 11:40 past noon.
    assert three == ["09:00", "10:20", "10:40", "11:00"]
    slot = next_free_slot(kind, folder, count=3)
    assert slot.end - slot.start == 60


def test_a_block_past_the_last_slot_is_refused_and_nothing_stored(setup):
    folder, kind, counter = setup
    day = next_monday()
    with pytest.raises(BookingError) as refused:
        book(folder, kind, at(day, 11, 40), NUMBERS[:2])
    assert refused.value.status == 409
    assert refused.value.field == "start"
    assert "in a row" in str(refused.value.message)
    assert not record_of(counter, day).taken
    assert not list(counter.objectIds())


def test_a_block_running_into_a_booking_is_refused(setup):
    folder, kind, counter = setup
    day = next_monday()
    book(folder, kind, at(day, 10, 20), NUMBERS[2:])
    with pytest.raises(BookingError) as refused:
        book(folder, kind, at(day, 10), NUMBERS[:2])
    assert refused.value.status == 409
    assert len(record_of(counter, day).taken) == 1


def test_documents_number_must_match_the_numbers(setup):
    folder, kind, _counter = setup
    day = next_monday()
    with pytest.raises(BookingError) as refused:
        book(folder, kind, at(day, 10), NUMBERS[:1], documents_number="2")
    assert refused.value.status == 400
    assert refused.value.field == "application_ids"
    with pytest.raises(BookingError) as refused:
        book(folder, kind, at(day, 10), NUMBERS[:1], documents_number="9")
    assert refused.value.field == "documents_number"
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:2], documents_number=2)
    assert booking.end - booking.start == datetime.timedelta(minutes=40)


def test_a_type_without_numbers_books_one_person(setup):
    folder, kind, _counter = setup
    kind.ants_requires_number = False
    day = next_monday()
    with pytest.raises(BookingError) as refused:
        book(folder, kind, at(day, 10), (), documents_number="2")
    assert refused.value.field == "documents_number"
    booking, _token = book(folder, kind, at(day, 10), (), documents_number="1")
    assert booking.end - booking.start == datetime.timedelta(minutes=20)


def test_cancel_frees_the_whole_block(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:3])
    service.cancel(booking, by="agent")
    assert not record_of(counter, day).taken
    assert {"10:00", "10:20", "10:40"} <= set(starts_of(folder, kind, day))


def test_move_takes_a_block_at_the_new_time(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 9), NUMBERS[:2])
    # 11:40 has one slot left: too short for two documents.
    with pytest.raises(BookingError) as refused:
        service.reschedule(folder, booking, at(day, 11, 40).isoformat(), by="agent")
    assert refused.value.status == 409
    booking = service.reschedule(folder, booking, at(day, 11).isoformat(), by="agent")
    assert booking.end - booking.start == datetime.timedelta(minutes=40)
    free = starts_of(folder, kind, day)
    assert {"09:00", "09:20"} <= set(free)
    assert not {"11:00", "11:20"} & set(free)


def test_agent_adds_a_number_the_booking_grows(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:1])
    service.edit(booking, {"application_ids": list(NUMBERS[:2])})
    assert booking.end - booking.start == datetime.timedelta(minutes=40)
    assert "10:20" not in starts_of(folder, kind, day)
    service.edit(booking, {"application_ids": [NUMBERS[0]]})
    assert booking.end - booking.start == datetime.timedelta(minutes=20)
    assert "10:20" in starts_of(folder, kind, day)


def test_growing_into_a_taken_slot_is_refused(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 10), NUMBERS[:1])
    book(folder, kind, at(day, 10, 20), NUMBERS[2:])
    before = dict(record_of(counter, day).taken)
    with pytest.raises(BookingError) as refused:
        service.edit(booking, {"application_ids": list(NUMBERS[:2])})
    assert refused.value.status == 409
    assert refused.value.field == "application_ids"
    assert record_of(counter, day).taken == before
    assert booking.application_ids == (NUMBERS[0],)


def test_schedule_cut_under_the_block_unschedules_it(setup):
    folder, kind, counter = setup
    day = next_monday()
    booking, _token = book(folder, kind, at(day, 9, 40), NUMBERS[:2])
    kept, _token = book(folder, kind, at(day, 9), NUMBERS[2:])
    # Mornings now end at 10:00: 09:40 is still a start, 10:00 is not.
    week = folder["week"]
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        setattr(week, name, ["09h00-10h00"])
    regenerate(counter, force=True)
    assert api.content.get_state(booking) == "unscheduled"
    assert api.content.get_state(kept) == "booked"
