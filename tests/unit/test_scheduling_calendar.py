"""Tests of opening days: weekdays, French public holidays, closures (R5, X6, X7)."""

from collective.rendezvous.scheduling import french_holidays
from collective.rendezvous.scheduling import holiday_key
from collective.rendezvous.scheduling import holiday_label
from collective.rendezvous.scheduling import HOLIDAY_LABELS
from collective.rendezvous.scheduling import OpeningCalendar
from collective.rendezvous.scheduling import region_holidays
from collective.rendezvous.scheduling import REGIONS
from collective.rendezvous.scheduling import SchedulingError
from datetime import date

import pytest


EASTER_MONDAY_2027 = date(2027, 3, 29)
WHIT_MONDAY_2027 = date(2027, 5, 17)
GOOD_FRIDAY_2027 = date(2027, 3, 26)
CHRISTMAS_2026 = date(2026, 12, 25)
SAINT_STEPHEN_2026 = date(2026, 12, 26)
A_MONDAY = date(2027, 1, 4)


def test_regions_are_the_supported_ones() -> None:
    assert set(REGIONS) == {
        "metropole",
        "alsace-moselle",
        "guadeloupe",
        "martinique",
        "guyane",
        "reunion",
        "mayotte",
    }


def test_metropole_holidays_2027() -> None:
    found = french_holidays([2027], "metropole")
    assert found == {
        date(2027, 1, 1): ("new_year",),
        EASTER_MONDAY_2027: ("easter_monday",),
        date(2027, 5, 1): ("labour_day",),
        date(2027, 5, 6): ("ascension_day",),
        date(2027, 5, 8): ("victory_day",),
        WHIT_MONDAY_2027: ("whit_monday",),
        date(2027, 7, 14): ("national_day",),
        date(2027, 8, 15): ("assumption_day",),
        date(2027, 11, 1): ("all_saints_day",),
        date(2027, 11, 11): ("armistice_day",),
        date(2027, 12, 25): ("christmas_day",),
    }


def test_alsace_moselle_adds_good_friday_and_saint_stephen() -> None:
    found = french_holidays([2026, 2027], "alsace-moselle")
    assert found[GOOD_FRIDAY_2027] == ("good_friday",)
    assert found[SAINT_STEPHEN_2026] == ("saint_stephens_day",)
    assert found[EASTER_MONDAY_2027] == ("easter_monday",)
    metropole = french_holidays([2026, 2027], "metropole")
    assert GOOD_FRIDAY_2027 not in metropole
    assert SAINT_STEPHEN_2026 not in metropole
    assert set(found) - set(metropole) == {
        date(2026, 4, 3),
        GOOD_FRIDAY_2027,
        SAINT_STEPHEN_2026,
        date(2027, 12, 26),
    }


@pytest.mark.parametrize(
    ("region", "day"),
    [
        ("guadeloupe", date(2027, 5, 27)),
        ("martinique", date(2027, 5, 22)),
        ("guyane", date(2027, 6, 10)),
        ("reunion", date(2027, 12, 20)),
        ("mayotte", date(2027, 4, 27)),
    ],
)
def test_overseas_departments_have_their_abolition_day(region: str, day: date) -> None:
    found = french_holidays([2027], region)
    assert found[day] == ("abolition_of_slavery",)
    assert day not in french_holidays([2027], "metropole")
    assert found[date(2027, 7, 14)] == ("national_day",)


def test_every_holiday_of_every_region_has_a_known_key() -> None:
    for region in REGIONS:
        for keys in french_holidays(range(2020, 2031), region).values():
            assert set(keys) <= set(HOLIDAY_LABELS), (region, keys)


def test_two_holidays_on_one_date_give_both_keys() -> None:
    # Ascension fell on 1 May in 2008.
    assert french_holidays([2008], "metropole")[date(2008, 5, 1)] == (
        "ascension_day",
        "labour_day",
    )


def test_holiday_key_is_stable_and_made_up_for_unknown_names() -> None:
    assert holiday_key("Lundi de Pâques") == "easter_monday"
    assert holiday_key("Lundi de Pentecôte") == "whit_monday"
    assert holiday_key("Fête de l'Été Indien") == "fete_de_l_ete_indien"


def test_holiday_label() -> None:
    assert holiday_label("easter_monday") == "Easter Monday"
    assert holiday_label("fete_de_l_ete_indien") == "Fete de l ete indien"


