"""Blocks of consecutive slots (a booking for several documents, issue 14).

An ANTS appointment for N documents takes N consecutive slots of one
counter: ``DaySlots.block_free``, ``free_blocks`` and ``covers`` decide
which starts can hold such a block. The rules, as properties:

- a block is offered only if each of its slots is a start of the day and
  free (no gap, no lunch break, not past the last slot);
- taking a block makes each of its slots unavailable, and after any mix
  of takes and releases every answer still matches that definition (and
  the hub's bisecting ``block_starts`` agrees);
- blocks taken through ``block_free`` never overlap.
"""

from collective.rendezvous.ants import hub
from collective.rendezvous.slots.store import DaySlots
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st


STEP = 20
# 09:00-12:00 and 14:00-16:00 (minutes since midnight): a lunch break.
MORNING = tuple(540 + STEP * k for k in range(9))
AFTERNOON = tuple(840 + STEP * k for k in range(6))
DAY = MORNING + AFTERNOON


def naive_block_free(record, start, count):
    """The definition: each of the count slots is a start and is free."""
    return all(
        start + n * STEP in record.starts and record.is_free(start + n * STEP)
        for n in range(count)
    )


def test_a_block_does_not_cross_the_lunch_break_or_the_end_of_the_day():
    record = DaySlots(DAY, STEP)
    assert record.block_free(MORNING[-2], 2)
    assert not record.block_free(MORNING[-1], 2)
    assert not record.block_free(AFTERNOON[-1], 2)
    assert record.free_blocks(3)[-1] == AFTERNOON[-3]
    assert MORNING[-2] not in record.free_blocks(3)


def test_a_block_overlapping_a_booking_is_not_free():
    record = DaySlots(DAY, STEP)
    record.take(600, 620, "a")
    assert not record.block_free(580, 2)
    assert record.block_free(560, 2)
    assert record.block_free(620, 3)
    assert 580 not in record.free_blocks(2)
    assert not record.block_free(580, 2, ignore="b")
    # A booking's own interval does not count against it (growing in place).
    assert record.block_free(600, 2, ignore="a")


def test_covers():
    record = DaySlots(DAY, STEP)
    assert record.covers(540, 560)
    assert record.covers(540, 600)
    assert not record.covers(700, 860)  # over the lunch break
    assert not record.covers(545, 565)  # off the grid


operations = st.lists(
    st.tuples(st.sampled_from(DAY), st.integers(1, 4), st.booleans()),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_blocks_never_overlap_and_release_restores(steps):
    record = DaySlots(DAY, STEP)
    held = {}
    for n, (start, count, release) in enumerate(steps):
        if release and held:
            victim = sorted(held)[n % len(held)]
            record.release(held.pop(victim)[0])
            continue
        expected = naive_block_free(record, start, count)
        assert record.block_free(start, count) == expected
        assert (start in record.free_blocks(count)) == expected
        assert (start in hub.block_starts(record, count, 0, 10**6)) == expected
        if expected:
            before = record.free_starts()
            uid = f"b{n}"
            record.take(start, start + count * STEP, uid)
            held[uid] = (start, start + count * STEP)
            taken = set(range(start, start + count * STEP, STEP))
            assert not taken & set(record.free_starts())
            assert set(before) - set(record.free_starts()) >= taken
    intervals = sorted(held.values())
    for (_s1, end1), (start2, _e2) in zip(intervals, intervals[1:], strict=False):
        assert end1 <= start2
    for start, end in intervals:
        assert record.covers(start, end)
