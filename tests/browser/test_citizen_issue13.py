"""What a citizen meets on the booking pages, in a real browser (issue 13).

One test per point of the issue: the .ics link (1), one button per time (3),
a form that keeps the work (4), an unbookable slot in the URL (5), the
confirmations and the move banner (6), the horizon explained (7).
"""

from playwright.sync_api import expect
from test_bookings_api import at
from test_bookings_api import book
from test_slots_api import next_weekday
from urllib.parse import urlencode

import datetime
import icalendar
import re


def choices(site, **more) -> str:
    query = {
        "appointment_type": site["type"]["UID"],
        "option": "CNI",
        **more,
    }
    return f"{site['folder']['@id']}?{urlencode(query)}"


def book_by_api(anonymous, site, day, hhmm) -> dict:
    response = book(anonymous, site, at(day, hhmm), option="CNI")
    assert response.status_code == 201, response.text
    return response.json()


def private_link(site, booked) -> str:
    query = urlencode({"code": booked["code"], "token": booked["token"]})
    return f"{site['folder']['@id']}/rendezvous-manage?{query}"


def test_ics_link_downloads_the_appointment(page, citizen_site, anonymous):
    """1. The private page's .ics link is a download, not Plone's 404."""
    booked = book_by_api(anonymous, citizen_site, next_weekday(1), "09:40")
    page.goto(private_link(citizen_site, booked) + "&new=1")
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = info.value
    assert download.suggested_filename == f"{booked['code']}.ics"
    with open(download.path(), "rb") as ics:
        calendar = icalendar.Calendar.from_ical(ics.read())
    [event] = calendar.walk("VEVENT")
    assert booked["code"] in str(event["summary"])
    assert event.decoded("dtstart") == datetime.datetime.fromisoformat(booked["start"])


def test_one_button_per_time_booked_where_it_says(
    page, citizen_site, bookings, anonymous
):
    """3. Two counters: each time once, under its place, and booked there."""
    day = next_weekday(2)
    page.goto(choices(citizen_site, month=f"{day:%Y-%m}", day=day))
    times = page.locator(".rendezvous-slots a")
    expect(times).to_have_count(9)
    texts = [re.match(r"\d\d:\d\d", t).group(0) for t in times.all_inner_texts()]
    assert len(set(texts)) == 9 and texts == sorted(texts)
    expect(page.locator("section[aria-labelledby=step-slot] h3")).to_have_text("Mairie")
    expect(page.locator("section[aria-labelledby=step-slot]")).not_to_contain_text(
        "Guichet"
    )

    # 10:00 twice: one counter each; then 10:00 is no longer offered.
    for name in ("Louise Michel", "Paul Durand"):
        page.goto(choices(citizen_site, month=f"{day:%Y-%m}", day=day))
        page.locator(".rendezvous-slots a", has_text="10:00").click()
        expect(page.locator("#step-details")).to_be_visible()
        expect(page.locator("#step-details").locator("..")).to_contain_text("Mairie")
        page.fill("#rdv-beneficiary", name)
        page.fill("#rdv-email", "citoyen@example.org")
        page.check("#rdv-consent")
        page.get_by_role("button", name="Book this appointment").click()
        expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    made = bookings(citizen_site)
    assert [b["start"] for b in made] == [at(day, "10:00")] * 2
    assert {b["counter"] for b in made} == {c["UID"] for c in citizen_site["counters"]}
    page.goto(choices(citizen_site, month=f"{day:%Y-%m}", day=day))
    expect(page.locator(".rendezvous-slots a")).to_have_count(8)
    expect(page.locator(".rendezvous-slots a", has_text="10:00")).to_have_count(0)


def test_the_form_keeps_the_work(page, citizen_site, bookings, anonymous):
    """4. Every error at once; the values and the consent survive errors and
    a slot taken meanwhile."""
    day = next_weekday(3)
    page.goto(choices(citizen_site, day=day, slot=at(day, "10:00")))
    page.fill("#rdv-beneficiary", "")
    page.fill("#rdv-email", "nope")
    page.fill("#rdv-phone", "12")
    page.get_by_role("button", name="Book this appointment").click()
    for field in ("beneficiary", "email", "phone", "consent"):
        expect(page.locator(f"#rdv-{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rdv-beneficiary")).to_be_focused()
    expect(page.locator("#rdv-email")).to_have_value("nope")
    expect(page.locator("#rdv-phone")).to_have_value("12")

    page.fill("#rdv-beneficiary", "Louise Michel")
    page.fill("#rdv-email", "jeanne@example.org")
    page.fill("#rdv-phone", "06 12 34 56 78")
    page.check("#rdv-consent")
    # Meanwhile, both counters' 10:00 are booked by others.
    book_by_api(anonymous, citizen_site, day, "10:00")
    book_by_api(anonymous, citizen_site, day, "10:00")
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.locator("[role=alert]").first).to_contain_text("just been taken")
    expect(page.locator("#rdv-beneficiary")).to_have_value("Louise Michel")
    expect(page.locator("#rdv-email")).to_have_value("jeanne@example.org")
    expect(page.locator("#rdv-phone")).to_have_value("06 12 34 56 78")
    expect(page.locator("#rdv-consent")).to_be_checked()
    offered = page.locator("input[name='slot'][type='radio']")
    values = [offered.nth(i).get_attribute("value") for i in range(offered.count())]
    assert values and not [v for v in values if v.startswith(at(day, "10:00"))]
    page.get_by_label(re.compile("10:20")).check()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    [mine] = [b for b in bookings(citizen_site) if b["beneficiary"] == "Louise Michel"]
    assert mine["start"] == at(day, "10:20")
    assert mine["phone"] == "+33612345678"


