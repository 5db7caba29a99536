"""Tests of day slots, daylight saving, storage keys and offer window (R2, X5, R9)."""

from collective.rendezvous.scheduling import day_slot_keys
from collective.rendezvous.scheduling import day_slots
from collective.rendezvous.scheduling import Horizon
from collective.rendezvous.scheduling import is_offered
from collective.rendezvous.scheduling import offer_window
from collective.rendezvous.scheduling import parse_day
from collective.rendezvous.scheduling import parse_range
from collective.rendezvous.scheduling import SchedulingError
from collective.rendezvous.scheduling import Slot
from collective.rendezvous.scheduling import slot_from_key
from collective.rendezvous.scheduling import slot_key
from collective.rendezvous.scheduling import TimeRange
from collective.rendezvous.scheduling import wall_instant
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

import pytest


PARIS = ZoneInfo("Europe/Paris")
SPRING_FORWARD = date(2027, 3, 28)
FALL_BACK = date(2026, 10, 25)
WINTER_DAY = date(2027, 1, 4)
SUMMER_DAY = date(2027, 7, 5)


def starts(slots: list[Slot]) -> list[str]:
    return [slot.start.isoformat() for slot in slots]


def test_twenty_minutes_in_a_morning_gives_nine_slots_ending_at_noon() -> None:
    slots = day_slots(WINTER_DAY, [parse_range("09h00-12h00")], 20, PARIS)
    assert len(slots) == 9
    assert slots[0].start.isoformat() == "2027-01-04T09:00:00+01:00"
    assert slots[-1].start.isoformat() == "2027-01-04T11:40:00+01:00"
    assert slots[-1].end.isoformat() == "2027-01-04T12:00:00+01:00"
    assert all(slot.minutes == 20 for slot in slots)


def test_a_slot_that_would_end_after_the_range_is_not_made() -> None:
    slots = day_slots(WINTER_DAY, [parse_range("09h00-10h00")], 25, PARIS)
    assert starts(slots) == ["2027-01-04T09:00:00+01:00", "2027-01-04T09:25:00+01:00"]
    assert day_slots(WINTER_DAY, [parse_range("09h00-09h10")], 15, PARIS) == []


def test_summer_slots_have_the_summer_offset() -> None:
    slots = day_slots(SUMMER_DAY, parse_day(["09h00-12h00"]), 60, PARIS)
    assert starts(slots) == [
        "2027-07-05T09:00:00+02:00",
        "2027-07-05T10:00:00+02:00",
        "2027-07-05T11:00:00+02:00",
    ]
    assert all(slot.start.tzinfo is PARIS for slot in slots)


def test_several_ranges_give_slots_in_order() -> None:
    ranges = parse_day(["14h00-15h00", "09h00-10h00"])
    slots = day_slots(WINTER_DAY, ranges, 30, PARIS)
    assert [slot.start.strftime("%H:%M") for slot in slots] == [
        "09:00",
        "09:30",
        "14:00",
        "14:30",
    ]
    assert slots == sorted(slots)


def test_whole_day_until_midnight() -> None:
    slots = day_slots(WINTER_DAY, [parse_range("00h00-24h00")], 60, PARIS)
    assert len(slots) == 24
    assert slots[0].start.isoformat() == "2027-01-04T00:00:00+01:00"
    assert slots[-1].end.isoformat() == "2027-01-05T00:00:00+01:00"
    day = day_slots(WINTER_DAY, [parse_range("00h00-24h00")], 1440, PARIS)
    assert len(day) == 1


def test_day_slots_refuses_a_bad_duration_or_overlapping_ranges() -> None:
    with pytest.raises(SchedulingError):
        day_slots(WINTER_DAY, [parse_range("09h00-12h00")], 0, PARIS)
    with pytest.raises(SchedulingError) as info:
        day_slots(WINTER_DAY, [TimeRange(540, 720), TimeRange(600, 660)], 30, PARIS)
    assert info.value.msgid == "range_overlap"


def test_spring_forward_day_skips_the_missing_hour() -> None:
    slots = day_slots(SPRING_FORWARD, [parse_range("01h00-04h00")], 30, PARIS)
    assert [(s.start.isoformat(), s.end.isoformat()) for s in slots] == [
        ("2027-03-28T01:00:00+01:00", "2027-03-28T01:30:00+01:00"),
        ("2027-03-28T01:30:00+01:00", "2027-03-28T03:00:00+02:00"),
        ("2027-03-28T03:00:00+02:00", "2027-03-28T03:30:00+02:00"),
        ("2027-03-28T03:30:00+02:00", "2027-03-28T04:00:00+02:00"),
    ]
    assert all(slot.minutes == 30 for slot in slots)


