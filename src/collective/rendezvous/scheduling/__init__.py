"""The slot engine: pure Python, no Plone import.

It turns what the administrator types (``09h00-12h00`` ranges, ``2m``
horizons, ``60m`` notices), the opening calendar (weekdays, French public
holidays, closures) and a counter's schedule (reference weeks applied over
dates) into appointment slots, exact across daylight-saving changes. Refused
input raises ``SchedulingError``, whose ``msgid``, ``default`` and ``mapping``
the Plone layer turns into a translated message.

Modules: ``ranges`` (``09h00-12h00``), ``units`` (horizon, notice, duration),
``calendar`` (open days, French holidays), ``slots`` (one day's slots, storage
keys, offer window), ``schedule`` (rows, "apply", generation), ``errors``.
"""

from collective.rendezvous.scheduling.calendar import french_holidays
from collective.rendezvous.scheduling.calendar import holiday_key
from collective.rendezvous.scheduling.calendar import holiday_label
from collective.rendezvous.scheduling.calendar import HOLIDAY_LABELS
from collective.rendezvous.scheduling.calendar import OpeningCalendar
from collective.rendezvous.scheduling.calendar import region_holidays
from collective.rendezvous.scheduling.calendar import REGIONS
from collective.rendezvous.scheduling.errors import SchedulingError
from collective.rendezvous.scheduling.ranges import check_ranges
from collective.rendezvous.scheduling.ranges import format_range
from collective.rendezvous.scheduling.ranges import parse_day
from collective.rendezvous.scheduling.ranges import parse_range
from collective.rendezvous.scheduling.ranges import TimeRange
from collective.rendezvous.scheduling.schedule import apply_week
from collective.rendezvous.scheduling.schedule import generate
from collective.rendezvous.scheduling.schedule import generate_keys
from collective.rendezvous.scheduling.schedule import row_for
from collective.rendezvous.scheduling.schedule import ScheduleRow
from collective.rendezvous.scheduling.schedule import validate_rows
from collective.rendezvous.scheduling.schedule import WeekTemplate
from collective.rendezvous.scheduling.slots import day_slot_keys
from collective.rendezvous.scheduling.slots import day_slots
from collective.rendezvous.scheduling.slots import is_offered
from collective.rendezvous.scheduling.slots import offer_window
from collective.rendezvous.scheduling.slots import Slot
from collective.rendezvous.scheduling.slots import slot_from_key
from collective.rendezvous.scheduling.slots import slot_key
from collective.rendezvous.scheduling.slots import wall_instant
from collective.rendezvous.scheduling.units import format_notice
from collective.rendezvous.scheduling.units import Horizon
from collective.rendezvous.scheduling.units import parse_horizon
from collective.rendezvous.scheduling.units import parse_notice
from collective.rendezvous.scheduling.units import validate_duration


__all__ = [
    "HOLIDAY_LABELS",
    "REGIONS",
    "Horizon",
    "OpeningCalendar",
    "ScheduleRow",
    "SchedulingError",
    "Slot",
    "TimeRange",
    "WeekTemplate",
    "apply_week",
    "check_ranges",
    "day_slot_keys",
    "day_slots",
    "format_notice",
    "format_range",
    "french_holidays",
    "generate",
    "generate_keys",
    "holiday_key",
    "holiday_label",
    "is_offered",
    "offer_window",
    "parse_day",
    "parse_horizon",
    "parse_notice",
    "parse_range",
    "region_holidays",
    "row_for",
    "slot_from_key",
    "slot_key",
    "validate_duration",
    "validate_rows",
    "wall_instant",
]
