"""Opening days (R5, X6, X7): open weekdays, French public holidays, closures.

Holidays come from the ``holidays`` package (``holidays.France``), asked for in
French, its source language, whose names are the package's own message ids and
so the least likely to change. Each name is turned into a stable key such as
``easter_monday`` by ``holiday_key``; the "kept open" choices are stored as
these keys, which stay the same from one year to the next. Two holidays can
fall on one date (Ascension was on 1 May in 2008), so a date maps to a tuple of
keys and is closed unless every one of them is kept open.
"""

from collections.abc import Iterable
from collective.rendezvous.scheduling.errors import SchedulingError
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from functools import lru_cache

import holidays
import re
import unicodedata


# Stable region key -> English label; the keys are what the settings store.
REGIONS: dict[str, str] = {
    "metropole": "Metropolitan France",
    "alsace-moselle": "Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle)",
    "guadeloupe": "Guadeloupe",
    "martinique": "Martinique",
    "guyane": "French Guiana",
    "reunion": "La Réunion",
    "mayotte": "Mayotte",
}

# Region key -> subdivision code of holidays.France (Alsace "6AE" and Moselle
# "57" have the same public holidays).
_SUBDIVISIONS: dict[str, str | None] = {
    "metropole": None,
    "alsace-moselle": "6AE",
    "guadeloupe": "971",
    "martinique": "972",
    "guyane": "973",
    "reunion": "974",
    "mayotte": "976",
}

# Stable holiday key -> English label, for the holidays of REGIONS.
HOLIDAY_LABELS: dict[str, str] = {
    "new_year": "New Year's Day",
    "mid_lent": "Mid-Lent",
    "good_friday": "Good Friday",
    "easter_monday": "Easter Monday",
    "labour_day": "Labour Day",
    "victory_day": "Victory in Europe Day",
    "ascension_day": "Ascension Day",
    "whit_monday": "Whit Monday",
    "abolition_of_slavery": "Abolition of Slavery",
    "national_day": "Bastille Day",
    "victor_schoelcher_day": "Victor Schœlcher Day",
    "assumption_day": "Assumption Day",
    "all_saints_day": "All Saints' Day",
    "armistice_day": "Armistice Day",
    "christmas_day": "Christmas Day",
    "saint_stephens_day": "Saint Stephen's Day",
}

# French name given by holidays.France -> stable key.
_KEYS_BY_NAME: dict[str, str] = {
    "Jour de l'an": "new_year",
    "Mi-Carême": "mid_lent",
    "Vendredi saint": "good_friday",
    "Lundi de Pâques": "easter_monday",
    "Fête du Travail": "labour_day",
    "Fête du Travail et de la Concorde sociale": "labour_day",
    "1er mai": "labour_day",
    "Fête de la Victoire": "victory_day",
    "Ascension": "ascension_day",
    "Lundi de Pentecôte": "whit_monday",
    "Abolition de l'esclavage": "abolition_of_slavery",
    "Fête nationale": "national_day",
    "Fête de Victor Schoelcher": "victor_schoelcher_day",
    "Assomption": "assumption_day",
    "Toussaint": "all_saints_day",
    "Armistice": "armistice_day",
    "Noël": "christmas_day",
    "Saint-Étienne": "saint_stephens_day",
}


def _check_region(region: str) -> str | None:
    """Return the holidays.France subdivision of a region key, or raise."""
    try:
        return _SUBDIVISIONS[region]
    except KeyError:
        raise SchedulingError(
            "region_unknown",
            '"${value}" is not a known holiday region; choose one of: ${regions}.',
            value=region,
            regions=", ".join(REGIONS),
        ) from None


def holiday_key(name: str) -> str:
    """Return the stable key of a holiday from its French name in ``holidays``.

    A name this module does not know yet (a newer ``holidays`` release) gets
    a key made from the name itself, so it is still closed by default and can
    still be kept open.
    """
    try:
        return _KEYS_BY_NAME[name]
    except KeyError:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
        return re.sub(r"[^a-z0-9]+", "_", ascii_name.decode().lower()).strip("_")


def holiday_label(key: str) -> str:
    """Return the English label of a holiday key (the key itself if unknown)."""
    return HOLIDAY_LABELS.get(key, key.replace("_", " ").capitalize())


@lru_cache(maxsize=512)
def _year_holidays(year: int, region: str) -> dict[date, tuple[str, ...]]:
    """Return the holiday keys of one year and region by date (cached)."""
    calendar = holidays.France(years=year, subdiv=_check_region(region), language="fr")
    return {
        day: tuple(sorted({holiday_key(name) for name in calendar.get_list(day)}))
        for day in calendar
    }


def french_holidays(years: Iterable[int], region: str) -> dict[date, tuple[str, ...]]:
    """Return the public holidays of a region by date, as tuples of holiday keys."""
    _check_region(region)
    result: dict[date, tuple[str, ...]] = {}
    for year in sorted(set(years)):
        result.update(_year_holidays(year, region))
    return dict(sorted(result.items()))


def region_holidays(region: str, years: Iterable[int] | None = None) -> dict[str, str]:
    """Return key -> English label of the holidays a region has in some years.

    This is what the "holidays kept open" choice lists; by default it looks at
    this year and the next.
    """
    if years is None:
        this_year = date.today().year
        years = (this_year, this_year + 1)
    keys = {key for keys in french_holidays(years, region).values() for key in keys}
    order = list(HOLIDAY_LABELS)
    ordered = sorted(keys, key=lambda k: (order.index(k) if k in order else 99, k))
    return {key: holiday_label(key) for key in ordered}


@dataclass(frozen=True)
class OpeningCalendar:
    """The days a counter is open: weekdays, holidays kept open, closure dates.

    ``closures`` is the union of the global, place and counter closures,
    computed by the caller.
    """

    open_weekdays: frozenset[int] = frozenset(range(5))
    region: str = "metropole"
    holidays_open: frozenset[str] = field(default_factory=frozenset)
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Accept any iterable from the caller but keep the dataclass hashable.
        for name in ("open_weekdays", "holidays_open", "closures"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if not self.open_weekdays <= set(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6: {self.open_weekdays}")
        _check_region(self.region)

    def holidays_on(self, day: date) -> tuple[str, ...]:
        """Return the keys of the public holidays on a date (empty if none)."""
        return _year_holidays(day.year, self.region).get(day, ())

    def is_open(self, day: date) -> bool:
        """Tell whether the counter opens on that date."""
        if day.weekday() not in self.open_weekdays or day in self.closures:
            return False
        return all(key in self.holidays_open for key in self.holidays_on(day))

    def open_days(self, first: date, last: date) -> list[date]:
        """Return the open dates from first to last, both included."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if self.is_open(day)]