def test_unbookable_slot_in_the_url(page, citizen_site):
    """5. Past, off-grid, beyond the horizon: said at once, with the closest."""
    past = next_weekday(0, after_days=-14)
    page.goto(choices(citizen_site, slot=at(past, "10:00")))
    expect(page.locator(".rendezvous-unbookable")).to_contain_text(
        "can no longer be booked"
    )
    expect(page.locator("#rdv-beneficiary")).to_have_count(0)
    expect(page.locator(".rendezvous-alternatives a").first).to_be_visible()

    day = next_weekday(1)
    page.goto(choices(citizen_site, slot=at(day, "10:07")))
    expect(page.locator(".rendezvous-unbookable")).to_contain_text(
        "not the start of a slot"
    )
    closest = page.locator(".rendezvous-alternatives a")
    expect(closest.filter(has_text="10:00")).to_have_count(1)
    expect(closest.filter(has_text="10:20")).to_have_count(1)
    closest.filter(has_text="10:00").click()
    expect(page.locator("#rdv-beneficiary")).to_be_visible()

    beyond = next_weekday(1, after_days=800)
    page.goto(choices(citizen_site, slot=at(beyond, "10:00")))
    expect(page.locator(".rendezvous-unbookable")).to_contain_text(
        re.compile(r"cannot be booked yet: bookings for .* open on")
    )
    expect(page.locator("#rdv-beneficiary")).to_have_count(0)


def test_confirmations_and_move_banner_without_javascript(
    browser, portal_url, citizen_site, anonymous, bookings
):
    """6. Cancelling asks first, also without JavaScript; moving says what."""
    booked = book_by_api(anonymous, citizen_site, next_weekday(4), "11:00")
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(private_link(citizen_site, booked))
        page.get_by_role("link", name="Move my appointment").click()
        banner = page.locator(".rendezvous-moving")
        expect(banner).to_contain_text("You are moving your appointment of")
        expect(banner).to_contain_text("11:00")
        expect(banner).to_contain_text(booked["code"])

        page.goto(private_link(citizen_site, booked))
        page.get_by_role("button", name="Cancel my appointment").click()
        expect(
            page.get_by_role("heading", name="Cancel your appointment?")
        ).to_be_visible()
        expect(page.locator(".rendezvous-confirm")).to_contain_text("11:00")
        assert bookings(citizen_site)[0]["state"] == "booked"
        page.get_by_role("link", name="No, keep my appointment").click()
        expect(page.get_by_role("button", name="Cancel my appointment")).to_be_visible()
        assert bookings(citizen_site)[0]["state"] == "booked"
        page.get_by_role("button", name="Cancel my appointment").click()
        page.get_by_role("button", name="Yes, cancel my appointment").click()
        expect(page.get_by_text("Your appointment is cancelled.")).to_be_visible()
        assert bookings(citizen_site)[0]["state"] == "cancelled"
    finally:
        context.close()


def test_horizon_explained(page, citizen_site):
    """7. Next free slot, when new dates open, and empty months explained."""
    page.goto(choices(citizen_site))
    expect(page.locator(".rendezvous-horizon")).to_contain_text(
        re.compile(r"You can book up to .*\. Later dates open day by day: .* opens on")
    )
    shortcut = page.locator(".rendezvous-next-free a")
    expect(shortcut).to_be_visible()
    shortcut.click()
    expect(page.locator("#rdv-beneficiary")).to_be_visible()
    expect(page.locator(".rendezvous-unbookable")).to_have_count(0)

    # A month beyond the horizon (24 months): not open yet, and when.
    later = datetime.date.today() + datetime.timedelta(days=800)
    page.goto(choices(citizen_site, month=f"{later:%Y-%m}"))
    expect(page.locator(".rendezvous-empty-month")).to_contain_text(
        re.compile(r"are not open yet: they open on")
    )
    # A type without counters: nothing free, said plainly.
    page.goto(citizen_site["folder"]["@id"])
    page.get_by_role("link", name=re.compile("État civil")).click()
    expect(page.locator(".rendezvous-empty-month")).to_contain_text(
        "There is no free slot left in"
    )
    expect(page.locator(".rendezvous-next-free")).to_contain_text(
        "There is no free slot at the moment"
    )
