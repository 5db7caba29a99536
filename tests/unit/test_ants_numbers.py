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


class Kind:
    """An appointment type's ANTS fields."""

    def __init__(self, reason="", options=(), rows=(), requires=True):
        self.ants_reason = reason
        self.options = list(options)
        self.ants_option_reasons = [{"option": o, "reason": r} for o, r in rows]
        self.ants_requires_number = requires


def test_a_type_without_options_serves_its_reason():
    assert numbers.served(Kind("CNI")) == [("CNI", None)]
    assert numbers.served(Kind("")) == []
    assert numbers.reason_of(Kind("PASSPORT"), "anything") == "PASSPORT"


def test_options_mapped_to_reasons():
    kind = Kind(
        "",
        ["CNI", "Passeport", "Retrait"],
        [("CNI", "CNI"), ("Passeport", "PASSPORT"), ("Retrait", "")],
    )
    assert numbers.served(kind) == [("CNI", "CNI"), ("PASSPORT", "Passeport")]
    assert numbers.reason_of(kind, "Passeport") == "PASSPORT"
    assert numbers.requires_numbers(kind)
    assert numbers.requires_numbers(kind, "CNI")
    assert not numbers.requires_numbers(kind, "Retrait")
    assert not numbers.requires_numbers(Kind("CNI", requires=False), "CNI")


def test_unmapped_options_take_the_types_reason():
    kind = Kind("CNI-PASSPORT", ["Passeport", "Autre"], [("Passeport", "PASSPORT")])
    assert numbers.served(kind) == [("PASSPORT", "Passeport"), ("CNI-PASSPORT", None)]
    assert numbers.reason_of(kind, "Autre") == "CNI-PASSPORT"
    # Every option mapped: the type's own reason is not offered on its own.
    kind = Kind("CNI", ["Passeport"], [("Passeport", "PASSPORT")])
    assert numbers.served(kind) == [("PASSPORT", "Passeport")]


def test_rows_of_removed_options_are_ignored():
    kind = Kind("", ["CNI"], [("CNI", "CNI"), ("Permis", "PASSPORT")])
    assert numbers.option_reasons(kind) == {"CNI": "CNI"}
    assert numbers.served(kind) == [("CNI", "CNI")]