def test_region_holidays_lists_keys_with_labels_in_calendar_order() -> None:
    found = region_holidays("alsace-moselle", [2027])
    assert list(found)[:4] == ["new_year", "good_friday", "easter_monday", "labour_day"]
    assert found["saint_stephens_day"] == "Saint Stephen's Day"
    assert "good_friday" not in region_holidays("metropole", [2027])
    assert "whit_monday" in region_holidays("metropole")


def test_unknown_region_is_refused() -> None:
    with pytest.raises(SchedulingError) as info:
        french_holidays([2027], "atlantis")
    assert info.value.msgid == "region_unknown"
    assert '"atlantis"' in str(info.value)
    assert "metropole" in str(info.value)
    with pytest.raises(SchedulingError):
        OpeningCalendar(region="atlantis")


def test_calendar_closes_holidays_by_default() -> None:
    calendar = OpeningCalendar()
    assert calendar.is_open(A_MONDAY)
    assert not calendar.is_open(EASTER_MONDAY_2027)
    assert not calendar.is_open(WHIT_MONDAY_2027)
    assert not calendar.is_open(CHRISTMAS_2026)
    assert calendar.holidays_on(EASTER_MONDAY_2027) == ("easter_monday",)
    assert calendar.holidays_on(A_MONDAY) == ()


def test_calendar_opens_the_holidays_kept_open() -> None:
    calendar = OpeningCalendar(
        holidays_open=frozenset({"easter_monday", "whit_monday"})
    )
    assert calendar.is_open(EASTER_MONDAY_2027)
    assert calendar.is_open(WHIT_MONDAY_2027)
    assert calendar.is_open(date(2026, 4, 6))  # the key holds for every year
    assert not calendar.is_open(CHRISTMAS_2026)


def test_a_date_with_two_holidays_opens_only_if_both_are_kept_open() -> None:
    thursday = date(2008, 5, 1)
    assert not OpeningCalendar(holidays_open={"ascension_day"}).is_open(thursday)
    both = OpeningCalendar(holidays_open={"ascension_day", "labour_day"})
    assert both.is_open(thursday)


def test_alsace_moselle_calendar() -> None:
    alsace = OpeningCalendar(open_weekdays=range(7), region="alsace-moselle")
    metropole = OpeningCalendar(open_weekdays=range(7), region="metropole")
    for day in (GOOD_FRIDAY_2027, SAINT_STEPHEN_2026):
        assert not alsace.is_open(day)
        assert metropole.is_open(day)
    assert not alsace.is_open(EASTER_MONDAY_2027)


def test_calendar_closes_weekdays_not_open() -> None:
    calendar = OpeningCalendar(open_weekdays=frozenset({0, 2}))
    assert calendar.is_open(date(2027, 1, 4))  # Monday
    assert not calendar.is_open(date(2027, 1, 5))  # Tuesday
    assert calendar.is_open(date(2027, 1, 6))  # Wednesday
    assert not calendar.is_open(date(2027, 1, 9))  # Saturday
    assert not OpeningCalendar().is_open(date(2027, 1, 10))  # Sunday


def test_calendar_closes_closure_dates() -> None:
    calendar = OpeningCalendar(closures=frozenset({date(2027, 1, 5)}))
    assert not calendar.is_open(date(2027, 1, 5))
    assert calendar.is_open(date(2027, 1, 6))


def test_calendar_accepts_any_iterable_and_stays_hashable() -> None:
    calendar = OpeningCalendar(
        open_weekdays=[0, 1], holidays_open=["easter_monday"], closures=[A_MONDAY]
    )
    assert calendar.open_weekdays == frozenset({0, 1})
    assert calendar == OpeningCalendar(
        open_weekdays={1, 0}, holidays_open={"easter_monday"}, closures={A_MONDAY}
    )
    assert hash(calendar)


def test_calendar_refuses_weekdays_beyond_sunday() -> None:
    with pytest.raises(ValueError):
        OpeningCalendar(open_weekdays={7})


def test_open_days() -> None:
    calendar = OpeningCalendar(closures={date(2027, 3, 24)})
    assert calendar.open_days(date(2027, 3, 22), date(2027, 3, 30)) == [
        date(2027, 3, 22),
        date(2027, 3, 23),
        date(2027, 3, 25),
        date(2027, 3, 26),
        date(2027, 3, 30),
    ]
