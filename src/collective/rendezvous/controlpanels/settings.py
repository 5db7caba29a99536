"""Read the "Rendez-vous" settings: the registry proxy and the opening calendar."""

from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
from collective.rendezvous.controlpanels.interfaces import PREFIX
from collective.rendezvous.controlpanels.interfaces import WEEKDAYS
from datetime import date
from datetime import timedelta
from plone.registry.interfaces import IRegistry
from typing import NamedTuple
from zope.component import getUtility


class OpeningInputs(NamedTuple):
    """The global part of an opening calendar, named like ``OpeningCalendar``.

    ``scheduling.OpeningCalendar(**inputs._asdict())`` builds the site-wide
    calendar; add the place's and the counter's closure dates to ``closures``
    for a counter's own calendar.
    """

    open_weekdays: frozenset[int]
    region: str
    holidays_open: frozenset[str]
    closures: frozenset[date]


def get_settings() -> IRendezvousSettings:
    """Return the settings as a registry proxy (read and write attributes).

    Assign new values (``settings.closures = [...]``) rather than changing a
    stored list in place: the registry only sees assignments. Raises
    ``KeyError`` when the records are missing (the add-on is not installed, or
    a new field's upgrade step has not run).
    """
    registry = getUtility(IRegistry)
    return registry.forInterface(IRendezvousSettings, prefix=PREFIX)


def closure_dates(rows) -> frozenset[date]:
    """Expand closure rows (``start``, ``end`` included) into their dates.

    Rows without both dates, or ending before they start, close nothing.
    """
    days: set[date] = set()
    for row in rows or ():
        start, end = row.get("start"), row.get("end")
        if start is None or end is None:
            continue
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


# The settings the opening calendar is made of (``opening_calendar_inputs``).
OPENING_FIELDS = ("open_weekdays", "holiday_region", "holidays_open", "closures")


def opening_calendar_inputs(values: dict | None = None) -> OpeningInputs:
    """Return the site-wide opening calendar inputs from the settings.

    A named tuple of: open weekdays as ints (0 = Monday), the holiday region
    key, the holiday keys kept open, and the dates of the global exceptional
    closures (place and counter closures are not included). ``values``
    (field names of ``OPENING_FIELDS``) replace the stored settings: the
    calendar a change of the settings would make.
    """
    settings = get_settings()
    values = values or {}

    def read(name):
        return values[name] if name in values else getattr(settings, name)

    return OpeningInputs(
        open_weekdays=frozenset(
            WEEKDAYS.index(day)
            for day in read("open_weekdays") or ()
            if day in WEEKDAYS
        ),
        region=read("holiday_region") or "metropole",
        holidays_open=frozenset(read("holidays_open") or ()),
        closures=closure_dates(read("closures")),
    )
