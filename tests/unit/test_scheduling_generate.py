"""Tests of slot generation over a schedule and an opening calendar (R2, R5, X1)."""

from collective.rendezvous.scheduling import apply_week
from collective.rendezvous.scheduling import generate
from collective.rendezvous.scheduling import generate_keys
from collective.rendezvous.scheduling import OpeningCalendar
from collective.rendezvous.scheduling import parse_day
from collective.rendezvous.scheduling import row_for
from collective.rendezvous.scheduling import ScheduleRow
from collective.rendezvous.scheduling import SchedulingError
from collective.rendezvous.scheduling import Slot
from collective.rendezvous.scheduling import TimeRange
from collective.rendezvous.scheduling import wall_instant
from collective.rendezvous.scheduling import WeekTemplate
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

OFFICE: WeekTemplate = {
    weekday: parse_day(["09h00-12h00", "13h30-17h30"]) for weekday in range(5)
} | {5: parse_day(["09h00-12h00"])}
MORNINGS: WeekTemplate = {weekday: parse_day(["09h00-12h00"]) for weekday in range(7)}
WEEKS = {"office": OFFICE, "mornings": MORNINGS}
EVERY_DAY = OpeningCalendar(open_weekdays=range(7))


def test_generate_follows_the_rows_and_their_weeks() -> None:
    rows = [
        ScheduleRow("office", date(2027, 1, 4), date(2027, 1, 10)),
        ScheduleRow("mornings", date(2027, 1, 11), date(2027, 1, 12)),
    ]
    slots = generate(
        rows, WEEKS, 30, EVERY_DAY, date(2027, 1, 1), date(2027, 1, 31), PARIS
    )
    assert list(slots) == [
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 6),
        date(2027, 1, 7),
        date(2027, 1, 8),
        date(2027, 1, 9),
        date(2027, 1, 11),
        date(2027, 1, 12),
    ]
    assert len(slots[date(2027, 1, 4)]) == 6 + 8
    assert len(slots[date(2027, 1, 9)]) == 6
    assert len(slots[date(2027, 1, 11)]) == 6
    assert slots[date(2027, 1, 4)][6].start.isoformat() == "2027-01-04T13:30:00+01:00"


def test_generate_skips_closed_days() -> None:
    rows = [ScheduleRow("mornings", date(2027, 3, 22), date(2027, 4, 4))]
    calendar = OpeningCalendar(
        open_weekdays=range(6),
        region="alsace-moselle",
        closures={date(2027, 3, 23)},
    )
    slots = generate(
        rows, WEEKS, 60, calendar, date(2027, 1, 1), date(2027, 12, 31), PARIS
    )
    assert list(slots) == [
        date(2027, 3, 22),
        date(2027, 3, 24),
        date(2027, 3, 25),
        # 26 Good Friday (Alsace-Moselle), 28 Sunday, 29 Easter Monday
        date(2027, 3, 27),
        date(2027, 3, 30),
        date(2027, 3, 31),
        date(2027, 4, 1),
        date(2027, 4, 2),
        date(2027, 4, 3),
    ]


def test_generate_opens_a_holiday_kept_open() -> None:
    rows = [ScheduleRow("office", date(2027, 3, 29), date(2027, 3, 29))]
    window = (date(2027, 3, 1), date(2027, 4, 30))
    closed = generate(rows, WEEKS, 30, OpeningCalendar(), *window, PARIS)
    assert closed == {}
    kept_open = OpeningCalendar(holidays_open={"easter_monday"})
    slots = generate(rows, WEEKS, 30, kept_open, *window, PARIS)
    assert list(slots) == [date(2027, 3, 29)]


def test_generate_stays_within_first_and_last() -> None:
    rows = [ScheduleRow("mornings", date(2027, 1, 1), date(2027, 12, 31))]
    slots = generate(
        rows, WEEKS, 60, EVERY_DAY, date(2027, 2, 27), date(2027, 3, 2), PARIS
    )
    assert list(slots) == [
        date(2027, 2, 27),
        date(2027, 2, 28),
        date(2027, 3, 1),
        date(2027, 3, 2),
    ]
    assert (
        generate(rows, WEEKS, 60, EVERY_DAY, date(2027, 3, 2), date(2027, 3, 1), PARIS)
        == {}
    )


def test_generate_ignores_rows_of_missing_weeks_and_days_without_slots() -> None:
    rows = [
        ScheduleRow("deleted", date(2027, 1, 4), date(2027, 1, 10)),
        ScheduleRow("mornings", date(2027, 1, 11), date(2027, 1, 11)),
    ]
    slots = generate(
        rows, WEEKS, 240, EVERY_DAY, date(2027, 1, 1), date(2027, 1, 31), PARIS
    )
    assert slots == {}
    slots = generate(
        rows, WEEKS, 180, EVERY_DAY, date(2027, 1, 1), date(2027, 1, 31), PARIS
    )
    assert list(slots) == [date(2027, 1, 11)]


def test_generate_refuses_a_bad_duration() -> None:
    with pytest.raises(SchedulingError):
        generate([], WEEKS, 0, EVERY_DAY, date(2027, 1, 1), date(2027, 1, 31), PARIS)


def test_generate_on_both_dst_days() -> None:
    night = {weekday: parse_day(["01h00-04h00"]) for weekday in range(7)}
    rows = [ScheduleRow("night", date(2026, 10, 24), date(2027, 3, 29))]
    for day, count in (
        (date(2026, 10, 24), 6),
        (date(2026, 10, 25), 8),
        (date(2026, 10, 26), 6),
        (date(2027, 3, 28), 4),
    ):
        slots = generate(rows, {"night": night}, 30, EVERY_DAY, day, day, PARIS)
        assert len(slots[day]) == count