def test_spring_forward_day_moves_a_missing_start_to_three_o_clock() -> None:
    slots = day_slots(SPRING_FORWARD, [parse_range("02h30-04h00")], 30, PARIS)
    assert starts(slots) == ["2027-03-28T03:00:00+02:00", "2027-03-28T03:30:00+02:00"]
    assert day_slots(SPRING_FORWARD, [parse_range("02h00-02h59")], 1, PARIS) == []


def test_spring_forward_day_whole_day_has_23_hours() -> None:
    slots = day_slots(SPRING_FORWARD, [parse_range("00h00-24h00")], 60, PARIS)
    assert len(slots) == 23
    assert slots[-1].end.isoformat() == "2027-03-29T00:00:00+02:00"


def test_fall_back_day_repeats_the_hour() -> None:
    slots = day_slots(FALL_BACK, [parse_range("01h00-04h00")], 30, PARIS)
    assert starts(slots) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T03:30:00+01:00",
    ]
    assert slots[-1].end.isoformat() == "2026-10-25T04:00:00+01:00"
    assert all(slot.minutes == 30 for slot in slots)
    assert len(set(slots)) == 8
    assert slots == sorted(slots)
    assert not any(a.overlaps(b) for a, b in zip(slots, slots[1:], strict=False))


def test_fall_back_day_takes_the_first_of_an_ambiguous_start() -> None:
    slots = day_slots(FALL_BACK, [parse_range("02h30-03h00")], 30, PARIS)
    assert [(s.start.isoformat(), s.end.isoformat()) for s in slots] == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00"),
        ("2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00"),
        ("2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00"),
    ]


def test_fall_back_day_whole_day_has_25_hours() -> None:
    slots = day_slots(FALL_BACK, [parse_range("00h00-24h00")], 60, PARIS)
    assert len(slots) == 25


def test_dst_days_in_office_hours_are_ordinary() -> None:
    for day, offset in ((SPRING_FORWARD, "+02:00"), (FALL_BACK, "+01:00")):
        slots = day_slots(day, [parse_range("09h00-12h00")], 20, PARIS)
        assert len(slots) == 9
        assert all(slot.start.isoformat().endswith(offset) for slot in slots)


def test_wall_instant() -> None:
    assert wall_instant(SPRING_FORWARD, 150, PARIS).isoformat() == (
        "2027-03-28T03:00:00+02:00"
    )
    ambiguous = wall_instant(FALL_BACK, 150, PARIS)
    assert ambiguous.isoformat() == "2026-10-25T02:30:00+02:00"
    assert wall_instant(WINTER_DAY, 1440, PARIS).isoformat() == (
        "2027-01-05T00:00:00+01:00"
    )


def test_other_zones() -> None:
    new_york = ZoneInfo("America/New_York")
    slots = day_slots(date(2027, 3, 14), [parse_range("01h00-04h00")], 60, new_york)
    assert starts(slots) == ["2027-03-14T01:00:00-05:00", "2027-03-14T03:00:00-04:00"]
    reunion = ZoneInfo("Indian/Reunion")
    slots = day_slots(WINTER_DAY, [parse_range("09h00-10h00")], 60, reunion)
    assert starts(slots) == ["2027-01-04T09:00:00+04:00"]


def test_a_zone_whose_midnight_is_skipped() -> None:
    santiago = ZoneInfo("America/Santiago")
    ranges = parse_day(["00h00-02h00"])
    slots = day_slots(date(2026, 9, 6), ranges, 60, santiago)
    assert starts(slots) == ["2026-09-06T01:00:00-03:00"]
    slots = day_slots(date(2026, 9, 5), parse_day(["23h00-24h00"]), 30, santiago)
    assert [s.end.isoformat() for s in slots] == [
        "2026-09-05T23:30:00-04:00",
        "2026-09-06T01:00:00-03:00",
    ]


def test_slot_key_is_minutes_since_the_epoch_in_utc() -> None:
    assert slot_key(datetime(1970, 1, 1, 1, 0, tzinfo=PARIS)) == 0
    assert slot_key(datetime(1970, 1, 1, 0, 1, tzinfo=UTC)) == 1
    start = datetime(2027, 1, 4, 9, 0, tzinfo=PARIS)
    assert slot_key(start) == int(start.timestamp()) // 60
    with pytest.raises(ValueError):
        slot_key(datetime(2027, 1, 4, 9, 0))


