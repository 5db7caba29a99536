"""The counter's add and edit forms refuse what the REST API refuses (issue 13).

The grid rows of a counter (schedule, closures) are checked as a whole, with
the field errors of the API (overlapping schedule rows, a row or a closure
that ends before it starts), and nothing is saved. The empty new row of a
grid says nothing after another error. The site owner works in the forms,
logged in with HTTP basic authentication.
"""

from playwright.sync_api import expect
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from test_agenda import citizen_booking
from test_slots_api import next_weekday

import base64
import datetime
import pytest


@pytest.fixture
def owner_page(browser, portal_url):
    token = base64.b64encode(
        f"{SITE_OWNER_NAME}:{SITE_OWNER_PASSWORD}".encode()
    ).decode()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        extra_http_headers={"Authorization": f"Basic {token}"},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def fill_new_row(page, field, **cells):
    """Fill the grid's empty new row (the browser makes it a row of the value)."""
    for name, value in cells.items():
        cell = f"#form-widgets-{field}-AA-widgets-{name}"
        if name == "week":
            page.select_option(cell, label=value)
        else:
            page.fill(cell, value)


def field_error(page, field) -> str:
    """The error shown under a field of the form (one, not empty)."""
    error = page.locator(f"#formfield-form-widgets-{field} .invalid-feedback").last
    expect(error).to_be_visible()
    text = error.inner_text().strip()
    assert text
    return text


def api_refusal(manager, url, **body) -> str:
    response = manager.patch(url, json=body)
    assert response.status_code == 400, response.text
    return response.text


