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


def apply_week(week, counter, start: datetime.date, end: datetime.date) -> list[dict]:
    """Write ``week`` on ``counter`` from ``start`` to ``end``; return the schedule.

    Dates already covered by other rows are replaced: those rows are trimmed
    or split, so rows never overlap. Raises ``SchedulingError`` when the
    period ends before it starts; the caller checks permissions.
    """
    rows = scheduling.apply_week(
        rows_of(counter), scheduling.ScheduleRow(week.UID(), start, end)
    )
    counter.schedule = [
        {"week": row.week, "start": row.start, "end": row.end} for row in rows
    ]
    notify(ObjectModifiedEvent(counter, Attributes(ICounter, "schedule")))
    return counter.schedule
