"""Small pure parts of the ANTS numbers and declarations (issue 14)."""

from collective.rendezvous.ants import declarations
from collective.rendezvous.ants import numbers

import datetime


def test_split_accepts_lists_and_separators():
    assert numbers.split(" abcde12345,FGHIJ67890; klmno12345 ") == [
        "ABCDE12345",
        "FGHIJ67890",
        "KLMNO12345",
    ]
    assert numbers.split(["abcde12345", "fghij67890"]) == ["ABCDE12345", "FGHIJ67890"]
    assert numbers.split("") == []


def test_the_wait_doubles_up_to_a_cap():
    minutes = [declarations.wait_after(n).total_seconds() / 60 for n in (1, 2, 3, 4)]
    assert minutes == [2, 4, 8, 16]
    assert declarations.wait_after(30) == declarations.MAX_WAIT


def test_dates_compared_as_the_hub_may_write_them():
    assert declarations._same_time("2030-01-02T10:00:00", "2030-01-02 10:00:00")
    assert declarations._same_time("2030-01-02 10:00:00+01:00", "2030-01-02 10:00:00")
    assert not declarations._same_time("2030-01-02 10:20:00", "2030-01-02 10:00:00")


def test_confirmation_flag():
    assert numbers.confirmed("1") and numbers.confirmed("true")
    assert not numbers.confirmed("") and not numbers.confirmed("0")
    assert isinstance(declarations.FIRST_RETRY, datetime.timedelta)