def test_generate_keys_gives_the_keys_of_generate() -> None:
    night = {weekday: parse_day(["01h00-04h00", "09h00-12h00"]) for weekday in range(7)}
    rows = [ScheduleRow("night", date(2026, 10, 20), date(2027, 4, 4))]
    args = (
        {"night": night},
        25,
        EVERY_DAY,
        date(2026, 10, 1),
        date(2027, 4, 30),
        PARIS,
    )
    slots = generate(rows, *args)
    keys = generate_keys(rows, *args)
    assert keys == {
        day: [slot.key for slot in day_slots] for day, day_slots in slots.items()
    }


# Properties of generation, against an independent count per day.

ZONES = [
    PARIS,
    ZoneInfo("America/New_York"),
    ZoneInfo("America/Santiago"),  # changes at midnight
    ZoneInfo("Australia/Lord_Howe"),  # changes by 30 minutes
    UTC,
]
# A window of up to three weeks that often holds a DST change of one zone.
STARTS = [
    date(2026, 9, 1),
    date(2026, 10, 20),
    date(2026, 10, 30),
    date(2027, 3, 9),
    date(2027, 3, 24),
    date(2027, 3, 30),
]


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    cuts = sorted(draw(st.lists(st.integers(0, 1440), unique=True, max_size=6)))
    return tuple(TimeRange(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False))


templates = st.dictionaries(st.integers(0, 6), day_ranges(), max_size=7)


@st.composite
def schedules(draw: st.DrawFn) -> list[ScheduleRow]:
    rows: list[ScheduleRow] = []
    for week, offset, length in draw(
        st.lists(
            st.tuples(st.sampled_from("ab"), st.integers(-5, 25), st.integers(0, 15)),
            max_size=4,
        )
    ):
        start = date(2026, 10, 20) + timedelta(days=offset)
        rows = apply_week(
            rows, ScheduleRow(week, start, start + timedelta(days=length))
        )
    return rows


calendars = st.builds(
    OpeningCalendar,
    open_weekdays=st.frozensets(st.integers(0, 6)),
    region=st.sampled_from(["metropole", "alsace-moselle", "reunion"]),
    holidays_open=st.frozensets(st.sampled_from(["all_saints_day", "armistice_day"])),
    closures=st.frozensets(st.dates(date(2026, 10, 15), date(2027, 4, 15)), max_size=5),
)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def real_minutes(day: date, time_range: TimeRange, tz: ZoneInfo) -> int:
    # In UTC: Python subtracts two datetimes of one zone by their wall clocks.
    start = utc(wall_instant(day, time_range.start, tz))
    end = utc(wall_instant(day, time_range.end, tz))
    return max(0, (end - start) // timedelta(minutes=1))


@settings(max_examples=150, deadline=None)
@given(
    schedules(),
    templates,
    templates,
    st.integers(5, 240),
    calendars,
    st.sampled_from(ZONES),
    st.sampled_from(STARTS),
    st.integers(0, 20),
)
def test_generated_slots_respect_every_rule(
    rows: list[ScheduleRow],
    week_a: WeekTemplate,
    week_b: WeekTemplate,
    duration: int,
    calendar: OpeningCalendar,
    tz: ZoneInfo,
    first: date,
    length: int,
) -> None:
    for shift in (0, 140):
        _check_generation(
            rows,
            {"a": week_a, "b": week_b},
            duration,
            calendar,
            tz,
            first + timedelta(days=shift),
            length,
        )


def _check_generation(
    rows: list[ScheduleRow],
    weeks: dict[str, WeekTemplate],
    duration: int,
    calendar: OpeningCalendar,
    tz: ZoneInfo,
    first: date,
    length: int,
) -> None:
    last = first + timedelta(days=length)
    shifted = [
        ScheduleRow(
            r.week,
            r.start + (first - date(2026, 10, 20)),
            r.end + (first - date(2026, 10, 20)),
        )
        for r in rows
    ]
    generated = generate(shifted, weeks, duration, calendar, first, last, tz)
    every: list[Slot] = []
    for n in range(length + 1):
        day = first + timedelta(days=n)
        row = row_for(shifted, day)
        ranges = weeks[row.week].get(day.weekday(), ()) if row else ()
        expected = (
            sum(real_minutes(day, r, tz) // duration for r in ranges)
            if calendar.is_open(day)
            else 0
        )
        slots = generated.get(day, [])
        assert len(slots) == expected
        if expected == 0:
            assert day not in generated
        for slot in slots:
            assert slot.minutes == duration
            assert slot.start.tzinfo is tz
            assert slot.end.tzinfo is tz
            assert any(
                utc(wall_instant(day, r.start, tz))
                <= utc(slot.start)
                < utc(slot.end)
                <= utc(wall_instant(day, r.end, tz))
                for r in ranges
            )
        assert slots == sorted(slots)
        every.extend(slots)
    assert all(first <= day <= last for day in generated)
    for before, after in zip(every, every[1:], strict=False):
        assert before.end.astimezone(UTC) <= after.start.astimezone(UTC)
    assert len({slot.key for slot in every}) == len(every)
    keys = generate_keys(shifted, weeks, duration, calendar, first, last, tz)
    assert keys == {
        day: [slot.key for slot in slots] for day, slots in generated.items()
    }
