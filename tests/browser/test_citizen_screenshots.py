"""Screenshots of the citizen's booking, for docs/citizen-guide.rst (issue 6).

Written as citizen-*.png (1280x900 viewport) to a temporary folder, or to
$RENDEZVOUS_SCREENSHOTS (``RENDEZVOUS_SCREENSHOTS=docs/screenshots`` refreshes
the guide's images),
so that the guide shows the pages as they are.
"""

from playwright.sync_api import expect
from test_slots_api import next_weekday
from urllib.parse import urlencode


def test_citizen_flow_screenshots(page, citizen_site, screenshot):
    folder = citizen_site["folder"]["@id"]
    day = next_weekday(1)
    page.goto(folder)
    expect(page.get_by_text("État civil")).to_be_visible()
    screenshot(page, "citizen-1-types")

    query = {
        "appointment_type": citizen_site["type"]["UID"],
        "option": "Passeport",
        "place": citizen_site["place"]["UID"],
        "month": f"{day:%Y-%m}",
        "day": day.isoformat(),
    }
    # Opens at the calendar's heading, as after choosing a place.
    page.goto(f"{folder}?{urlencode(query)}#step-day")
    expect(page.locator(".rendezvous-slots a").first).to_be_visible()
    screenshot(page, "citizen-2-calendar")

    page.locator(".rendezvous-slots a").nth(4).click()
    page.fill("#rdv-beneficiary", "Jeanne Martin")
    page.fill("#rdv-email", "jeanne.martin@example.org")
    page.fill("#rdv-phone", "06 12 34 56 78")
    page.check("#rdv-consent")
    page.locator("#step-details").scroll_into_view_if_needed()
    page.evaluate("document.activeElement.blur()")
    screenshot(page, "citizen-3-details")

    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    screenshot(page, "citizen-4-confirmation")
