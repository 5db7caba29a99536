"""Hostile input on every form of the pages: never a 5xx, nothing stored by a
refused post (issue 8, item 4). The REST endpoints are in test_fuzz.py.

Each test posts (and gets) random form data to one page, as a browser
would: strings, repeated keys, huge and hostile texts, impossible dates. To
reach past the first checks, some examples carry real identifiers (the
type, the place, a free slot, the page's CSRF token); the values that could
make a valid request are never all real at once, except on the citizens'
form, where a valid booking (a redirect to its page) is allowed and then
cancelled.
"""

from helpers import cancel_on_private_page
from helpers import json_session
from helpers import owner_page_session
from helpers import page_session
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import authenticator
from test_agenda import PASSWORD
from test_fuzz import NASTY
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import pytest
import requests


TEXT = st.one_of(NASTY, st.text(max_size=200))
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form(keys, **kwargs):
    return st.dictionaries(st.sampled_from(keys), VALUE, max_size=len(keys), **kwargs)


def booking_count(site):  # noqa: F811
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD

    with json_session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD) as manager:
        response = manager.get(f"{site['folder']['@id']}/@bookings")
        return response.json()["items_total"]


SERVER_ERRORS = []


@pytest.fixture(autouse=True)
def server_errors():
    """The tracebacks of the server's failures (it runs in this process)."""
    from zope.component import getGlobalSiteManager
    from ZPublisher.interfaces import IPubFailure

    import traceback

    def record(event):
        SERVER_ERRORS.append("".join(traceback.format_exception(*event.exc_info)))

    manager = getGlobalSiteManager()
    manager.registerHandler(record, (IPubFailure,))
    yield
    manager.unregisterHandler(record, (IPubFailure,))
    SERVER_ERRORS.clear()


def check(response):
    last = SERVER_ERRORS[-1][-3000:] if SERVER_ERRORS else ""
    assert response.status_code < 500, (response.status_code, last)


def free_slot(site):  # noqa: F811
    day = next_weekday(3)
    items = requests.get(
        site["slots"],
        params={
            "type": site["type"]["UID"],
            "start": day.isoformat(),
            "end": day.isoformat(),
        },
        headers={"Accept": "application/json"},
        timeout=30,
    ).json()["items"]
    return items[-1]["start"]


CITIZEN_KEYS = [
    "appointment_type",
    "option",
    "place",
    "month",
    "day",
    "slot",
    "move",
    "token",
    "beneficiary",
    "email",
    "phone",
    "partner_type",
    "comment",
    "consent",
    "website",
]


@FUZZ
@given(
    data=form(CITIZEN_KEYS), real=st.sets(st.sampled_from(["type", "place", "slot"]))
)
def test_citizen_form(site, data, real):  # noqa: F811
    if "type" in real:
        data["appointment_type"] = site["type"]["UID"]
    if "place" in real:
        data["place"] = site["place"]["UID"]
    if "slot" in real:
        data["slot"] = free_slot(site)
    url = f"{site['folder']['@id']}/rendezvous-view"
    check(requests.get(url, params=data, timeout=30))
    before = booking_count(site)
    response = requests.post(url, data=data, allow_redirects=False, timeout=30)
    check(response)
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "new=1" in location:
        # Random but valid: a booking was made; cancel it for the next ones.
        page = requests.get(location, timeout=30)
        assert page.status_code == 200
        query = location.split("?", 1)[1]
        cancelled = cancel_on_private_page(
            requests,
            f"{site['folder']['@id']}/rendezvous-manage?{query}",
            allow_redirects=False,
            timeout=30,
        )
        assert cancelled.status_code == 302
    else:
        assert booking_count(site) == before


@FUZZ
@given(data=form(["code", "token", "cancel"]))
def test_citizen_private_page(site, data):  # noqa: F811
    url = f"{site['folder']['@id']}/rendezvous-manage"
    before = booking_count(site)
    check(requests.get(url, params=data, timeout=30))
    check(requests.post(url, data=data, allow_redirects=False, timeout=30))
    assert booking_count(site) == before


@FUZZ
@given(
    data=form(["date", "view", "booking", "action", "reason", "came_from"]),
    csrf=st.booleans(),
    where=st.sampled_from(["counter", "place"]),
)
def test_agenda_forms(site, agents, data, csrf, where):  # noqa: F811
    obj = site["counters"][0] if where == "counter" else site["place"]
    url = f"{obj['@id']}/@@rendezvous-agenda"
    with page_session("agent_a", PASSWORD) as agent:
        check(agent.get(url, params=data))
        if csrf:
            data["_authenticator"] = authenticator(agent.get(url).text)
        before = booking_count(site)
        check(agent.post(url, data=data, allow_redirects=False))
        assert booking_count(site) == before


