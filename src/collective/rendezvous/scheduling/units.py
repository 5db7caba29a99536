"""Durations of an appointment type (R9): horizon, minimum notice, duration.

The horizon takes ``Nd``, ``Nw`` or ``Nm`` (days, weeks, calendar months) and
the minimum notice ``Nm``, ``Nh`` or ``Nd`` (minutes, hours, days), exactly as
the manual writes them: the same letter ``m`` means months in one field and
minutes in the other, so every message says which units its field takes.
N is a whole number of at least 1; no sign, decimal point or inner space. The
unit letter may be typed in capitals (``2M`` is read as ``2m``).
"""

from collective.rendezvous.scheduling.errors import SchedulingError
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from dateutil.relativedelta import relativedelta
from typing import Literal

import re


HorizonUnit = Literal["d", "w", "m"]

MAX_DURATION = 24 * 60
# Generous bounds that keep date arithmetic and slot generation finite.
MAX_HORIZON_DAYS = 2 * 366
MAX_NOTICE_DAYS = 366

_AMOUNT_UNIT = re.compile(r"(\d+)([a-z]*)", re.ASCII | re.IGNORECASE)

_HORIZON_UNITS = "d (days), w (weeks) or m (months)"
_HORIZON_HINT = "write a whole number followed by " + _HORIZON_UNITS + ", e.g. 2m."
_NOTICE_UNITS = "m (minutes), h (hours) or d (days)"
_NOTICE_HINT = "write a whole number followed by " + _NOTICE_UNITS + ", e.g. 60m."


@dataclass(frozen=True, slots=True)
class Horizon:
    """How far ahead slots are offered: an amount of days, weeks or months."""

    amount: int
    unit: HorizonUnit

    def delta(self) -> relativedelta:
        """Return the horizon as a calendar-aware relativedelta."""
        if self.unit == "m":
            return relativedelta(months=self.amount)
        if self.unit == "w":
            return relativedelta(weeks=self.amount)
        return relativedelta(days=self.amount)

    def end(self, now: datetime) -> datetime:
        """Return ``now`` plus the horizon on the wall clock (Jan 31 + 1m = Feb 28)."""
        return now + self.delta()

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _split(text: str) -> tuple[int, str] | None:
    """Split ``12d`` into (12, "d"), or return None when it is not that shape."""
    match = _AMOUNT_UNIT.fullmatch(text)
    if match is None:
        return None
    return int(match.group(1)), match.group(2).lower()


def parse_horizon(text: str) -> Horizon:
    """Parse a horizon such as ``2m`` (two months) or raise SchedulingError."""
    value = text.strip()
    parts = _split(value)
    if parts is None:
        raise SchedulingError(
            "horizon_malformed",
            '"${value}" is not a valid horizon: ' + _HORIZON_HINT,
            value=value,
        )
    amount, unit = parts
    if not unit:
        raise SchedulingError(
            "horizon_unit_missing",
            '"${value}" has no unit: the horizon takes ' + _HORIZON_UNITS + ".",
            value=value,
        )
    if unit not in ("d", "w", "m"):
        raise SchedulingError(
            "horizon_unit_unknown",
            '"${value}": "${unit}" is not a unit of the horizon, which takes '
            + _HORIZON_UNITS
            + " (here m means months, not minutes).",
            value=value,
            unit=unit,
        )
    if amount == 0:
        raise SchedulingError(
            "horizon_zero",
            '"${value}": the horizon must be at least 1.',
            value=value,
        )
    horizon = Horizon(amount, unit)
    start = datetime(2000, 1, 1)
    if amount > MAX_HORIZON_DAYS or (start + horizon.delta()) - start > timedelta(
        days=MAX_HORIZON_DAYS
    ):
        raise SchedulingError(
            "horizon_too_long",
            '"${value}": the horizon cannot be longer than two years.',
            value=value,
        )
    return horizon


def parse_notice(text: str) -> timedelta:
    """Parse a minimum notice such as ``60m`` (sixty minutes) into a timedelta.

    An empty optional field means no notice: the caller passes None on.
    """
    value = text.strip()
    parts = _split(value)
    if parts is None:
        raise SchedulingError(
            "notice_malformed",
            '"${value}" is not a valid minimum notice: ' + _NOTICE_HINT,
            value=value,
        )
    amount, unit = parts
    if not unit:
        raise SchedulingError(
            "notice_unit_missing",
            '"${value}" has no unit: the minimum notice takes ' + _NOTICE_UNITS + ".",
            value=value,
        )
    if unit not in ("m", "h", "d"):
        raise SchedulingError(
            "notice_unit_unknown",
            '"${value}": "${unit}" is not a unit of the minimum notice, which '
            "takes " + _NOTICE_UNITS + " (here m means minutes, not months).",
            value=value,
            unit=unit,
        )
    if amount == 0:
        raise SchedulingError(
            "notice_zero",
            '"${value}": the minimum notice must be at least 1; leave the field '
            "empty for no notice.",
            value=value,
        )
    minutes = amount * {"m": 1, "h": 60, "d": 24 * 60}[unit]
    if minutes > MAX_NOTICE_DAYS * 24 * 60:
        raise SchedulingError(
            "notice_too_long",
            '"${value}": the minimum notice cannot be longer than one year.',
            value=value,
        )
    return timedelta(minutes=minutes)


def format_notice(notice: timedelta) -> str:
    """Return the shortest ``Nd``, ``Nh`` or ``Nm`` text for a notice."""
    minutes = notice // timedelta(minutes=1)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def validate_duration(minutes: int) -> int:
    """Return an appointment duration in minutes if it is 1 to 1440, else raise."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise SchedulingError(
            "duration_invalid",
            '"${value}" is not a duration: give a whole number of minutes.',
            value=str(minutes),
        )
    if not 1 <= minutes <= MAX_DURATION:
        raise SchedulingError(
            "duration_out_of_range",
            "${value} minutes is not a valid duration: it must be between 1 "
            "and 1440 minutes (24 hours).",
            value=str(minutes),
        )
    return minutes
