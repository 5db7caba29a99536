"""The ANTS helpers without a site: the hub's URL, its token, the numbers."""

from collective.rendezvous.ants import hub
from collective.rendezvous.ants import settings

import hashlib
import pytest


@pytest.fixture
def records(monkeypatch):
    values = {}
    monkeypatch.setattr(
        settings, "record", lambda name, default=None: values.get(name, default)
    )
    return values


@pytest.mark.parametrize(
    "environment, url",
    [
        ("production", "https://api-coordination.rendezvouspasseport.ants.gouv.fr/api"),
        (
            "integration",
            "https://int.api-coordination.rendezvouspasseport.ants.gouv.fr/api",
        ),
        (None, "https://int.api-coordination.rendezvouspasseport.ants.gouv.fr/api"),
        ("custom", "http://127.0.0.1:8999/api"),
    ],
)
def test_api_url(records, environment, url):
    records["ants_environment"] = environment
    records["ants_custom_url"] = "http://127.0.0.1:8999/api/"
    assert settings.api_url() == url


def test_hub_allowed(records):
    records["ants_hub_token_hash"] = hashlib.sha256(b"secret").hexdigest()
    assert not settings.hub_allowed("secret")  # ANTS off
    records["ants_enabled"] = True
    assert settings.hub_allowed("secret")
    assert not settings.hub_allowed("secret2")
    assert not settings.hub_allowed("")
    assert not settings.hub_allowed(None)
    records["ants_hub_token_hash"] = ""
    assert not settings.hub_allowed("")


def test_application_ids():
    assert hub.application_ids(
        ["abcde12345, FGHIJ67890;KLMNO11111", "PQRST22222 UVWXY33333", "ABCDE12345"]
    ) == ["ABCDE12345", "FGHIJ67890", "KLMNO11111", "PQRST22222", "UVWXY33333"]
    assert hub.application_ids(["A1B2C3D4E5:F6G7H8I9J0/K1L2M3N4O5.P6Q7R8S9T0"]) == [
        "A1B2C3D4E5",
        "F6G7H8I9J0",
        "K1L2M3N4O5",
        "P6Q7R8S9T0",
    ]
    # "-" separates numbers: a number cut in two is two bad numbers.
    with pytest.raises(ValueError):
        hub.application_ids(["AAAAA-11111"])
    with pytest.raises(ValueError):
        hub.application_ids(["ABCDE1234"])
    with pytest.raises(ValueError):
        hub.application_ids(["ABCDE12345É"])


def test_free_of_is_free_starts():
    """The bisecting free_of answers like DaySlots.free_starts, also for
    bookings of several slots and intervals off the slots' grid."""
    from collective.rendezvous.slots.store import DaySlots

    import random

    generator = random.Random(14)
    for _n in range(300):
        starts = tuple(600 + 20 * k for k in range(12))
        record = DaySlots(starts, 20)
        for _t in range(generator.randint(0, 4)):
            start = generator.choice(starts) + generator.choice((0, 0, 5, -5))
            record.take(start, start + 20 * generator.randint(1, 3), "b")
        assert list(hub.free_of(record)) == record.free_starts()
        assert list(hub.block_starts(record, 1, 0, 10**9)) == record.free_starts()
    unsorted = DaySlots((640, 600, 620), 20)
    unsorted.take(600, 620, "b")
    assert list(hub.free_of(unsorted)) == [640, 620]
