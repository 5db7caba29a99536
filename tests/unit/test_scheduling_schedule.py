"""Tests of a counter's schedule rows and the "apply" action (R12)."""

from collective.rendezvous.scheduling import apply_week
from collective.rendezvous.scheduling import row_for
from collective.rendezvous.scheduling import ScheduleRow
from collective.rendezvous.scheduling import SchedulingError
from collective.rendezvous.scheduling import validate_rows
from datetime import date
from datetime import timedelta
from hypothesis import given
from hypothesis import strategies as st

import pytest


def d(month: int, day: int) -> date:
    return date(2027, month, day)


def row(week: str, start: date, end: date) -> ScheduleRow:
    return ScheduleRow(week, start, end)


def test_row_for_finds_the_row_of_a_date() -> None:
    rows = [row("a", d(1, 1), d(1, 31)), row("b", d(2, 1), d(2, 28))]
    assert row_for(rows, d(1, 1)) == rows[0]
    assert row_for(rows, d(1, 31)) == rows[0]
    assert row_for(rows, d(2, 14)) == rows[1]
    assert row_for(rows, d(3, 1)) is None
    assert row_for([], d(3, 1)) is None


def test_validate_rows_accepts_back_to_back_rows() -> None:
    validate_rows([row("b", d(2, 1), d(2, 28)), row("a", d(1, 1), d(1, 31))])
    validate_rows([row("a", d(1, 1), d(1, 1))], known_weeks={"a"})
    validate_rows([])


def test_validate_rows_refuses_an_end_before_the_start() -> None:
    with pytest.raises(SchedulingError) as info:
        validate_rows([row("a", d(3, 1), d(2, 1))])
    assert info.value.msgid == "schedule_end_before_start"
    assert (
        str(info.value)
        == "The period from 2027-03-01 to 2027-02-01 ends before it starts."
    )


def test_validate_rows_refuses_overlapping_rows_naming_both() -> None:
    rows = [
        row("a", d(1, 1), d(1, 31)),
        row("c", d(4, 1), d(4, 30)),
        row("b", d(1, 31), d(2, 28)),
    ]
    with pytest.raises(SchedulingError) as info:
        validate_rows(rows)
    assert info.value.msgid == "schedule_overlap"
    assert str(info.value) == (
        "The period from 2027-01-01 to 2027-01-31 overlaps the period from "
        "2027-01-31 to 2027-02-28."
    )
    assert info.value.mapping["first_week"] == "a"
    assert info.value.mapping["second_week"] == "b"


def test_validate_rows_refuses_an_unknown_week() -> None:
    with pytest.raises(SchedulingError) as info:
        validate_rows([row("gone", d(1, 1), d(1, 31))], known_weeks={"a", "b"})
    assert info.value.msgid == "schedule_week_unknown"
    assert info.value.mapping["week"] == "gone"
    assert "2027-01-01" in str(info.value)


def test_apply_week_to_an_empty_schedule() -> None:
    new = row("a", d(1, 1), d(6, 30))
    assert apply_week([], new) == [new]


def test_apply_week_splits_a_row_in_the_middle() -> None:
    rows = [row("a", d(1, 1), d(12, 31))]
    assert apply_week(rows, row("b", d(7, 1), d(8, 31))) == [
        row("a", d(1, 1), d(6, 30)),
        row("b", d(7, 1), d(8, 31)),
        row("a", d(9, 1), d(12, 31)),
    ]


def test_apply_week_trims_the_end_of_a_row() -> None:
    rows = [row("a", d(1, 1), d(6, 30))]
    assert apply_week(rows, row("b", d(6, 1), d(9, 30))) == [
        row("a", d(1, 1), d(5, 31)),
        row("b", d(6, 1), d(9, 30)),
    ]


def test_apply_week_trims_the_start_of_a_row() -> None:
    rows = [row("a", d(3, 1), d(6, 30))]
    assert apply_week(rows, row("b", d(1, 1), d(3, 31))) == [
        row("b", d(1, 1), d(3, 31)),
        row("a", d(4, 1), d(6, 30)),
    ]


def test_apply_week_replaces_rows_it_covers_fully() -> None:
    rows = [row("a", d(2, 1), d(2, 28)), row("b", d(3, 1), d(3, 31))]
    new = row("c", d(1, 1), d(12, 31))
    assert apply_week(rows, new) == [new]
    assert apply_week([row("a", d(2, 1), d(2, 28))], row("b", d(2, 1), d(2, 28))) == [
        row("b", d(2, 1), d(2, 28))
    ]


def test_apply_week_leaves_other_rows_alone_and_sorts() -> None:
    rows = [row("b", d(9, 1), d(9, 30)), row("a", d(1, 1), d(1, 31))]
    new = row("c", d(5, 1), d(5, 31))
    assert apply_week(rows, new) == [rows[1], new, rows[0]]


def test_apply_week_keeps_back_to_back_rows_of_one_week_apart() -> None:
    rows = [row("a", d(1, 1), d(1, 31))]
    assert apply_week(rows, row("a", d(2, 1), d(2, 28))) == [
        row("a", d(1, 1), d(1, 31)),
        row("a", d(2, 1), d(2, 28)),
    ]


def test_apply_week_twice_over_overlapping_dates_later_wins() -> None:
    rows = apply_week([], row("a", d(1, 1), d(3, 31)))
    rows = apply_week(rows, row("b", d(3, 1), d(5, 31)))
    assert rows == [row("a", d(1, 1), d(2, 28)), row("b", d(3, 1), d(5, 31))]
    validate_rows(rows)


def test_apply_week_refuses_an_end_before_the_start() -> None:
    with pytest.raises(SchedulingError) as info:
        apply_week([], row("a", d(3, 1), d(1, 1)))
    assert info.value.msgid == "schedule_end_before_start"


def test_apply_week_at_the_edges_of_the_calendar() -> None:
    rows = [row("a", date.min, date.max)]
    new = row("b", date.min, date.max)
    assert apply_week(rows, new) == [new]


BASE = date(2027, 1, 1)

applications = st.lists(
    st.tuples(
        st.sampled_from("abc"),
        st.integers(0, 60),
        st.integers(0, 20),
    ),
    max_size=8,
)


@given(applications)
def test_apply_week_matches_a_day_by_day_model(
    steps: list[tuple[str, int, int]],
) -> None:
    rows: list[ScheduleRow] = []
    model: dict[date, str] = {}
    for week, offset, length in steps:
        start = BASE + timedelta(days=offset)
        end = start + timedelta(days=length)
        rows = apply_week(rows, ScheduleRow(week, start, end))
        for n in range(length + 1):
            model[start + timedelta(days=n)] = week
    validate_rows(rows, known_weeks="abc")
    assert rows == sorted(rows, key=lambda r: (r.start, r.end))
    covered = {
        r.start + timedelta(days=n): r.week
        for r in rows
        for n in range((r.end - r.start).days + 1)
    }
    assert sum((r.end - r.start).days + 1 for r in rows) == len(covered)
    assert covered == model
    for n in range(-1, 83):
        day = BASE + timedelta(days=n)
        found = row_for(rows, day)
        assert (found.week if found else None) == model.get(day)