@FUZZ
@given(
    data=form(
        [
            "start",
            "slot",
            "beneficiary",
            "email",
            "phone",
            "option",
            "partner_type",
            "comment",
            "submit",
            "came_from",
        ]
    ),
    csrf=st.booleans(),
    real_start=st.booleans(),
)
def test_book_for_form(site, agents, manager, data, csrf, real_start):  # noqa: F811
    url = f"{site['counters'][0]['@id']}/@@rendezvous-book-for"
    with page_session("agent_a", PASSWORD) as agent:
        check(agent.get(url, params=data))
        if real_start:
            data["start"] = free_slot(site)
        if csrf:
            page = agent.get(url, params={"start": free_slot(site)})
            data["_authenticator"] = authenticator(page.text)
        data["submit"] = "1"
        before = booking_count(site)
        response = agent.post(url, data=data, allow_redirects=False)
        check(response)
    if response.status_code == 302:
        # Random but valid (a real slot, a plausible name): one booking more;
        # cancel it for the next examples.
        assert real_start and csrf
        assert booking_count(site) == before + 1
        listing = manager.get(
            f"{site['folder']['@id']}/@bookings", params={"state": "booked"}
        ).json()["items"]
        for item in listing:
            manager.post(f"{item['@id']}/cancel", json={})
    else:
        assert booking_count(site) == before


@FUZZ
@given(
    data=form(["start", "end", "separator", "key", "regenerate"]),
    where=st.sampled_from(["folder", "place", "counter"]),
)
def test_export_and_feed(site, agents, data, where):  # noqa: F811
    obj = site["counters"][0] if where == "counter" else site[where]
    with page_session("agent_a", PASSWORD) as agent:
        check(agent.get(f"{obj['@id']}/@@rendezvous-export.csv", params=data))
        counter = site["counters"][0]["@id"]
        check(agent.post(f"{counter}/@@rendezvous-feed", data=data))
    response = requests.get(
        f"{site['counters'][0]['@id']}/@@rendezvous-feed.ics", params=data, timeout=30
    )
    check(response)
    assert response.status_code == 403


@FUZZ
@given(data=form(["form.widgets.counter", "form.widgets.start", "form.widgets.end"]))
def test_apply_week_form(site, manager, data):  # noqa: F811
    url = f"{site['week']['@id']}/@@apply-week"
    counter = site["counters"][0]["@id"]
    before = manager.get(counter).json()["schedule"]
    with owner_page_session() as session:
        data["_authenticator"] = authenticator(session.get(url).text)
        data["form.buttons.apply"] = "Apply"
        response = session.post(url, data=data, allow_redirects=False)
    check(response)
    if response.status_code != 302:
        assert manager.get(counter).json()["schedule"] == before


# -- Plone's edit forms of the add-on's content, and its control panel ----------

EDIT_FORMS = {
    "counter": [
        "form.widgets.title",
        "form.widgets.appointment_type:list",
        "form.widgets.schedule.count",
        "form.widgets.schedule.0.widgets.week:list",
        "form.widgets.schedule.0.widgets.start",
        "form.widgets.schedule.0.widgets.end",
        "form.widgets.closures.count",
        "form.widgets.closures.0.widgets.start",
        "form.widgets.closures.0.widgets.end",
        "form.widgets.closures.0.widgets.label",
    ],
    "type": [
        "form.widgets.title",
        "form.widgets.detail",
        "form.widgets.duration",
        "form.widgets.horizon",
        "form.widgets.min_notice",
        "form.widgets.options",
        "form.widgets.partner_types:list",
        "form.widgets.portal_visible:list",
        "form.widgets.notification_overrides.count",
        "form.widgets.notification_overrides.0.widgets.event:list",
        "form.widgets.notification_overrides.0.widgets.body",
    ],
    "place": [
        "form.widgets.title",
        "form.widgets.address",
        "form.widgets.closures.count",
        "form.widgets.closures.0.widgets.start",
        "form.widgets.closures.0.widgets.end",
        "form.widgets.portal_visible:list",
    ],
    "week": ["form.widgets.title", "form.widgets.monday", "form.widgets.sunday"],
}


def stored(manager, url):
    body = manager.get(url).json()
    return {
        key: value for key, value in body.items() if key not in ("modified", "lock")
    }


