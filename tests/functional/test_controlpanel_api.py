"""``@controlpanels/rendezvous`` over real HTTP: GET, PATCH, refusals change nothing."""

from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import pytest
import requests
import transaction


@pytest.fixture
def panel_url(functional_portal):
    return f"{functional_portal.absolute_url()}/@controlpanels/rendezvous"


@pytest.fixture
def session():
    with requests.Session() as session:
        session.auth = (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        session.headers["Accept"] = "application/json"
        yield session


def data_of(session, panel_url):
    response = session.get(panel_url, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def tokens(value):
    """The tokens of a serialized choice or list of choices."""
    if isinstance(value, list):
        return [item["token"] for item in value]
    return value["token"]


def test_get(session, panel_url):
    response = session.get(panel_url, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@id"] == panel_url
    assert body["title"] == "Rendez-vous"
    data = body["data"]
    assert tokens(data["open_weekdays"]) == [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
    ]
    assert tokens(data["holiday_region"]) == "metropole"
    assert data["holidays_open"] == []
    assert data["closures"] == []
    assert [row["id"] for row in data["partner_types"]] == [
        "particulier",
        "professionnel",
        "association",
        "administration",
    ]
    assert data["service_groups"] == []
    properties = body["schema"]["properties"]
    # Every setting is in the data but the write-only tokens (SMS, ANTS).
    assert set(properties) == set(data) | {
        "sms_gateway_token",
        "ants_hub_token_hash",
        "ants_token",
    }
    assert properties["open_weekdays"]["items"]["vocabulary"]["@id"].endswith(
        "@vocabularies/collective.rendezvous.Weekdays"
    )
    assert set(properties["closures"]["items"]["properties"]) == {
        "start",
        "end",
        "label",
    }


def test_listed_among_the_control_panels(session, functional_portal):
    url = f"{functional_portal.absolute_url()}/@controlpanels"
    response = session.get(url, timeout=30)
    assert response.status_code == 200, response.text
    ids = [panel["@id"] for panel in response.json()]
    assert f"{url}/rendezvous" in ids


def test_anonymous_is_refused(functional_portal, panel_url):
    response = requests.get(
        panel_url, headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 401
    response = requests.patch(
        panel_url,
        json={"open_weekdays": []},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code == 401


def test_patch(session, panel_url):
    response = session.patch(
        panel_url,
        json={
            "open_weekdays": ["monday", "saturday"],
            "holiday_region": "alsace-moselle",
            # Good Friday is a holiday of the region set in the same PATCH.
            "holidays_open": ["good_friday", "whit_monday"],
            "closures": [
                {"start": "2026-12-24", "end": "2026-12-26", "label": "Noël"},
                {"start": "2027-01-02", "end": "2027-01-02"},
            ],
            "partner_types": [
                {"id": "particulier", "title": "Particulier"},
                {"id": "ecole", "title": "École"},
            ],
            "service_groups": ["Reviewers"],
        },
        timeout=30,
    )
    assert response.status_code == 204, response.text
    data = data_of(session, panel_url)
    assert tokens(data["open_weekdays"]) == ["monday", "saturday"]
    assert tokens(data["holiday_region"]) == "alsace-moselle"
    assert tokens(data["holidays_open"]) == ["good_friday", "whit_monday"]
    assert data["closures"] == [
        {"start": "2026-12-24", "end": "2026-12-26", "label": "Noël"},
        {"start": "2027-01-02", "end": "2027-01-02", "label": ""},
    ]
    assert data["partner_types"] == [
        {"id": "particulier", "title": "Particulier"},
        {"id": "ecole", "title": "École"},
    ]
    assert tokens(data["service_groups"]) == ["Reviewers"]


def test_patch_back_what_get_gives(session, panel_url):
    """A front end sends back the serialized values (choices as objects)."""
    data = data_of(session, panel_url)
    response = session.patch(panel_url, json=data, timeout=30)
    assert response.status_code == 204, response.text
    assert data_of(session, panel_url) == data


def test_patch_one_field_keeps_the_others(session, panel_url):
    before = data_of(session, panel_url)
    response = session.patch(panel_url, json={"holidays_open": ["easter_monday"]})
    assert response.status_code == 204, response.text
    after = data_of(session, panel_url)
    assert tokens(after["holidays_open"]) == ["easter_monday"]
    del before["holidays_open"], after["holidays_open"]
    assert after == before


def test_changing_the_region_drops_its_holidays(session, panel_url):
    response = session.patch(
        panel_url,
        json={
            "holiday_region": "alsace-moselle",
            "holidays_open": ["good_friday", "easter_monday"],
        },
    )
    assert response.status_code == 204, response.text
    response = session.patch(panel_url, json={"holiday_region": "metropole"})
    assert response.status_code == 204, response.text
    assert tokens(data_of(session, panel_url)["holidays_open"]) == ["easter_monday"]


@pytest.mark.parametrize(
    "payload,field,message",
    [
        (
            {"open_weekdays": ["funday"]},
            "open_weekdays",
            '"funday" is not a choice of "Open weekdays"; choose among: monday, ',
        ),
        (
            {"open_weekdays": "monday"},
            "open_weekdays",
            '"Open weekdays" must be a list.',
        ),
        (
            {"holiday_region": "mars"},
            "holiday_region",
            '"mars" is not a choice of "Public holiday calendar"',
        ),
        (
            {"holiday_region": None},
            "holiday_region",
            '"Public holiday calendar" is required.',
        ),
        (
            # Not a holiday of metropolitan France.
            {"holidays_open": ["good_friday"]},
            "holidays_open",
            '"good_friday" is not a choice of "Public holidays kept open"',
        ),
        (
            {
                "closures": [
                    {"start": "2026-12-24", "end": "2026-12-20", "label": "Noël"}
                ]
            },
            "closures",
            "Closure 1 (Noël): the last date 2026-12-20 is before the first date "
            "2026-12-24.",
        ),
        (
            {
                "closures": [
                    {"start": "2026-11-11", "end": "2026-11-11"},
                    {"start": "2026-12-24", "end": "2026-12-20"},
                ]
            },
            "closures",
            "Closure 2: the last date 2026-12-20 is before the first date 2026-12-24.",
        ),
        (
            {"closures": [{"start": "24/12/2026", "end": "2026-12-26"}]},
            "closures",
            'Closure 1, "First day": "24/12/2026" is not a date; write it YYYY-MM-DD.',
        ),
        (
            {"closures": [{"start": "2026-12-24"}]},
            "closures",
            'Closure 1: "Last day (included)" is missing.',
        ),
        (
            {"closures": [{"start": "2026-12-24", "end": "2026-12-24", "why": "x"}]},
            "closures",
            'Closure 1: unknown column "why"; the columns are: start, end, label.',
        ),
        (
            {"closures": "2026-12-24"},
            "closures",
            '"Exceptional closures" must be a list.',
        ),
        (
            {"partner_types": [{"id": "Pro", "title": "Professionnel"}]},
            "partner_types",
            'Partner type 1, "Id": The id "Pro" may only contain lowercase letters',
        ),
        (
            {
                "partner_types": [
                    {"id": "pro", "title": "Professionnel"},
                    {"id": "pro", "title": "Pro"},
                ]
            },
            "partner_types",
            'Partner type 2: the id "pro" is already used by partner type 1.',
        ),
        (
            {"partner_types": [{"id": "pro"}]},
            "partner_types",
            'Partner type 1: "Title" is missing.',
        ),
        (
            {"service_groups": ["no-such-group"]},
            "service_groups",
            '"no-such-group" is not a choice of "Municipal services"',
        ),
        (
            {"open_weekday": ["monday"]},
            "open_weekday",
            'Unknown setting "open_weekday"; the settings are: open_weekdays, ',
        ),
    ],
)
def test_patch_refused(session, panel_url, payload, field, message):
    before = data_of(session, panel_url)
    response = session.patch(panel_url, json=payload, timeout=30)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "BadRequest"
    assert f"'field': '{field}'" in body["message"]
    assert message in body["message"]
    assert data_of(session, panel_url) == before


def test_one_refused_value_stores_nothing(session, panel_url):
    before = data_of(session, panel_url)
    response = session.patch(
        panel_url,
        json={
            "open_weekdays": ["saturday"],
            "closures": [{"start": "2026-12-24", "end": "2026-12-20"}],
        },
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert data_of(session, panel_url) == before


def test_messages_are_translated(session, panel_url):
    api.portal.set_registry_record("plone.available_languages", ["en", "fr"])
    api.portal.set_registry_record("plone.use_request_negotiation", True)
    transaction.commit()
    response = session.patch(
        panel_url,
        json={"closures": [{"start": "2026-12-24", "end": "2026-12-20"}]},
        headers={"Accept-Language": "fr"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert (
        "Fermeture 1 : le dernier jour 2026-12-20 est avant le premier jour "
        "2026-12-24." in response.json()["message"]
    )
