"""Tests of the horizon, minimum notice and duration of a type (R9)."""

from collective.rendezvous.scheduling import format_notice
from collective.rendezvous.scheduling import Horizon
from collective.rendezvous.scheduling import parse_horizon
from collective.rendezvous.scheduling import parse_notice
from collective.rendezvous.scheduling import SchedulingError
from collective.rendezvous.scheduling import validate_duration
from datetime import datetime
from datetime import timedelta
from hypothesis import given
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

import pytest


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2m", Horizon(2, "m")),
        ("10d", Horizon(10, "d")),
        ("3w", Horizon(3, "w")),
        (" 6m ", Horizon(6, "m")),
        ("2M", Horizon(2, "m")),
        ("24m", Horizon(24, "m")),
        ("731d", Horizon(731, "d")),
    ],
)
def test_parse_horizon(text: str, expected: Horizon) -> None:
    assert parse_horizon(text) == expected


def test_horizon_str_is_its_text() -> None:
    assert str(parse_horizon("2m")) == "2m"


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("0d", "horizon_zero"),
        ("0m", "horizon_zero"),
        ("-1d", "horizon_malformed"),
        ("1.5m", "horizon_malformed"),
        ("1,5m", "horizon_malformed"),
        ("2 m", "horizon_malformed"),
        ("", "horizon_malformed"),
        ("m", "horizon_malformed"),
        ("5", "horizon_unit_missing"),
        ("5x", "horizon_unit_unknown"),
        ("5h", "horizon_unit_unknown"),
        ("2mo", "horizon_unit_unknown"),
        ("25m", "horizon_too_long"),
        ("999999999999999999999m", "horizon_too_long"),
    ],
)
def test_parse_horizon_refuses(text: str, msgid: str) -> None:
    with pytest.raises(SchedulingError) as info:
        parse_horizon(text)
    assert info.value.msgid == msgid
    assert f'"{text.strip()}"' in str(info.value)


def test_horizon_messages_name_its_units() -> None:
    for text in ("5", "5x", "1.5m"):
        with pytest.raises(SchedulingError) as info:
            parse_horizon(text)
        assert "m (months)" in str(info.value)
        assert "d (days)" in str(info.value)
        assert "w (weeks)" in str(info.value)


def test_horizon_unknown_unit_says_m_means_months_here() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_horizon("60h")
    assert "m means months, not minutes" in str(info.value)
    assert info.value.mapping["unit"] == "h"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60m", timedelta(minutes=60)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("90m", timedelta(minutes=90)),
        ("2H", timedelta(hours=2)),
    ],
)
def test_parse_notice(text: str, expected: timedelta) -> None:
    assert parse_notice(text) == expected


@pytest.mark.parametrize(
    ("text", "msgid"),
    [
        ("0d", "notice_zero"),
        ("0m", "notice_zero"),
        ("-1d", "notice_malformed"),
        ("1.5h", "notice_malformed"),
        ("1 h", "notice_malformed"),
        ("", "notice_malformed"),
        ("5", "notice_unit_missing"),
        ("5x", "notice_unit_unknown"),
        ("2w", "notice_unit_unknown"),
        ("367d", "notice_too_long"),
        ("99999999999999999999d", "notice_too_long"),
    ],
)
def test_parse_notice_refuses(text: str, msgid: str) -> None:
    with pytest.raises(SchedulingError) as info:
        parse_notice(text)
    assert info.value.msgid == msgid
    assert f'"{text.strip()}"' in str(info.value)


def test_notice_messages_name_its_units() -> None:
    for text in ("5", "5x", "1.5h"):
        with pytest.raises(SchedulingError) as info:
            parse_notice(text)
        assert "m (minutes)" in str(info.value)
        assert "h (hours)" in str(info.value)
        assert "d (days)" in str(info.value)


def test_notice_unknown_unit_says_m_means_minutes_here() -> None:
    with pytest.raises(SchedulingError) as info:
        parse_notice("2w")
    assert "m means minutes, not months" in str(info.value)


def test_the_same_letter_m_means_months_or_minutes() -> None:
    assert parse_horizon("2m") == Horizon(2, "m")
    assert parse_notice("2m") == timedelta(minutes=2)
    assert parse_notice("60m") == timedelta(hours=1)


@given(st.integers(1, 366 * 24 * 60))
def test_format_notice_round_trips(minutes: int) -> None:
    notice = timedelta(minutes=minutes)
    text = format_notice(notice)
    assert parse_notice(text) == notice
    assert len(text) <= len(f"{minutes}m")


def test_format_notice_prefers_the_largest_unit() -> None:
    assert format_notice(timedelta(minutes=60)) == "1h"
    assert format_notice(timedelta(days=2)) == "2d"
    assert format_notice(timedelta(minutes=90)) == "90m"


def test_horizon_end_adds_calendar_months() -> None:
    assert Horizon(1, "m").end(datetime(2027, 1, 31, 10, 0)) == datetime(
        2027, 2, 28, 10, 0
    )
    assert Horizon(1, "m").end(datetime(2028, 1, 31, 10, 0)) == datetime(
        2028, 2, 29, 10, 0
    )
    assert Horizon(2, "m").end(datetime(2026, 12, 15)) == datetime(2027, 2, 15)


def test_horizon_end_adds_days_and_weeks() -> None:
    start = datetime(2027, 1, 31, 10, 0)
    assert Horizon(10, "d").end(start) == datetime(2027, 2, 10, 10, 0)
    assert Horizon(2, "w").end(start) == datetime(2027, 2, 14, 10, 0)


def test_horizon_end_keeps_the_wall_clock_across_a_dst_change() -> None:
    now = datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)
    end = Horizon(1, "m").end(now)
    assert end.isoformat() == "2027-04-01T09:00:00+02:00"


@pytest.mark.parametrize("minutes", [1, 15, 60, 1440])
def test_validate_duration_accepts(minutes: int) -> None:
    assert validate_duration(minutes) == minutes


@pytest.mark.parametrize("minutes", [0, -5, 1441, 100000])
def test_validate_duration_refuses_out_of_range(minutes: int) -> None:
    with pytest.raises(SchedulingError) as info:
        validate_duration(minutes)
    assert info.value.msgid == "duration_out_of_range"
    assert str(minutes) in str(info.value)
    assert "1440" in str(info.value)


@pytest.mark.parametrize("value", [1.5, "20", None, True])
def test_validate_duration_refuses_non_integers(value: object) -> None:
    with pytest.raises(SchedulingError) as info:
        validate_duration(value)  # type: ignore[arg-type]
    assert info.value.msgid == "duration_invalid"
