"""A citizen books, then cancels, in a real browser, with the keyboard (issue 6).

The page is driven as a keyboard user would: Tab to a link or field, Enter to
follow or submit, Space to tick. Each step's links lead to the next step's
heading (``#step-…``), so that Tab goes on from there after the page loads.
"""

from helpers import today
from playwright.sync_api import expect
from test_slots_api import next_weekday

import re


def focused(page) -> dict:
    """What has the keyboard focus: tag, text, href, id, and where it is."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {
            tag: el.tagName.toLowerCase(),
            text: (el.innerText || el.value || "").trim(),
            href: el.getAttribute("href") || "",
            id: el.id,
            step: el.closest("section[aria-labelledby]")
              ?.getAttribute("aria-labelledby") || "",
            calendar: !!el.closest(".rendezvous-calendar"),
            visible: el.matches(":focus-visible"),
          };
        }"""
    )


def tab_to(page, matches, limit: int = 80, key: str = "Tab") -> dict:
    """Press Tab until the focused element matches; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if matches(element):
            return element
        seen.append((element["tag"], element["text"][:30], element["step"]))
    raise AssertionError(f"never reached by {key}: went through {seen}")


def focused_after_tab(page) -> dict:
    page.keyboard.press("Tab")
    return focused(page)


def follow(page, key: str = "Enter") -> None:
    """Press a key that navigates, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def month_label(page) -> str:
    return page.locator("nav[aria-label='Months'] strong").inner_text()


