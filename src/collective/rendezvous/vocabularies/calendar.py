"""Opening-calendar vocabularies: weekdays, holiday regions, holidays (R5, X6)."""

from collective.rendezvous import _
from collective.rendezvous import scheduling
from collective.rendezvous.controlpanels.interfaces import WEEKDAYS
from collective.rendezvous.controlpanels.settings import get_settings
from datetime import date
from plone import api
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


WEEKDAY_TITLES = {
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
}


@provider(IVocabularyFactory)
def weekdays(context=None) -> SimpleVocabulary:
    """The seven weekdays, Monday first; tokens are English keys (``monday``)."""
    return SimpleVocabulary(
        [
            SimpleTerm(value=key, token=key, title=WEEKDAY_TITLES[key])
            for key in WEEKDAYS
        ]
    )


@provider(IVocabularyFactory)
def holiday_regions(context=None) -> SimpleVocabulary:
    """The regions whose public holidays the slot engine knows (scheduling.REGIONS).

    The engine's English labels are the msgids; their French translations are
    in the .po files (no extractor finds them in a dict).
    """
    return SimpleVocabulary(
        [
            SimpleTerm(value=key, token=key, title=_(label))
            for key, label in scheduling.REGIONS.items()
        ]
    )


def configured_region() -> str:
    """The holiday region of the settings (``metropole`` when not installed)."""
    try:
        region = get_settings().holiday_region
    except KeyError:
        region = None
    return region if region in scheduling.REGIONS else "metropole"


def _format_day(day: date) -> str:
    """A date in the user's language, ISO 8601 when Plone cannot format it."""
    try:
        return api.portal.get_localized_time(day) or day.isoformat()
    except Exception:  # no portal or request (scripts): stay readable
        return day.isoformat()


def holidays_terms(region: str, today: date | None = None) -> list[SimpleTerm]:
    """One term per holiday key of a region this year and next year.

    Ordered like the calendar (``scheduling.HOLIDAY_LABELS``), titled with
    the holiday's name and its next date (its last one once both years are
    over, which ``today`` only allows in tests).
    """
    today = today or date.today()
    years = (today.year, today.year + 1)
    dates: dict[str, list[date]] = {}
    for day, keys in scheduling.french_holidays(years, region).items():
        for key in keys:
            dates.setdefault(key, []).append(day)
    terms = []
    for key in scheduling.region_holidays(region, years):
        upcoming = [day for day in dates[key] if day >= today]
        # The engine's English label is the msgid (translated in the .po files).
        name = _(scheduling.holiday_label(key))
        if upcoming:
            title = _(
                "${holiday} (next: ${date})",
                mapping={"holiday": name, "date": _format_day(upcoming[0])},
            )
        else:
            title = _(
                "${holiday} (${date})",
                mapping={"holiday": name, "date": _format_day(dates[key][-1])},
            )
        terms.append(SimpleTerm(value=key, token=key, title=title))
    return terms


def region_holiday_keys(region: str) -> frozenset[str]:
    """The holiday keys a region has this year or next year."""
    today = date.today()
    return frozenset(scheduling.region_holidays(region, (today.year, today.year + 1)))


def keep_region_holidays(keys, region: str) -> list[str]:
    """The holiday keys that are holidays of the region, in their order.

    Applied when the region changes, so that ``holidays_open`` never keeps
    the holidays of the previous region (Good Friday when leaving
    Alsace-Moselle).
    """
    region_keys = region_holiday_keys(region)
    return [key for key in keys or () if key in region_keys]


@provider(IVocabularyFactory)
def holidays(context=None) -> SimpleVocabulary:
    """The public holidays of the configured region (this year and next year).

    Values and tokens are the stable holiday keys of the slot engine
    (``easter_monday``, ``whit_monday``...), what ``holidays_open`` stores. A
    stored key that is not a holiday of the region (the records were written
    directly) is listed too, marked as such, so it can be read and unticked.
    """
    region = configured_region()
    terms = holidays_terms(region)
    known = {term.value for term in terms}
    try:
        stored = get_settings().holidays_open or ()
    except KeyError:
        stored = ()
    for key in stored:
        if key in known:
            continue
        known.add(key)
        title = _(
            "${holiday} (not a public holiday of ${region})",
            mapping={
                "holiday": _(scheduling.holiday_label(key)),
                "region": _(scheduling.REGIONS[region]),
            },
        )
        terms.append(SimpleTerm(value=key, token=key, title=title))
    return SimpleVocabulary(terms)