def save(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def test_edit_form_refuses_what_the_api_refuses(owner_page, site, manager):
    page = owner_page
    counter, other = site["counters"]
    before = manager.get(counter["@id"]).json()
    page.goto(f"{counter['@id']}/@@edit")
    # A second schedule row inside the first one, a closure backwards; the
    # dates follow the counter's schedule, which starts today.
    first = before["schedule"][0]
    inside = datetime.date.fromisoformat(first["start"]) + datetime.timedelta(days=7)
    inside_end = min(
        inside + datetime.timedelta(days=31), datetime.date.fromisoformat(first["end"])
    )
    later = datetime.date.fromisoformat(first["end"]) + datetime.timedelta(days=365)
    closure = (
        inside + datetime.timedelta(days=30),
        inside + datetime.timedelta(days=34),
    )
    fill_new_row(
        page, "schedule", week="Semaine", start=f"{inside}", end=f"{inside_end}"
    )
    fill_new_row(page, "closures", start=f"{closure[1]}", end=f"{closure[0]}")
    save(page)

    expect(page.locator(".alert-danger, .portalMessage.error").first).to_be_visible()
    schedule_error = field_error(page, "schedule")
    closures_error = field_error(page, "closures")
    assert "overlaps" in schedule_error
    assert "ends before it starts" in closures_error
    # The same messages as the API's for the same rows (on the other counter:
    # the form holds this one's lock).
    overlapping = other["schedule"] + [
        {"week": site["week"]["UID"], "start": f"{inside}", "end": f"{inside_end}"}
    ]
    assert schedule_error in api_refusal(manager, other["@id"], schedule=overlapping)
    assert closures_error in api_refusal(
        manager,
        other["@id"],
        closures=[{"start": f"{closure[1]}", "end": f"{closure[0]}"}],
    )
    # The grids' empty new rows are not rows: no "Required" on them.
    expect(page.get_by_text("Required input is missing")).to_have_count(0)
    after = manager.get(counter["@id"]).json()
    assert after["schedule"] == before["schedule"]
    assert after["closures"] == before["closures"]

    # Corrected (the overlapping row moved after the first one, the closure
    # the right way round), the form saves.
    page.fill("#form-widgets-schedule-1-widgets-start", f"{later}")
    page.fill(
        "#form-widgets-schedule-1-widgets-end",
        f"{later + datetime.timedelta(days=31)}",
    )
    page.fill("#form-widgets-closures-0-widgets-start", f"{closure[0]}")
    page.fill("#form-widgets-closures-0-widgets-end", f"{closure[1]}")
    save(page)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    after = manager.get(counter["@id"]).json()
    assert [row["start"] for row in after["schedule"]][-1] == f"{later}"
    assert [(c["start"], c["end"]) for c in after["closures"]] == [
        (f"{closure[0]}", f"{closure[1]}")
    ]


def test_add_form_refuses_a_row_ending_before_it_starts(owner_page, site, manager):
    page = owner_page
    page.goto(f"{site['place']['@id']}/++add++Counter")
    page.fill("#form-widgets-IBasic-title, #form-widgets-title", "Guichet 3")
    page.select_option("#form-widgets-appointment_type", label="Pièces d'identité")
    fill_new_row(page, "schedule", week="Semaine", start="2027-02-01", end="2027-01-01")
    save(page)
    error = field_error(page, "schedule")
    assert error in api_refusal(
        manager,
        site["counters"][1]["@id"],
        schedule=[
            {"week": site["week"]["UID"], "start": "2027-02-01", "end": "2027-01-01"}
        ],
    )
    expect(page.get_by_text("Required input is missing")).to_have_count(0)
    titles = [
        item["title"] for item in manager.get(site["place"]["@id"]).json()["items"]
    ]
    assert "Guichet 3" not in titles


def test_closure_that_unschedules_bookings_asks_first(
    owner_page, citizen_site, manager, anonymous, bookings
):
    """Issue 13 (12): the bookings a closure unschedules, before and after."""
    page, site = owner_page, citizen_site
    counter = site["counters"][0]
    day = next_weekday(1)
    booked = citizen_booking(anonymous, site, day, "09:20")
    # Another counter's booking that day is not concerned.
    citizen_booking(anonymous, site, day, "09:40", counter=1)
    page.goto(f"{counter['@id']}/@@edit")
    fill_new_row(page, "closures", start=day.isoformat(), end=day.isoformat())
    save(page)

    # Not saved: the form lists the booking and asks.
    warning = page.locator(".rendezvous-unschedule-list li")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text(booked["code"])
    expect(warning).to_contain_text("Jeanne Martin")
    expect(warning).to_contain_text("09:20")
    expect(page.locator(".rendezvous-unschedule-warning")).to_contain_text(
        "unschedule 1 booked"
    )
    assert manager.get(counter["@id"]).json()["closures"] == []
    states = {b["code"]: b["state"] for b in bookings(site)}
    assert set(states.values()) == {"booked"}

    # Confirmed: saved, and the message says what it did.
    with page.expect_navigation():
        page.get_by_role("button", name="Save and unschedule these bookings").click()
    expect_saved_message(
        page, "Changes saved", "1 booking(s) unscheduled", booked["code"]
    )
    assert manager.get(counter["@id"]).json()["closures"][0]["start"] == (
        day.isoformat()
    )
    states = {b["code"]: b["state"] for b in bookings(site)}
    assert states.pop(booked["code"]) == "unscheduled"
    assert set(states.values()) == {"booked"}


def test_closure_without_bookings_saves_at_once(owner_page, site, manager):
    page = owner_page
    counter = site["counters"][0]
    day = next_weekday(1)
    page.goto(f"{counter['@id']}/@@edit")
    fill_new_row(page, "closures", start=day.isoformat(), end=day.isoformat())
    save(page)
    expect(page.locator("#global_statusmessage")).to_contain_text("Changes saved")
    expect(page.locator(".rendezvous-unschedule-list")).to_have_count(0)
    assert len(manager.get(counter["@id"]).json()["closures"]) == 1


def test_empty_new_rows_say_nothing_after_another_error(owner_page, site, manager):
    """Issue 13 (14): the grids' empty new rows are not "Required"."""
    page = owner_page
    counter = site["counters"][0]
    page.goto(f"{counter['@id']}/@@edit")
    page.fill("#form-widgets-title", "")
    # Past the browser's own check (and Plone's), to get the server's error.
    page.locator("#form-widgets-title").evaluate(
        "input => { input.removeAttribute('required'); input.form.noValidate = true; }"
    )
    save(page)
    # The name's own error, and nothing in the grids.
    expect(
        page.locator("#formfield-form-widgets-title .invalid-feedback")
    ).to_be_visible()
    for field in ("schedule", "closures"):
        expect(
            page.locator(f"#formfield-form-widgets-{field} .invalid-feedback")
        ).to_have_count(0)
    expect(page.get_by_text("Required input is missing")).to_have_count(1)
    assert manager.get(counter["@id"]).json()["title"] == "Guichet 1"


def test_place_closure_lists_the_bookings_of_its_counters(
    owner_page, citizen_site, manager, anonymous, bookings
):
    """Issue 13 (12): a place's closure closes all its counters: both listed."""
    page, site = owner_page, citizen_site
    day = next_weekday(1)
    first = citizen_booking(anonymous, site, day, "09:20")
    second = citizen_booking(anonymous, site, day, "09:40", counter=1)
    page.goto(f"{site['place']['@id']}/@@edit")
    fill_new_row(page, "closures", start=day.isoformat(), end=day.isoformat())
    save(page)
    items = page.locator(".rendezvous-unschedule-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(first["code"])
    expect(items.nth(0)).to_contain_text("Guichet 1")
    expect(items.nth(1)).to_contain_text(second["code"])
    expect(items.nth(1)).to_contain_text("Guichet 2")
    assert manager.get(site["place"]["@id"]).json()["closures"] == []
    with page.expect_navigation():
        page.get_by_role("button", name="Save and unschedule these bookings").click()
    expect(page.locator("#global_statusmessage")).to_contain_text(
        "2 booking(s) unscheduled"
    )
    assert {b["state"] for b in bookings(site)} == {"unscheduled"}


def settings(manager, portal_url) -> dict:
    response = manager.get(f"{portal_url}/@controlpanels/rendezvous")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def answer(page, button: str):
    """Press Confirm or Cancel on the confirmation step (a new page)."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def expect_saved_message(page, *texts):
    """The status message after a confirmed save names what it did."""
    messages = page.locator("#global_statusmessage")
    for text in texts:
        expect(messages).to_contain_text(text)


def expect_one_booking_listed(page, booked, counter="Guichet 1"):
    """The confirmation step: the booking listed, Confirm and Cancel offered."""
    items = page.locator(".rendezvous-unschedule-list li")
    expect(items).to_have_count(1)
    for text in (booked["code"], "Jeanne Martin", "09:20", counter):
        expect(items).to_contain_text(text)
    expect(page.locator(".rendezvous-unschedule-warning")).to_contain_text(
        "unschedule 1 booked"
    )
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()


def test_site_closure_that_unschedules_bookings_asks_first(
    owner_page, citizen_site, manager, anonymous, bookings, portal_url
):
    """Issue 13 (12): the control panel's closures list what they unschedule;
    Cancel changes nothing, Confirm saves and says how many."""
    page, site = owner_page, citizen_site
    day = next_weekday(1)
    booked = citizen_booking(anonymous, site, day, "09:20")
    before = settings(manager, portal_url)
    panel = f"{portal_url}/@@rendezvous-controlpanel"

    def close_the_day():
        page.goto(panel)
        fill_new_row(page, "closures", start=day.isoformat(), end=day.isoformat())
        save(page)

    # Not saved: the panel lists the booking and asks.
    close_the_day()
    expect_one_booking_listed(page, booked)
    assert settings(manager, portal_url) == before
    assert {b["state"] for b in bookings(site)} == {"booked"}

    # Cancel: the settings and the booking are as they were.
    answer(page, "Cancel")
    expect(page.locator("#global_statusmessage")).to_contain_text("canceled")
    assert settings(manager, portal_url) == before
    assert {b["state"] for b in bookings(site)} == {"booked"}

    # Confirm: saved, and the message says what it did.
    close_the_day()
    expect_one_booking_listed(page, booked)
    answer(page, "Confirm")
    expect_saved_message(
        page, "Changes saved", "1 booking(s) unscheduled", booked["code"]
    )
    closures = settings(manager, portal_url)["closures"]
    assert [(c["start"], c["end"]) for c in closures] == [
        (day.isoformat(), day.isoformat())
    ]
    assert [b["state"] for b in bookings(site)] == ["unscheduled"]


def test_site_closure_without_bookings_saves_at_once(
    owner_page, site, manager, portal_url
):
    page = owner_page
    day = next_weekday(1)
    page.goto(f"{portal_url}/@@rendezvous-controlpanel")
    fill_new_row(page, "closures", start=day.isoformat(), end=day.isoformat())
    save(page)
    expect(page.locator("#global_statusmessage")).to_contain_text("Changes saved")
    expect(page.locator(".rendezvous-unschedule-list")).to_have_count(0)
    assert len(settings(manager, portal_url)["closures"]) == 1


def test_schedule_change_that_unschedules_bookings_asks_first(
    owner_page, citizen_site, manager, anonymous, bookings
):
    """Issue 13 (12): a counter's schedule row moved past a booked day."""
    page, site = owner_page, citizen_site
    counter = site["counters"][0]
    day = next_weekday(1)
    booked = citizen_booking(anonymous, site, day, "09:20")
    # The other counter's booking that day is not concerned.
    citizen_booking(anonymous, site, day, "09:40", counter=1)
    before = manager.get(counter["@id"]).json()["schedule"]
    later = (day + datetime.timedelta(days=1)).isoformat()

    def start_the_day_after():
        page.goto(f"{counter['@id']}/@@edit")
        page.fill("#form-widgets-schedule-0-widgets-start", later)
        save(page)

    start_the_day_after()
    expect_one_booking_listed(page, booked)
    assert manager.get(counter["@id"]).json()["schedule"] == before

    answer(page, "Cancel")
    assert manager.get(counter["@id"]).json()["schedule"] == before
    assert {b["state"] for b in bookings(site)} == {"booked"}

    start_the_day_after()
    expect_one_booking_listed(page, booked)
    answer(page, "Confirm")
    expect_saved_message(
        page, "Changes saved", "1 booking(s) unscheduled", booked["code"]
    )
    assert manager.get(counter["@id"]).json()["schedule"][0]["start"] == later
    states = {b["code"]: b["state"] for b in bookings(site)}
    assert states.pop(booked["code"]) == "unscheduled"
    assert set(states.values()) == {"booked"}


def test_applying_a_week_that_unschedules_bookings_asks_first(
    owner_page, citizen_site, manager, anonymous, bookings
):
    """Issue 13 (12): the Apply form of a reference week asks first too."""
    page, site = owner_page, citizen_site
    counter = site["counters"][0]
    day = next_weekday(1)
    booked = citizen_booking(anonymous, site, day, "09:20")
    response = manager.post(
        site["folder"]["@id"],
        json={
            "@type": "ReferenceWeek",
            "title": "Après-midi",
            **{name: ["14h00-17h00"] for name in ("monday", "tuesday")},
        },
    )
    assert response.status_code == 201, response.text
    afternoons = response.json()
    before = manager.get(counter["@id"]).json()["schedule"]

    def apply_on_the_day():
        page.goto(f"{afternoons['@id']}/@@apply-week")
        page.select_option("#form-widgets-counter", label="Mairie › Guichet 1")
        page.fill("#form-widgets-start", day.isoformat())
        page.fill("#form-widgets-end", day.isoformat())
        with page.expect_navigation():
            page.get_by_role("button", name="Apply").click()

    apply_on_the_day()
    expect_one_booking_listed(page, booked)
    answer(page, "Cancel")
    assert manager.get(counter["@id"]).json()["schedule"] == before
    assert {b["state"] for b in bookings(site)} == {"booked"}

    apply_on_the_day()
    answer(page, "Confirm")
    expect_saved_message(page, "The week was applied", "1 booking(s) unscheduled")
    weeks = [row["week"] for row in manager.get(counter["@id"]).json()["schedule"]]
    assert afternoons["UID"] in weeks
    assert [b["state"] for b in bookings(site)] == ["unscheduled"]
