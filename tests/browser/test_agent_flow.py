"""An agent books, marks and moves appointments in a real browser (issue 6).

agent_a (of "service_a", the service of the site's type) logs in through
Plone's login form, then works in the day agenda of a counter. The day
agenda and the booking form are saved as agent-*.png (in a temporary folder, or
$RENDEZVOUS_SCREENSHOTS, e.g. docs/screenshots) for
docs/agent-guide.rst (1280x900 viewport).
"""

from playwright.sync_api import expect
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import PASSWORD
from test_bookings_api import at
from test_slots_api import next_weekday

import re


def row(page, code):
    """The agenda's row of the booking with this code."""
    return page.locator("table.rendezvous-agenda tbody tr").filter(
        has=page.locator("code", has_text=re.compile(rf"^{code}$"))
    )


def free(page, hhmm):
    """The agenda's free slot starting at hhmm (none if it is not free)."""
    return page.locator("tr.rendezvous-state-free").filter(
        has=page.locator("th time", has_text=re.compile(rf"^{hhmm}$"))
    )


def log_in(page, portal_url, user):
    page.goto(f"{portal_url}/login")
    page.fill("input[name='__ac_name']", user)
    page.fill("input[name='__ac_password']", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.locator("input[name='__ac_password']")).to_have_count(0)


def book_for(page, hhmm, name, option, phone, shot=None):
    """Click the slot's "Book for a citizen", fill the form, submit."""
    free(page, hhmm).get_by_role("link", name="Book for a citizen").click()
    expect(page.get_by_role("heading", name="Book for a citizen")).to_be_visible()
    page.fill("#rdv-beneficiary", name)
    page.fill("#rdv-phone", phone)
    page.get_by_label(option, exact=True).check()
    if shot:
        page.evaluate("document.activeElement.blur()")
        shot()
    with page.expect_navigation():
        page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name=re.compile("^Agenda:"))).to_be_visible()


def test_agent_books_marks_and_moves(
    page,
    portal_url,
    site,
    agents,  # noqa: F811
    clock,
    bookings,
    screenshot,
):
    day = next_weekday(2)
    counter = site["counters"][0]
    agenda = f"{counter['@id']}/@@rendezvous-agenda?date={day.isoformat()}&view=day"

    log_in(page, portal_url, "agent_a")
    page.goto(agenda)
    expect(page.get_by_role("heading", name="Agenda: Guichet 1")).to_be_visible()
    # 9 free slots from 09:00 to 11:40, each with its button.
    expect(page.get_by_role("link", name="Book for a citizen")).to_have_count(9)

    # First booking, at 09:20: the form, then the agenda with its code.
    book_for(
        page,
        "09:20",
        "Paul Durand",
        "Passeport",
        "06 11 22 33 44",
        shot=lambda: screenshot(page, "agent-2-book-for"),
    )
    [first] = bookings(site)
    assert first["beneficiary"] == "Paul Durand"
    assert first["option"] == "Passeport"
    assert first["start"] == at(day, "09:20")
    assert first["booked_by"] == "agent"
    expect(page.locator("#global_statusmessage")).to_contain_text(first["code"])
    booked = row(page, first["code"])
    expect(booked).to_have_class(re.compile("rendezvous-state-booked"))
    expect(booked.locator("th time")).to_have_text("09:20")
    expect(booked).to_contain_text("Paul Durand")
    expect(free(page, "09:20")).to_have_count(0)

    # Marked absent once the appointment has started (not before): the
    # state shows, the buttons go.
    expect(booked.get_by_role("button", name=re.compile("^Absent"))).to_have_count(0)
    clock.after(first["start"])
    page.reload()
    booked = row(page, first["code"])
    with page.expect_navigation():
        booked.get_by_role("button", name=re.compile("^Absent")).click()
    # A confirmation page first (issue 13): nothing is marked yet.
    expect(
        page.get_by_role("heading", name=f"Mark booking {first['code']} absent?")
    ).to_be_visible()
    assert bookings(site)[0]["state"] == "booked"
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm: mark absent").click()
    expect(page.locator("#global_statusmessage")).to_contain_text("absent")
    booked = row(page, first["code"])
    expect(booked).to_have_class(re.compile("rendezvous-state-absent"))
    expect(booked.locator(".badge")).to_have_text("Absent")
    expect(booked.get_by_role("button", name=re.compile("^Attended"))).to_have_count(0)
    assert bookings(site)[0]["state"] == "absent"

    # Second booking, at 10:00, moved to 11:00 through the move page.
    book_for(page, "10:00", "Marie Curie", "CNI", "06 55 44 33 22")
    [second] = [b for b in bookings(site) if b["beneficiary"] == "Marie Curie"]
    assert second["start"] == at(day, "10:00")
    with page.expect_navigation():
        row(page, second["code"]).get_by_role("link", name=re.compile("^Move")).click()
    expect(
        page.get_by_role("heading", name=f"Move booking {second['code']}")
    ).to_be_visible()
    page.fill("#rdv-move-date", day.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    target = f"{at(day, '11:00')}|{counter['UID']}"
    page.locator(f"input[name='slot'][value='{target}']").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Move the booking to this time").click()

    # Back in the agenda: 10:00 is free again, 11:00 holds the booking.
    expect(page.get_by_role("heading", name="Agenda: Guichet 1")).to_be_visible()
    expect(free(page, "10:00")).to_have_count(1)
    expect(free(page, "11:00")).to_have_count(0)
    moved = row(page, second["code"])
    expect(moved).to_have_class(re.compile("rendezvous-state-booked"))
    expect(moved.locator("th time")).to_have_text("11:00")
    expect(moved).to_contain_text("Marie Curie")
    [second] = [b for b in bookings(site) if b["code"] == second["code"]]
    assert second["start"] == at(day, "11:00")
    assert second["previous_start"] == at(day, "10:00")

    page.locator("table.rendezvous-agenda").first.scroll_into_view_if_needed()
    page.evaluate("document.activeElement.blur()")
    screenshot(page, "agent-1-agenda")