def test_book_then_cancel_with_the_keyboard(page, citizen_site, bookings):
    day = next_weekday(0)
    page.goto(citizen_site["folder"]["@id"])
    expect(page.get_by_role("heading", name="Choose the kind")).to_be_visible()

    # The type: its link (with its detail text beside it).
    expect(page.get_by_text("Carte nationale d'identité ou passeport")).to_be_visible()
    element = tab_to(page, lambda e: e["text"].startswith("Pièces d'identité"))
    assert element["visible"], "the focus is not visible"
    follow(page)
    assert page.url.endswith("#step-option")
    # The option: Tab goes on from the options' heading.
    assert focused_after_tab(page)["text"] == "CNI"
    assert focused_after_tab(page)["text"] == "Passeport"
    follow(page)
    assert page.url.endswith("#step-place")
    # The place: "Any place", then the town hall.
    assert focused_after_tab(page)["text"] == "Any place"
    assert focused_after_tab(page)["text"] == "Mairie"
    follow(page)
    assert page.url.endswith("#step-day")
    expect(page.locator("address")).to_have_text("1 rue de la Paix")

    # The month calendar: next month, then back.
    this_month = month_label(page)
    # First the shortcut to the next free slot (issue 13), then the months.
    element = focused_after_tab(page)
    assert "slot=" in element["href"] and element["step"] == "step-day", element
    element = focused_after_tab(page)
    assert element["text"] == "Next month", element  # no month before this one
    follow(page)
    assert month_label(page) != this_month
    tab_to(page, lambda e: e["text"] == "Previous month", limit=2)
    follow(page)
    assert month_label(page) == this_month
    if day.month != today().month:
        tab_to(page, lambda e: e["text"] == "Next month")
        follow(page)

    # The day, then its times: Tab goes from the times' heading to the first.
    element = tab_to(page, lambda e: f"day={day.isoformat()}" in e["href"])
    assert element["calendar"] and element["visible"]
    follow(page)
    expect(page.locator("#step-slot")).to_contain_text("Free slots on")
    element = focused_after_tab(page)
    assert element["step"] == "step-slot" and element["text"].startswith("09:00")
    tab_to(page, lambda e: e["text"].startswith("10:00"))
    follow(page)
    assert page.url.endswith("#step-details")
    expect(page.locator("#step-details")).to_have_text("Your details")

    # The details, typed in; the consent ticked with Space; Enter books.
    tab_to(page, lambda e: e["id"] == "rdv-beneficiary")
    page.keyboard.type("Jeanne Martin")
    page.keyboard.press("Tab")
    page.keyboard.type("jeanne@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("06 12 34 56 78")
    assert focused_after_tab(page)["id"] == "rdv-consent"
    page.keyboard.press("Space")
    expect(page.locator("#rdv-consent")).to_be_checked()
    assert focused_after_tab(page)["text"] == "Book this appointment"
    follow(page)

    # The private page: the code, the time, the place, the .ics link.
    # The token of the link was exchanged for a cookie (issue 12).
    assert "/rendezvous-manage/" in page.url and "token=" not in page.url
    [booking] = bookings(citizen_site)
    assert booking["state"] == "booked"
    assert booking["option"] == "Passeport"
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    expect(page.locator(".rendezvous-booking-details")).to_contain_text(booking["code"])
    expect(page.locator(".rendezvous-booking-details")).to_contain_text("10:00")
    expect(page.get_by_role("link", name=re.compile(r"\.ics"))).to_be_visible()
    private_link = page.url.replace("?new=1", "")

    # Later, through the private link: cancel.
    page.goto(private_link)
    tab_to(page, lambda e: e["text"] == "Cancel my appointment")
    follow(page)
    # A confirmation first (issue 13): nothing is cancelled yet.
    expect(page.get_by_role("heading", name="Cancel your appointment?")).to_be_visible()
    assert bookings(citizen_site)[0]["state"] == "booked"
    tab_to(page, lambda e: e["text"] == "Yes, cancel my appointment")
    follow(page)
    expect(page.locator(".rendezvous-booking-details")).to_contain_text("Cancelled")
    expect(page.get_by_text("Your appointment is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel my appointment")).to_have_count(0)
    assert bookings(citizen_site)[0]["state"] == "cancelled"


def test_calendar_with_the_keyboard_only(page, citizen_site):
    """From the top of the page, Tab reaches the days in a sensible order."""
    folder = citizen_site["folder"]["@id"]
    kind = citizen_site["type"]["UID"]
    place = citizen_site["place"]["UID"]
    # A month with free days whatever today is.
    month = next_weekday(0).strftime("%Y-%m")
    page.goto(
        f"{folder}?appointment_type={kind}&option=CNI&place={place}&month={month}"
    )
    order = []
    element = tab_to(
        page,
        lambda e: order.append(e) or e["calendar"],
    )
    steps = [e["step"] for e in order if e["step"]]
    # The steps come in the page's order, each once, the calendar last.
    assert [s for i, s in enumerate(steps) if s not in steps[:i]] == [
        "step-type",
        "step-option",
        "step-place",
        "step-day",
    ]
    texts = [e["text"] for e in order]
    assert texts.index("CNI") < texts.index("Mairie") < texts.index("Next month")
    assert element["visible"], "the focus on the calendar is not visible"

    # Tab goes through the month's free days in date order, then leaves it.
    days = [element]
    while True:
        element = focused_after_tab(page)
        if not element["calendar"]:
            break
        days.append(element)
    dates = [re.search(r"day=([\d-]+)", e["href"]).group(1) for e in days]
    assert dates == sorted(dates) and len(dates) == len(set(dates)) >= 1
    # Shift+Tab comes back to the last day.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["href"] == days[-1]["href"]

    # Enter on a day opens its times; Tab goes on to the first time.
    tab_to(page, lambda e: e["href"] == days[0]["href"], key="Shift+Tab")
    follow(page)
    assert f"day={dates[0]}" in page.url
    expect(page.locator(".rendezvous-calendar [aria-current=date]")).to_have_count(1)
    expect(page.locator(".rendezvous-slots a").first).to_be_visible()
    element = focused_after_tab(page)
    assert element["step"] == "step-slot" and re.match(r"\d\d:\d\d", element["text"])
    assert element["visible"]
