"""A counter's schedule (R12) and the generation of its slots (R2, X1).

A schedule is a list of rows, each applying one reference week over a period
of dates (both included); rows never overlap. Applying a week over dates that
other rows cover replaces those dates: the other rows are trimmed or split.
Rows of the same week that end up back to back are kept separate, so that each
row stays one "apply" the administrator made; ``row_for`` and ``generate``
read them the same either way.
"""

from collections.abc import Container
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collective.rendezvous.scheduling.calendar import OpeningCalendar
from collective.rendezvous.scheduling.errors import SchedulingError
from collective.rendezvous.scheduling.ranges import check_ranges
from collective.rendezvous.scheduling.ranges import TimeRange
from collective.rendezvous.scheduling.slots import _day_keys
from collective.rendezvous.scheduling.slots import _day_slots
from collective.rendezvous.scheduling.slots import Slot
from collective.rendezvous.scheduling.units import validate_duration
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from zoneinfo import ZoneInfo


# Weekday (0 = Monday) -> that day's opening ranges; a missing day is closed.
WeekTemplate = Mapping[int, tuple[TimeRange, ...]]

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One reference week (an opaque id, e.g. a UID) applied from start to end."""

    week: str
    start: date
    end: date

    def covers(self, day: date) -> bool:
        """Tell whether the row applies its week on that date."""
        return self.start <= day <= self.end


def _by_date(row: ScheduleRow) -> tuple[date, date]:
    """Return the sort key of a row: its dates."""
    return row.start, row.end


def _check_row(row: ScheduleRow) -> None:
    """Refuse a row that ends before it starts."""
    if row.end < row.start:
        raise SchedulingError(
            "schedule_end_before_start",
            "The period from ${start} to ${end} ends before it starts.",
            start=row.start.isoformat(),
            end=row.end.isoformat(),
        )


def validate_rows(
    rows: Iterable[ScheduleRow], known_weeks: Container[str] | None = None
) -> None:
    """Refuse rows that end before they start, overlap, or name an unknown week."""
    ordered = sorted(rows, key=_by_date)
    for row in ordered:
        _check_row(row)
        if known_weeks is not None and row.week not in known_weeks:
            raise SchedulingError(
                "schedule_week_unknown",
                "The period from ${start} to ${end} uses a reference week that "
                "does not exist (any more).",
                start=row.start.isoformat(),
                end=row.end.isoformat(),
                week=row.week,
            )
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end:
            raise SchedulingError(
                "schedule_overlap",
                "The period from ${first_start} to ${first_end} overlaps the "
                "period from ${second_start} to ${second_end}.",
                first_start=before.start.isoformat(),
                first_end=before.end.isoformat(),
                second_start=after.start.isoformat(),
                second_end=after.end.isoformat(),
                first_week=before.week,
                second_week=after.week,
            )


def apply_week(rows: Iterable[ScheduleRow], new_row: ScheduleRow) -> list[ScheduleRow]:
    """Return the rows with ``new_row`` written over the dates it covers, sorted."""
    _check_row(new_row)
    result = [new_row]
    for row in rows:
        if row.end < new_row.start or row.start > new_row.end:
            result.append(row)
            continue
        if row.start < new_row.start:
            result.append(ScheduleRow(row.week, row.start, new_row.start - ONE_DAY))
        if row.end > new_row.end:
            result.append(ScheduleRow(row.week, new_row.end + ONE_DAY, row.end))
    return sorted(result, key=_by_date)


def row_for(rows: Iterable[ScheduleRow], day: date) -> ScheduleRow | None:
    """Return the row that applies on a date, or None when none does."""
    for row in rows:
        if row.covers(day):
            return row
    return None


def _scheduled_days(
    rows: Iterable[ScheduleRow],
    weeks: Mapping[str, WeekTemplate],
    calendar: OpeningCalendar,
    first: date,
    last: date,
) -> Iterator[tuple[date, tuple[TimeRange, ...]]]:
    """Yield the open days from first to last that have ranges, with their ranges."""
    for row in sorted(rows, key=_by_date):
        template = weeks.get(row.week)
        if template is None:
            continue
        ranges_by_weekday = {
            weekday: check_ranges(ranges) for weekday, ranges in template.items()
        }
        day = max(row.start, first)
        stop = min(row.end, last)
        while day <= stop:
            ranges = ranges_by_weekday.get(day.weekday())
            if ranges and calendar.is_open(day):
                yield day, ranges
            day += ONE_DAY


def generate(
    rows: Iterable[ScheduleRow],
    weeks: Mapping[str, WeekTemplate],
    duration: int,
    calendar: OpeningCalendar,
    first: date,
    last: date,
    tz: ZoneInfo,
) -> dict[date, list[Slot]]:
    """Return the slots of the open days from first to last, by date.

    Only days with slots are keys. A row whose week is missing from ``weeks``
    gives no slots (``validate_rows`` reports such rows when saving).
    """
    validate_duration(duration)
    result: dict[date, list[Slot]] = {}
    for day, ranges in _scheduled_days(rows, weeks, calendar, first, last):
        slots = _day_slots(day, ranges, duration, tz)
        if slots:
            result[day] = slots
    return result


def generate_keys(
    rows: Iterable[ScheduleRow],
    weeks: Mapping[str, WeekTemplate],
    duration: int,
    calendar: OpeningCalendar,
    first: date,
    last: date,
    tz: ZoneInfo,
) -> dict[date, list[int]]:
    """Return the storage keys of ``generate``'s slots, without building slots.

    This is what the counter stores; being plain integers, it is several times
    faster than ``generate`` and leaves little for the garbage collector.
    """
    validate_duration(duration)
    result: dict[date, list[int]] = {}
    for day, ranges in _scheduled_days(rows, weeks, calendar, first, last):
        keys = _day_keys(day, ranges, duration, tz)
        if keys:
            result[day] = keys
    return result
