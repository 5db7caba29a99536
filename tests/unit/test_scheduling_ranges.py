"""Tests of the opening ranges of a reference week (R12) and of SchedulingError."""

from collective.rendezvous.scheduling import check_ranges
from collective.rendezvous.scheduling import format_range
from collective.rendezvous.scheduling import parse_day
from collective.rendezvous.scheduling import parse_range
from collective.rendezvous.scheduling import SchedulingError
from collective.rendezvous.scheduling import TimeRange
from hypothesis import given
from hypothesis import strategies as st

import pytest


def test_parse_range_gives_minutes_since_midnight() -> None:
    assert parse_range("09h00-12h00") == TimeRange(540, 720)
    assert parse_range("13h30-17h45") == TimeRange(810, 1065)


def test_parse_range_ignores_surrounding_spaces() -> None:
    assert parse_range("  09h00-12h00 \t") == TimeRange(540, 720)


def test_parse_range_accepts_a_one_digit_hour() -> None:
    assert parse_range("9h00-12h00") == TimeRange(540, 720)
    assert parse_range("8h30-9h45") == TimeRange(510, 585)


def test_parse_range_accepts_a_capital_h() -> None:
    assert parse_range("09H00-12H00") == TimeRange(540, 720)


def test_parse_range_whole_day() -> None:
    assert parse_range("00h00-24h00") == TimeRange(0, 1440)
    assert parse_range("23h00-24h00") == TimeRange(1380, 1440)


@pytest.mark.parametrize(
    "text",
    [
        "9h-12h",
        "abc",
        "",
        "09h00",
        "09h00-",
        "09:00-12:00",
        "09h00 - 12h00",
        "09h0-12h00",
        "009h00-12h00",
        "09h00-12h00-13h00",
        "-09h00-12h00",
    ],
)
def test_parse_range_refuses_malformed_text(text: str) -> None:
    with pytest.raises(SchedulingError) as info:
        parse_range(text)
    assert info.value.msgid == "range_malformed"
    assert f'"{text.strip()}"' in str(info.value)
    assert "09h00-12h00" in str(info.value)


@pytest.mark.parametrize(
    "text", ["25h00-26h00", "12h60-13h00", "09h00-24h01", "24h00-24h30", "09h00-99h00"]
)
def test_parse_range_refuses_times_that_do_not_exist(text: str) -> None:
    with pytest.raises(SchedulingError) as info:
        parse_range(text)
    assert info.value.msgid == "range_time_invalid"
    assert text in str(info.value)


def test_parse_range_refuses_an_end_before_the_start() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_range("10h00-09h00")
    assert info.value.msgid == "range_end_before_start"
    assert str(info.value) == '"10h00-09h00": the end is before the start.'
    assert info.value.mapping == {"value": "10h00-09h00"}


def test_parse_range_refuses_an_empty_range() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_range("10h00-10h00")
    assert info.value.msgid == "range_empty"
    assert "10h00-10h00" in str(info.value)


def test_scheduling_error_is_a_value_error_with_an_i18n_message() -> None:
    with pytest.raises(ValueError) as info:
        parse_range("abc")
    error = info.value
    assert isinstance(error, SchedulingError)
    assert "${value}" in error.default
    assert error.mapping == {"value": "abc"}
    assert str(error) == error.default.replace("${value}", "abc")
    assert "range_malformed" in repr(error)


def test_format_range() -> None:
    assert format_range(TimeRange(540, 720)) == "09h00-12h00"
    assert format_range(TimeRange(0, 1440)) == "00h00-24h00"
    assert str(TimeRange(545, 1439)) == "09h05-23h59"


def test_time_range_refuses_impossible_values() -> None:
    for start, end in [(-1, 10), (10, 10), (10, 5), (0, 1441)]:
        with pytest.raises(ValueError):
            TimeRange(start, end)


@given(
    st.integers(0, 1439).flatmap(
        lambda s: st.tuples(st.just(s), st.integers(s + 1, 1440))
    )
)
def test_format_then_parse_round_trips(bounds: tuple[int, int]) -> None:
    time_range = TimeRange(*bounds)
    assert parse_range(format_range(time_range)) == time_range


def test_parse_day_sorts_and_skips_blank_lines() -> None:
    lines = ["", "  14h00-17h00 ", "09h00-12h00", "   "]
    assert parse_day(lines) == (TimeRange(540, 720), TimeRange(840, 1020))


def test_parse_day_accepts_one_text_of_several_lines() -> None:
    assert parse_day("09h00-12h00\n\n14h00-17h00\n") == (
        TimeRange(540, 720),
        TimeRange(840, 1020),
    )


def test_parse_day_of_nothing_is_a_closed_day() -> None:
    assert parse_day([]) == ()
    assert parse_day(["", " "]) == ()


def test_parse_day_allows_touching_ranges() -> None:
    assert parse_day(["12h00-14h00", "09h00-12h00"]) == (
        TimeRange(540, 720),
        TimeRange(720, 840),
    )


def test_parse_day_refuses_overlapping_ranges_naming_both() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_day(["09h00-12h00", "14h00-17h00", "11h00-13h00"])
    assert info.value.msgid == "range_overlap"
    assert info.value.mapping == {"first": "09h00-12h00", "second": "11h00-13h00"}
    assert "09h00-12h00" in str(info.value)
    assert "11h00-13h00" in str(info.value)


def test_parse_day_refuses_a_range_inside_another() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_day(["08h00-18h00", "14h00-17h00", "10h00-11h00"])
    assert info.value.msgid == "range_overlap"


def test_parse_day_refuses_the_same_range_twice() -> None:
    with pytest.raises(SchedulingError):
        parse_day(["09h00-12h00", "09h00-12h00"])


def test_parse_day_reports_the_first_bad_line() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_day(["09h00-12h00", "14h-17h"])
    assert info.value.mapping == {"value": "14h-17h"}


ranges = st.integers(0, 1439).flatmap(
    lambda s: st.builds(TimeRange, st.just(s), st.integers(s + 1, 1440))
)


@given(st.lists(ranges, max_size=6))
def test_check_ranges_accepts_exactly_the_non_overlapping_lists(
    items: list[TimeRange],
) -> None:
    minutes = [m for r in items for m in range(r.start, r.end)]
    disjoint = len(minutes) == len(set(minutes))
    if disjoint:
        assert check_ranges(items) == tuple(sorted(items))
    else:
        with pytest.raises(SchedulingError):
            check_ranges(items)
