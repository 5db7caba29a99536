"""Hostile input on every endpoint of the contract: 4xx with a message, never
5xx, and nothing stored by a refused request (issue 8, item 4)."""

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from test_slots_api import site  # noqa: F401 - fixture

import json


NASTY = st.sampled_from(
    [
        "",
        " ",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "${7*7}",
        "{0}{1}{9}",
        "../../etc/passwd",
        "\x00",
        "\u202e",
        "9h-12h",
        "2026-13-45",
        "2026-12-01T25:00:00+01:00",
        "0" * 32,
        "x" * 5000,
        "-1",
        "1e999",
        "null",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    NASTY,
    st.text(max_size=300),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=8,
)
BOOKING_KEYS = [
    "type",
    "start",
    "counter",
    "place",
    "option",
    "beneficiary",
    "email",
    "phone",
    "partner_type",
    "comment",
    "token",
    "reason",
]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts(manager, site):  # noqa: F811
    folder = site["folder"]["@id"]
    bookings = manager.get(f"{folder}/@bookings").json()["items_total"]
    content = manager.get(
        f"{folder}/@search", params={"path.depth": 5, "b_size": 1}
    ).json()["items_total"]
    return bookings, content


def check(response):
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body.get("message") or body.get("error"), body


@FUZZ
@given(body=st.dictionaries(st.sampled_from(BOOKING_KEYS), VALUES, max_size=8))
def test_post_bookings(site, manager, anonymous, body):  # noqa: F811
    before = counts(manager, site)
    response = anonymous.post(f"{site['folder']['@id']}/@bookings", json=body)
    check(response)
    if response.status_code >= 400:
        assert counts(manager, site) == before


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_post_bookings_raw_body(site, manager, anonymous, raw):  # noqa: F811
    before = counts(manager, site)
    response = anonymous.post(
        f"{site['folder']['@id']}/@bookings",
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    check(response)
    assert counts(manager, site) == before


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["type", "start", "end", "place", "counter", "by"]),
        st.one_of(NASTY, st.text(max_size=50)),
        max_size=6,
    ),
    real_type=st.booleans(),
)
def test_get_slots(site, anonymous, params, real_type):  # noqa: F811
    if real_type:
        params = {**params, "type": site["type"]["UID"]}
    check(anonymous.get(site["slots"], params=params))


@FUZZ
@given(
    code=st.one_of(NASTY, st.text(alphabet="ABCDEFGHJK23456789-", max_size=12)),
    action=st.sampled_from(["cancel", "reschedule", "absent", "attended", "ics", "x"]),
    body=st.dictionaries(st.sampled_from(BOOKING_KEYS), VALUES, max_size=4),
)
def test_booking_actions(site, manager, anonymous, code, action, body):  # noqa: F811
    before = counts(manager, site)
    url = f"{site['folder']['@id']}/@bookings/{code}/{action}"
    check(anonymous.post(url, json=body))
    check(anonymous.get(url, params={"token": json.dumps(body)[:100]}))
    assert counts(manager, site) == before


@FUZZ
@given(
    field=st.sampled_from(
        [
            "title",
            "detail",
            "duration",
            "horizon",
            "min_notice",
            "options",
            "partner_types",
            "services",
            "portal_visible",
            "monday",
            "schedule",
            "closures",
            "appointment_type",
            "address",
        ]
    ),
    value=VALUES,
    portal_type=st.sampled_from(["AppointmentType", "ReferenceWeek", "Place"]),
)
def test_create_content(site, manager, field, value, portal_type):  # noqa: F811
    before = counts(manager, site)
    body = {"@type": portal_type, "title": "Fuzz", field: value}
    if portal_type == "AppointmentType":
        body = {"detail": "d", "duration": 20, "horizon": "2m", **body}
    response = manager.post(site["folder"]["@id"], json=body)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert counts(manager, site) == before
    elif response.status_code == 201:
        manager.delete(response.json()["@id"])


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "open_weekdays",
                "holiday_region",
                "holidays_open",
                "closures",
                "partner_types",
                "service_groups",
                "anonymise_after_months",
                "bookings_per_hour",
                "bookings_per_contact",
            ]
        ),
        VALUES,
        min_size=1,
        max_size=3,
    )
)
def test_patch_settings(site, manager, portal_url, body):  # noqa: F811
    url = f"{portal_url}/@controlpanels/rendezvous"
    before = manager.get(url).json()["data"]
    response = manager.patch(url, json=body)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert manager.get(url).json()["data"] == before
    else:
        manager.patch(url, json={key: before[key] for key in body if key in before})


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(["counter", "start", "end"]), VALUES, max_size=3
    )
)
def test_apply(site, manager, body):  # noqa: F811
    counter = site["counters"][0]["@id"]
    before = manager.get(counter).json()["schedule"]
    response = manager.post(f"{site['week']['@id']}/@apply", json=body)
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert manager.get(counter).json()["schedule"] == before


def test_names_are_escaped_on_pages(site, anonymous):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book
    from test_slots_api import next_weekday

    import requests

    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    booked = book(anonymous, site, at(next_weekday(0), "09:00"), beneficiary=attack)
    assert booked.status_code == 201, booked.text
    page = requests.get(booked.json()["manage_url"], timeout=30)
    assert page.status_code == 200
    assert attack not in page.text
    assert "<img src=x" not in page.text
