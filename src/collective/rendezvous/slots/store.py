"""A counter's slots: one persistent record per open day, in a BTree by date.

``SlotStore`` (on the counter, attribute ``_rendezvous_slots``) maps the day's
ordinal (``date.toordinal()``) to a ``DaySlots``. A ``DaySlots`` holds the day's
slot starts (minutes since the Unix epoch, UTC), what is taken: start ->
(end, booking id), and the ids of every booking of that day at this counter,
whatever its state. Free/taken is answered from these records alone, without
loading bookings, and they are the index of a counter's bookings by day:
bookings are kept out of the portal catalog (see booking/index.py).

Why a record per counter-day: it is the booking guard (X2). Every booking,
move or cancellation of a slot rewrites its day record, so two concurrent
transactions on the same counter-day write the same object and ZODB raises a
ConflictError for one of them; Zope retries it and the retry sees the slot
taken. Bookings on other days or other counters touch other records and never
conflict. Regeneration writes a day record only when its starts change.
"""

from Acquisition import aq_base
from BTrees.IOBTree import IOBTree
from persistent import Persistent

import datetime


STORE_ATTRIBUTE = "_rendezvous_slots"


class DaySlots(Persistent):
    """The slots of one counter on one day, and which of them are taken."""

    booked: tuple[str, ...] = ()

    def __init__(self, starts: tuple[int, ...], duration: int):
        self.starts = tuple(starts)
        self.duration = duration
        # start -> (end, booking id); replaced, never mutated in place, so
        # that every change writes this record.
        self.taken: dict[int, tuple[int, str]] = {}
        # ids of the day's bookings in any state (replaced, never mutated).
        self.booked: tuple[str, ...] = ()

    def is_free(self, start: int, duration: int | None = None) -> bool:
        """No taken interval overlaps [start, start + duration)."""
        end = start + (duration or self.duration)
        return not any(
            taken_start < end and start < taken_end
            for taken_start, (taken_end, _uid) in self.taken.items()
        )

    def free_starts(self) -> list[int]:
        if not self.taken:
            return list(self.starts)
        return [start for start in self.starts if self.is_free(start)]

    def covers(self, start: int, end: int) -> bool:
        """Whether [start, end) is made of consecutive slots of this day.

        Every ``duration`` from ``start`` up to ``end`` must be a slot
        start: a block does not run over a gap (a lunch break) or past the
        day's last slot.
        """
        step = self.duration or 1
        if end - start <= step:
            return start in self.starts
        starts = set(self.starts)
        return all(moment in starts for moment in range(start, end, step))

    def block_free(self, start: int, count: int = 1, ignore: str = "") -> bool:
        """Whether ``count`` consecutive slots from ``start`` are all free.

        ``ignore``: a booking id whose own interval does not count (a
        booking growing or shrinking in place).
        """
        end = start + count * self.duration
        if not self.covers(start, end):
            return False
        return not any(
            taken_start < end and start < taken_end and uid != ignore
            for taken_start, (taken_end, uid) in self.taken.items()
        )

    def free_blocks(self, count: int = 1) -> list[int]:
        """The starts of ``count`` consecutive free slots (one document per
        slot: an ANTS appointment for a family, issue 14)."""
        free = self.free_starts()
        return free if count <= 1 else blocks(free, self.duration, count)

    def take(self, start: int, end: int, booking_id: str) -> None:
        taken = dict(self.taken)
        taken[start] = (end, booking_id)
        self.taken = taken

    def release(self, start: int) -> None:
        taken = dict(self.taken)
        taken.pop(start, None)
        self.taken = taken

    def add_booking(self, booking_id: str) -> None:
        if booking_id not in self.booked:
            self.booked = (*self.booked, booking_id)

    def remove_booking(self, booking_id: str) -> None:
        self.booked = tuple(b for b in self.booked if b != booking_id)


def blocks(free, step: int, count: int) -> list[int]:
    """The starts among ``free`` (free slot starts, ``step`` apart on the
    grid) followed by ``count - 1`` more free starts in a row."""
    if count <= 1:
        return list(free)
    every = set(free)
    return [
        start
        for start in free
        if all(start + n * step in every for n in range(1, count))
    ]


class SlotStore(Persistent):
    """The days of one counter: ordinal of the date -> DaySlots."""

    anonymised_through = 0

    def __init__(self):
        self.days = IOBTree()
        # What the current days were generated from (see generation.py).
        self.signature = None
        # Days up to this ordinal have had their old bookings anonymised.
        self.anonymised_through = 0

    def day(self, day: datetime.date) -> DaySlots | None:
        return self.days.get(day.toordinal())

    def between(self, first: datetime.date | None, last: datetime.date | None):
        """(date, DaySlots) of the stored days from first to last, in order."""
        low = first.toordinal() if first else None
        high = last.toordinal() if last else None
        for ordinal, record in self.days.items(low, high):
            yield datetime.date.fromordinal(ordinal), record

    def day_for_booking(self, day: datetime.date, duration: int) -> DaySlots:
        """The day's record, made (without slots) when the day has none."""
        record = self.days.get(day.toordinal())
        if record is None:
            record = self.days[day.toordinal()] = DaySlots((), duration)
        return record


def get_store(counter, create: bool = False) -> SlotStore | None:
    """The counter's slot store (made on demand when ``create``)."""
    store = getattr(aq_base(counter), STORE_ATTRIBUTE, None)
    if store is None and create:
        store = SlotStore()
        setattr(counter, STORE_ATTRIBUTE, store)
    return store
