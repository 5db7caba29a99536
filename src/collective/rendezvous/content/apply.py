"""Apply a reference week to a counter over dates (R12), for the form and REST."""

from collective.rendezvous import scheduling
from collective.rendezvous.content.counter import ICounter
from zope.event import notify
from zope.lifecycleevent import Attributes
from zope.lifecycleevent import ObjectModifiedEvent

import datetime


def rows_of(counter) -> list[scheduling.ScheduleRow]:
    """The counter's schedule as the engine's rows."""
    return [
        scheduling.ScheduleRow(row["week"], row["start"], row["end"])
        for row in counter.schedule or ()
    ]


def applied_schedule(week, counter, start: datetime.date, end: datetime.date):
    """The counter's schedule once ``week`` is applied from ``start`` to
    ``end``, without writing it (``apply_week``; the Apply form lists the
    bookings it would unschedule first)."""
    rows = scheduling.apply_week(
        rows_of(counter), scheduling.ScheduleRow(week.UID(), start, end)
    )
    return [{"week": row.week, "start": row.start, "end": row.end} for row in rows]


def apply_week(week, counter, start: datetime.date, end: datetime.date) -> list[dict]:
    """Write ``week`` on ``counter`` from ``start`` to ``end``; return the schedule.

    Dates already covered by other rows are replaced: those rows are trimmed
    or split, so rows never overlap. Raises ``SchedulingError`` when the
    period ends before it starts; the caller checks permissions.
    """
    counter.schedule = applied_schedule(week, counter, start, end)
    notify(ObjectModifiedEvent(counter, Attributes(ICounter, "schedule")))
    return counter.schedule
