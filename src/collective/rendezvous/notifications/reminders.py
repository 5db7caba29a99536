"""Reminders (R6): sent by ``@@rendezvous-tick`` once per booking and date.

A booking's reminder is due ``reminder_hours`` (default 6) before its start.
When that moment falls in the quiet hours (default ``21h00-08h00``) it is
brought forward to ``QUIET_MARGIN`` (one hour) before they start, so that an
hourly cron still sends it in time: a 6-hour reminder of an 08:30
appointment goes from 20:00 the evening before, never at 02:30. The tick
sends a due reminder unless it runs within the quiet hours itself (a booking
made late in the evening is reminded when they end, if that is still before
the appointment). A reminder is logged on the booking with the appointment's
start, so it is sent once however often the tick runs; a moved booking gets
a reminder for its new date.
"""

from collective.rendezvous.booking.index import bookings_of
from collective.rendezvous.notifications import texts
from collective.rendezvous.notifications.dispatch import dispatch
from collective.rendezvous.notifications.dispatch import log_of
from collective.rendezvous.notifications.dispatch import read_config
from collective.rendezvous.notifications.dispatch import retry_failed
from collective.rendezvous.slots.generation import counters
from collective.rendezvous.slots.generation import site_timezone
from plone import api

import datetime


QUIET_MARGIN = datetime.timedelta(hours=1)


def in_quiet(moment: datetime.datetime, quiet) -> bool:
    """Whether a wall-clock moment is within the quiet hours (start, end)."""
    if not quiet:
        return False
    start, end = quiet
    now = moment.time()
    if start < end:
        return start <= now < end
    return now >= start or now < end


def due_at(start: datetime.datetime, hours: int, quiet, tz) -> datetime.datetime:
    """When the reminder of an appointment starting at ``start`` is due."""
    due = (start.astimezone(datetime.UTC) - datetime.timedelta(hours=hours)).astimezone(
        tz
    )
    if not in_quiet(due, quiet):
        return due
    begin = datetime.datetime.combine(due.date(), quiet[0], tzinfo=tz)
    if begin > due:
        begin = datetime.datetime.combine(
            due.date() - datetime.timedelta(days=1), quiet[0], tzinfo=tz
        )
    return (begin.astimezone(datetime.UTC) - QUIET_MARGIN).astimezone(tz)


def reminded(booking) -> bool:
    """Whether the booking's current date already has a reminder logged."""
    start = booking.start.isoformat()
    return any(
        entry.get("event") == texts.REMINDER and entry.get("start") == start
        for entry in log_of(booking) or ()
    )


def upcoming(now: datetime.datetime, limit: datetime.datetime):
    """The bookings of the days from ``now`` to ``limit`` (site time zone).

    Bookings are listed by their counter's day records (booking/index.py).
    """
    for counter in counters():
        yield from bookings_of(counter, now.date(), limit.date())


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Schedule the due reminders; how many bookings get one."""
    config = read_config()
    if config is None:
        return 0
    tz = site_timezone()
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(tz)
    if in_quiet(now, config["quiet_hours"]):
        return 0
    hours = config["reminder_hours"]
    # A reminder is due at most `hours` plus a day of quiet hours ahead.
    limit = now + datetime.timedelta(hours=hours, days=1)
    count = 0
    for booking in upcoming(now, limit):
        if booking.start is None or not now < booking.start <= limit:
            continue
        if api.content.get_state(booking) != "booked" or reminded(booking):
            continue
        if now < due_at(booking.start, hours, config["quiet_hours"], tz):
            continue
        if dispatch(booking, texts.REMINDER, now=now.astimezone(datetime.UTC)):
            count += 1
    return count


def tick(now: datetime.datetime | None = None) -> dict:
    """The notification part of ``@@rendezvous-tick``: its summary."""
    sent = send_reminders(now)
    retries = retry_failed(now.astimezone(datetime.UTC) if now is not None else None)
    return {
        "reminders_sent": sent,
        "notifications_retried": retries["retried"],
        "notifications_failed": retries["waiting"],
        "notifications_abandoned": retries["abandoned"],
    }