@FUZZ
@given(
    which=st.sampled_from(sorted(EDIT_FORMS)),
    data=st.data(),
)
def test_edit_forms(site, manager, which, data):  # noqa: F811
    obj = site["counters"][0] if which == "counter" else site[which]
    values = data.draw(form(EDIT_FORMS[which], min_size=1))
    before = stored(manager, obj["@id"])
    with owner_page_session() as session:
        url = f"{obj['@id']}/@@edit"
        values["_authenticator"] = authenticator(session.get(url).text)
        values["form.buttons.save"] = "Save"
        response = session.post(url, data=values, allow_redirects=False)
    check(response)
    if response.status_code != 302:
        assert stored(manager, obj["@id"]) == before


ADD_FORMS = {
    "Counter": ("place", EDIT_FORMS["counter"]),
    "AppointmentType": ("folder", EDIT_FORMS["type"]),
    "Place": ("folder", EDIT_FORMS["place"]),
    "ReferenceWeek": ("folder", EDIT_FORMS["week"]),
}


def content_count(manager, site):  # noqa: F811
    return manager.get(
        f"{site['folder']['@id']}/@search", params={"path.depth": 5, "b_size": 1}
    ).json()["items_total"]


@FUZZ
@given(portal_type=st.sampled_from(sorted(ADD_FORMS)), data=st.data())
def test_add_forms(site, manager, portal_type, data):  # noqa: F811
    where, names = ADD_FORMS[portal_type]
    values = data.draw(form(names, min_size=1))
    before = content_count(manager, site)
    with owner_page_session() as session:
        url = f"{site[where]['@id']}/++add++{portal_type}"
        page = session.get(url)
        assert page.status_code == 200
        values["_authenticator"] = authenticator(page.text)
        values["form.buttons.save"] = "Save"
        response = session.post(url, data=values, allow_redirects=False)
    check(response)
    if response.status_code == 302 and "++add++" not in response.headers["Location"]:
        # Random but valid: remove what was made.
        created = response.headers["Location"].split("/view")[0]
        assert manager.delete(created).status_code == 204
    else:
        assert content_count(manager, site) == before


CONTROL_PANEL = [
    "form.widgets.holiday_region:list",
    "form.widgets.holidays_open:list",
    "form.widgets.closures.count",
    "form.widgets.closures.0.widgets.start",
    "form.widgets.closures.0.widgets.end",
    "form.widgets.closures.0.widgets.label",
    "form.widgets.anonymise_after_months",
    "form.widgets.bookings_per_hour",
    "form.widgets.notification_matrix.0.widgets.subject",
    "form.widgets.notification_matrix.0.widgets.mail_body",
]


@FUZZ
@given(values=form(CONTROL_PANEL, min_size=1))
def test_control_panel_form(site, manager, portal_url, values):  # noqa: F811
    api_url = f"{portal_url}/@controlpanels/rendezvous"
    before = manager.get(api_url).json()["data"]
    with owner_page_session() as session:
        url = f"{portal_url}/@@rendezvous-controlpanel"
        values["_authenticator"] = authenticator(session.get(url).text)
        values["form.buttons.save"] = "Save"
        response = session.post(url, data=values, allow_redirects=False)
    check(response)
    after = manager.get(api_url).json()["data"]
    if after != before:
        # Random but valid: put the settings back for the next examples.
        assert manager.patch(api_url, json=before).status_code == 204


def test_forms_still_work(site, manager):  # noqa: F811
    """The guarded forms save a good post and explain a bad one, as before."""
    week = site["week"]["@id"]
    with owner_page_session() as session:
        url = f"{week}/@@edit"
        values = {
            "_authenticator": authenticator(session.get(url).text),
            "form.widgets.title": "Semaine B",
            "form.widgets.monday": "08h30-12h00",
            "form.buttons.save": "Save",
        }
        response = session.post(url, data=values, allow_redirects=False)

        assert response.status_code == 302, response.text[:500]
        assert manager.get(week).json()["title"] == "Semaine B"
        # Bad, but as a browser sends it: the form again, with the error.
        values["form.widgets.monday"] = "9h-12h"
        response = session.post(url, data=values, allow_redirects=False)
        assert response.status_code == 200
        assert "is not an opening range" in response.text
        # Forged (a number posted twice): a 400 with a message, nothing changed.
        kind = site["type"]["@id"]
        url = f"{kind}/@@edit"
        values = {
            "_authenticator": authenticator(session.get(url).text),
            "form.widgets.duration": ["30", "40"],
            "form.buttons.save": "Save",
        }
        response = session.post(
            url, data=values, allow_redirects=False, headers={"Accept": "text/html"}
        )
        assert response.status_code == 400
        assert "no browser sends" in response.text
        assert manager.get(kind).json()["duration"] == 20
        assert manager.get(week).json()["monday"] == ["08h30-12h00"]