def test_slot_keys_tell_the_repeated_hour_apart() -> None:
    slots = day_slots(FALL_BACK, [parse_range("02h00-03h00")], 30, PARIS)
    keys = [slot.key for slot in slots]
    assert keys == sorted(keys)
    assert len(set(keys)) == 4
    assert keys[2] - keys[0] == 60


def test_day_slot_keys_are_the_keys_of_day_slots() -> None:
    ranges = parse_day(["00h00-04h00", "09h00-12h00", "23h00-24h00"])
    for day in (WINTER_DAY, SUMMER_DAY, SPRING_FORWARD, FALL_BACK):
        for duration in (7, 30, 45):
            slots = day_slots(day, ranges, duration, PARIS)
            assert day_slot_keys(day, ranges, duration, PARIS) == [s.key for s in slots]


def test_slot_from_key_rebuilds_the_slot() -> None:
    for day in (WINTER_DAY, SPRING_FORWARD, FALL_BACK):
        for slot in day_slots(day, [parse_range("00h00-24h00")], 30, PARIS):
            rebuilt = slot_from_key(slot.key, 30, PARIS)
            assert rebuilt == slot
            assert rebuilt.start.isoformat() == slot.start.isoformat()
            assert rebuilt.end.isoformat() == slot.end.isoformat()


@settings(max_examples=200)
@given(st.integers(-(10**8), 10**8), st.integers(1, 1440))
def test_slot_key_round_trips(key: int, duration: int) -> None:
    slot = slot_from_key(key, duration, PARIS)
    assert slot.key == key
    assert slot.minutes == duration


def test_slots_compare_and_hash_by_instant() -> None:
    winter = datetime(2027, 1, 4, 9, 0, tzinfo=PARIS)
    hour = timedelta(hours=1)
    in_paris = Slot(winter, winter + hour)
    in_utc = Slot(winter.astimezone(UTC), (winter + hour).astimezone(UTC))
    assert in_paris == in_utc
    assert hash(in_paris) == hash(in_utc)
    later = Slot(winter + hour, winter + 2 * hour)
    assert in_paris < later
    assert not in_paris.overlaps(later)
    assert in_paris.overlaps(Slot(winter + hour / 2, winter + 2 * hour))
    assert in_paris != "not a slot"


# Offer window (R9): now + min_notice <= start < now + horizon.

NOW = datetime(2027, 1, 4, 10, 0, tzinfo=PARIS)


def slot_at(start: datetime) -> Slot:
    return Slot(start, start + timedelta(minutes=15))


def test_a_slot_exactly_at_now_plus_notice_is_offered() -> None:
    notice = timedelta(minutes=60)
    horizon = Horizon(2, "m")
    assert is_offered(slot_at(NOW + notice), NOW, notice, horizon)
    assert not is_offered(
        slot_at(NOW + notice - timedelta(minutes=1)), NOW, notice, horizon
    )


def test_a_slot_exactly_at_now_plus_horizon_is_not_offered() -> None:
    horizon = Horizon(2, "m")
    limit = datetime(2027, 3, 4, 10, 0, tzinfo=PARIS)
    assert not is_offered(slot_at(limit), NOW, None, horizon)
    assert is_offered(slot_at(limit - timedelta(minutes=1)), NOW, None, horizon)


def test_without_notice_a_slot_starting_now_is_offered_but_not_a_past_one() -> None:
    horizon = Horizon(1, "d")
    assert is_offered(slot_at(NOW), NOW, None, horizon)
    assert not is_offered(slot_at(NOW - timedelta(minutes=1)), NOW, None, horizon)


def test_offer_window_is_in_utc() -> None:
    earliest, limit = offer_window(NOW, timedelta(hours=1), Horizon(1, "m"))
    assert earliest == datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    assert earliest.tzinfo is UTC
    assert limit == datetime(2027, 2, 4, 9, 0, tzinfo=UTC)


def test_offer_window_notice_is_real_time_across_the_repeated_hour() -> None:
    now = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)  # first 02:30, +02:00
    slots = day_slots(FALL_BACK, [parse_range("02h00-04h00")], 30, PARIS)
    offered = [
        s for s in slots if is_offered(s, now, timedelta(minutes=60), Horizon(1, "d"))
    ]
    assert starts(offered) == [
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T03:30:00+01:00",
    ]


def test_offer_window_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError):
        offer_window(datetime(2027, 1, 4), None, Horizon(1, "d"))
