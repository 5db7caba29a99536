"""Issue 12.6: a Plone group is an agent only when the settings say so.

The default settings used to make every group but Plone's own a municipal
service, and every service an agent of every type with no services listed:
a member of a "newsletter" group listed every booking with personal data.
"""

from helpers import json_session
from helpers import page_session
from plone import api
from test_agenda import agenda_url
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import pytest
import transaction


PASSWORD = "secret-password"
RECORD = "collective.rendezvous.service_groups"


@pytest.fixture
def reader(site, manager, anonymous, functional_portal):  # noqa: F811
    """A member of a "newsletter" group; a citizen's booking; the type saved
    after the group exists (its counters' agents are computed again)."""
    transaction.abort()  # see what the site fixture created over HTTP
    api.group.create(groupname="newsletter", title="Newsletter")
    api.user.create(email="reader@example.org", username="reader", password=PASSWORD)
    api.group.add_user(groupname="newsletter", username="reader")
    transaction.commit()
    booked = book(
        anonymous,
        site,
        at(next_weekday(0), "09:00"),
        counter=site["counters"][0]["UID"],  # the agenda looked at
    )
    assert booked.status_code == 201, booked.text
    save_type(manager, site)
    return booked.json()


def save_type(manager, site, **changes):  # noqa: F811
    response = manager.patch(site["type"]["@id"], json={"title": "CNI", **changes})
    assert response.status_code == 204, response.text


def set_services(*groups):
    transaction.abort()
    api.portal.set_registry_record(RECORD, list(groups))
    transaction.commit()


def sees(site, booking) -> dict:  # noqa: F811
    """What the reader gets: the bookings list, the booking, the agenda."""
    with json_session("reader", PASSWORD) as session:
        listing = session.get(f"{site['folder']['@id']}/@bookings")
        assert listing.status_code == 200, listing.text
        one = session.get(booking["@id"])
    with page_session("reader", PASSWORD) as pages:
        agenda = pages.get(agenda_url(site["counters"][0], next_weekday(0)))
    return {
        "listed": [item["code"] for item in listing.json()["items"]],
        "booking": one.status_code,
        "agenda": agenda.status_code,
        "name_on_agenda": booking["beneficiary"] in agenda.text,
    }


def test_default_settings_make_no_agent(site, reader):  # noqa: F811
    seen = sees(site, reader)
    assert seen["listed"] == []
    assert seen["booking"] in (401, 403, 404)
    assert seen["agenda"] in (401, 403)
    assert not seen["name_on_agenda"]


def test_a_service_is_no_agent_of_a_type_naming_none(site, manager, reader):  # noqa: F811
    set_services("newsletter")  # the counters' agents are computed again
    save_type(manager, site)
    seen = sees(site, reader)
    assert seen["listed"] == []
    assert seen["agenda"] in (401, 403)


def test_agent_only_while_named_by_type_and_settings(site, manager, reader):  # noqa: F811
    set_services("newsletter")
    save_type(manager, site, services=["newsletter"])
    seen = sees(site, reader)
    assert seen["listed"] == [reader["code"]]
    assert seen["booking"] == 200
    assert seen["agenda"] == 200 and seen["name_on_agenda"]
    # Taken out of the services: no longer an agent, at once.
    set_services()
    seen = sees(site, reader)
    assert seen["listed"] == []
    assert seen["agenda"] in (401, 403)
