"""Opening-hour ranges of a reference week (R12): ``09h00-12h00`` lines.

A range is written ``HHhMM-HHhMM``: hours 00 to 23 (a one-digit hour such as
``9h00`` is accepted as a convenience, a missing minute part such as ``9h`` is
not), minutes 00 to 59, and ``24h00`` as an end for "until midnight". The end
must come after the start. Surrounding spaces are ignored, inner ones are not;
a capital ``H`` is read as ``h``.
"""

from collections.abc import Iterable
from collective.rendezvous.scheduling.errors import SchedulingError
from dataclasses import dataclass

import re


MINUTES_PER_DAY = 24 * 60

_RANGE = re.compile(r"(\d{1,2})h(\d{2})-(\d{1,2})h(\d{2})", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True, order=True, slots=True)
class TimeRange:
    """An opening range of one day, in minutes since midnight (end exclusive)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"not a valid range of minutes: {self.start}-{self.end}")

    @property
    def minutes(self) -> int:
        """Return the length of the range in minutes."""
        return self.end - self.start

    def overlaps(self, other: "TimeRange") -> bool:
        """Tell whether two ranges share time (touching ranges do not)."""
        return self.start < other.end and other.start < self.end

    def __str__(self) -> str:
        return format_range(self)


def _format_time(minutes: int) -> str:
    """Return ``HHhMM`` for minutes since midnight."""
    return f"{minutes // 60:02d}h{minutes % 60:02d}"


def format_range(time_range: TimeRange) -> str:
    """Return the ``09h00-12h00`` form of a range."""
    return f"{_format_time(time_range.start)}-{_format_time(time_range.end)}"


def parse_range(text: str) -> TimeRange:
    """Parse one ``09h00-12h00`` line into a TimeRange or raise SchedulingError."""
    value = text.strip()
    match = _RANGE.fullmatch(value)
    if match is None:
        raise SchedulingError(
            "range_malformed",
            '"${value}" is not an opening range: write it as 09h00-12h00 '
            "(start and end, hours and minutes).",
            value=value,
        )
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    start_ok = start_h <= 23 and start_m <= 59
    end_ok = (end_h <= 23 and end_m <= 59) or (end_h, end_m) == (24, 0)
    if not (start_ok and end_ok):
        raise SchedulingError(
            "range_time_invalid",
            '"${value}" contains a time that does not exist: hours go from 00 '
            "to 23 and minutes from 00 to 59 (24h00 is allowed as an end).",
            value=value,
        )
    start = start_h * 60 + start_m
    end = end_h * 60 + end_m
    if end < start:
        raise SchedulingError(
            "range_end_before_start",
            '"${value}": the end is before the start.',
            value=value,
        )
    if end == start:
        raise SchedulingError(
            "range_empty",
            '"${value}": the end is the same as the start, so the range is empty.',
            value=value,
        )
    return TimeRange(start, end)


def parse_day(lines: Iterable[str] | str) -> tuple[TimeRange, ...]:
    """Parse the ranges of one day (one per line), sorted, refusing overlaps.

    Blank lines are ignored; a single string is split into lines.
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    return check_ranges(parse_range(line) for line in lines if line.strip())


def check_ranges(ranges: Iterable[TimeRange]) -> tuple[TimeRange, ...]:
    """Return one day's ranges sorted, refusing overlapping ones (naming both)."""
    ordered = sorted(ranges)
    # Sorted by start, any overlap shows up between neighbours.
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.overlaps(after):
            raise SchedulingError(
                "range_overlap",
                'The ranges "${first}" and "${second}" overlap: '
                "the ranges of one day must not share any time.",
                first=format_range(before),
                second=format_range(after),
            )
    return tuple(ordered)
