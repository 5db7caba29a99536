"""Slots of one day (R2, X5), their storage key, and the offer window (R9).

Times are wall-clock in the site's zone. A range's start and end are turned
into real instants: a wall time that does not exist (the hour skipped when
clocks go forward) moves forward to the first time that exists, and a wall
time that happens twice (the hour repeated when clocks go back) is its first
occurrence (``fold=0``). Slots then step in real elapsed time from the start,
so a 30-minute appointment always lasts 30 minutes: in Europe/Paris,
``01h00-04h00`` gives 4 half-hour slots on 2027-03-28 (01:00, 01:30, 03:00,
03:30) and 8 on 2026-10-25 (01:00 to 02:30 at +02:00, then 02:00 to 03:30 at
+01:00).

Storage keys are minutes since the Unix epoch in UTC; ``day_slot_keys`` gives
the keys of ``day_slots`` straight from integer arithmetic.

Python compares (and subtracts) two datetimes of the same zone by their
wall-clock fields and ignores ``fold``, which is wrong during the repeated
hour; so ``Slot`` compares and hashes by instant, and the offer window is
given in UTC.
"""

from collections.abc import Iterable
from collective.rendezvous.scheduling.ranges import check_ranges
from collective.rendezvous.scheduling.ranges import TimeRange
from collective.rendezvous.scheduling.units import Horizon
from collective.rendezvous.scheduling.units import validate_duration
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from functools import lru_cache
from functools import total_ordering
from zoneinfo import ZoneInfo


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@total_ordering
@dataclass(frozen=True, slots=True, eq=False)
class Slot:
    """One appointment slot: aware start and end in the site's zone."""

    start: datetime
    end: datetime

    def _instants(self) -> tuple[datetime, datetime]:
        """Return start and end in UTC, for exact comparisons."""
        return self.start.astimezone(UTC), self.end.astimezone(UTC)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Slot):
            return NotImplemented
        return self._instants() == other._instants()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Slot):
            return NotImplemented
        return self._instants() < other._instants()

    def __hash__(self) -> int:
        return hash(self._instants())

    @property
    def key(self) -> int:
        """Return the storage key of the slot (see ``slot_key``)."""
        return slot_key(self.start)

    @property
    def minutes(self) -> int:
        """Return the real length of the slot in minutes."""
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)) // MINUTE

    def overlaps(self, other: "Slot") -> bool:
        """Tell whether two slots share time (back-to-back slots do not)."""
        mine, theirs = self._instants(), other._instants()
        return mine[0] < theirs[1] and theirs[0] < mine[1]


def slot_key(start: datetime) -> int:
    """Return minutes since the Unix epoch in UTC: the slot's BTree key."""
    if start.utcoffset() is None:
        raise ValueError(f"a slot start must be timezone-aware: {start!r}")
    return (start - EPOCH) // MINUTE


def slot_from_key(key: int, duration: int, tz: ZoneInfo) -> Slot:
    """Rebuild the slot of a storage key and a duration in minutes, in ``tz``."""
    start = EPOCH + timedelta(minutes=key)
    return Slot(start.astimezone(tz), (start + duration * MINUTE).astimezone(tz))


def _exists(moment: datetime) -> bool:
    """Tell whether an aware wall-clock time really happens in its zone."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def wall_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """Return the real instant of ``minutes`` after midnight of ``day`` in ``tz``.

    ``1440`` is the next midnight; a skipped wall time moves forward to the
    first one that exists; a repeated one is its first occurrence.
    """
    wall = datetime(day.year, day.month, day.day) + minutes * MINUTE
    moment = wall.replace(tzinfo=tz, fold=0)
    # Gaps are whole minutes wide and rarely more than an hour.
    while not _exists(moment):
        wall += MINUTE
        moment = wall.replace(tzinfo=tz, fold=0)
    return moment


@lru_cache(maxsize=8192)
def _day_info(day: date, tz: ZoneInfo) -> tuple[datetime, int, bool]:
    """Return the day's aware midnight, its key, and whether its offset is steady.

    Equal offsets at both midnights mean no transition that day (no zone has
    two transitions cancelling out within one day), so wall-clock arithmetic
    is real elapsed time there.
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    following = midnight + timedelta(days=1)
    steady = (
        _exists(midnight)
        and _exists(following)
        and midnight.utcoffset() == following.utcoffset()
    )
    return midnight, slot_key(midnight), steady


def _range_keys(day: date, time_range: TimeRange, tz: ZoneInfo) -> tuple[int, int]:
    """Return the keys (epoch minutes) of a range's start and end instants."""
    _, midnight_key, steady = _day_info(day, tz)
    if steady:
        return midnight_key + time_range.start, midnight_key + time_range.end
    return (
        slot_key(wall_instant(day, time_range.start, tz)),
        slot_key(wall_instant(day, time_range.end, tz)),
    )


def _day_keys(
    day: date, ranges: tuple[TimeRange, ...], duration: int, tz: ZoneInfo
) -> list[int]:
    """Return the slot keys of a day from checked ranges and a checked duration."""
    keys: list[int] = []
    for time_range in ranges:
        first, last = _range_keys(day, time_range, tz)
        keys.extend(range(first, last - duration + 1, duration))
    return keys


def _day_slots(
    day: date, ranges: tuple[TimeRange, ...], duration: int, tz: ZoneInfo
) -> list[Slot]:
    """Return the slots of a day from checked ranges and a checked duration."""
    midnight, _, steady = _day_info(day, tz)
    if not steady:
        return [
            slot_from_key(key, duration, tz)
            for key in _day_keys(day, ranges, duration, tz)
        ]
    # Same offset all day: one datetime addition per slot and no zone lookup,
    # which gives the same slots as the keys, only faster.
    step = duration * MINUTE
    slots: list[Slot] = []
    append = slots.append
    for time_range in ranges:
        start = midnight + time_range.start * MINUTE
        for _ in range(time_range.minutes // duration):
            end = start + step
            append(Slot(start, end))
            start = end
    return slots


def day_slots(
    day: date, ranges: Iterable[TimeRange], duration_minutes: int, tz: ZoneInfo
) -> list[Slot]:
    """Return the slots of one day: each range stepped by the duration, in order."""
    validate_duration(duration_minutes)
    return _day_slots(day, check_ranges(ranges), duration_minutes, tz)


def day_slot_keys(
    day: date, ranges: Iterable[TimeRange], duration_minutes: int, tz: ZoneInfo
) -> list[int]:
    """Return the storage keys of ``day_slots``, computed without building slots."""
    validate_duration(duration_minutes)
    return _day_keys(day, check_ranges(ranges), duration_minutes, tz)


def offer_window(
    now: datetime, min_notice: timedelta | None, horizon: Horizon
) -> tuple[datetime, datetime]:
    """Return (earliest, limit) in UTC: offered slots start in [earliest, limit).

    The notice is real elapsed time; the horizon is calendar time on the wall
    clock of ``now`` (give ``now`` in the site's zone).
    """
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware: {now!r}")
    earliest = now.astimezone(UTC) + (min_notice or timedelta())
    return earliest, horizon.end(now).astimezone(UTC)


def is_offered(
    slot: Slot, now: datetime, min_notice: timedelta | None, horizon: Horizon
) -> bool:
    """Tell whether a slot is offered: ``now + min_notice <= start < now + horizon``."""
    earliest, limit = offer_window(now, min_notice, horizon)
    return earliest <= slot.start.astimezone(UTC) < limit
