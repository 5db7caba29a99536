"""The keys of the limits against abuse (booking/ratelimit.py), without a site."""

from collective.rendezvous.booking import ratelimit
from unittest import mock

import pytest


@pytest.mark.parametrize(
    ("seen", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        # One IPv6 subscriber holds a /64: one limit for all its addresses.
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("", "unknown"),
    ],
)
def test_client_address(seen, counted):
    request = mock.Mock()
    request.getClientAddr.return_value = seen
    with mock.patch.object(ratelimit, "getRequest", return_value=request):
        assert ratelimit.client_address() == counted


@pytest.mark.parametrize(
    "email", ["jeanne@example.org", "Jeanne@Example.ORG", "jeanne+rdv@example.org"]
)
def test_one_key_per_mailbox(email):
    assert ratelimit.normalise_email(email) == "jeanne@example.org"


def test_keys_are_keyed_hashes():
    first, second = ratelimit.Tables(), ratelimit.Tables()
    key = first.key("email", "jeanne@example.org")
    assert "jeanne" not in key and key.startswith("e")
    assert key == first.key("email", "jeanne@example.org")
    # Another site's secret: another key.
    assert key != second.key("email", "jeanne@example.org")
    assert first.key("phone", "+33612345678").startswith("p")
