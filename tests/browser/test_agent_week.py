"""The week agenda is a grid of days × times, not a list of days, and the CSV
export downloaded from the agenda suits a French spreadsheet (issue 13).

agent_a opens the week of a counter with one booking (Wednesday 11:00): one
table, a column per day, a line per start time; the page stays short.
"""

from playwright.sync_api import expect
from test_agenda import agents  # noqa: F401 - fixture
from test_agenda import citizen_booking
from test_agent_flow import log_in
from test_slots_api import next_weekday

import datetime
import re


def test_week_is_a_grid(page, portal_url, site, agents, anonymous, screenshot):  # noqa: F811
    monday = next_weekday(0)
    wednesday = monday + datetime.timedelta(days=2)
    booked = citizen_booking(anonymous, site, wednesday, "11:00")
    counter = site["counters"][0]
    log_in(page, portal_url, "agent_a")
    page.goto(
        f"{counter['@id']}/@@rendezvous-agenda?date={monday.isoformat()}&view=week"
    )
    grid = page.locator("table.rendezvous-week")
    expect(grid).to_have_count(1)
    # The time column, then Monday to Sunday.
    headers = grid.locator("thead th")
    expect(headers).to_have_count(8)
    expect(headers.nth(1)).to_contain_text("Monday")
    expect(headers.nth(7)).to_contain_text("Sunday")
    expect(headers.nth(7)).to_contain_text("Closed")
    # 09:00 to 11:40, every 20 minutes: 9 lines.
    lines = grid.locator("tbody tr")
    expect(lines).to_have_count(9)
    expect(lines.first.locator("th")).to_have_text("09:00")
    # The booking sits at Wednesday (4th column: time, Mon, Tue, Wed), 11:00.
    line = lines.filter(has=page.locator("th", has_text=re.compile("^11:00$")))
    cell = line.locator("td").nth(2)
    expect(cell.locator(".rendezvous-state-booked")).to_contain_text(booked["code"])
    expect(cell).to_contain_text("Jeanne Martin")
    # Free cells offer booking; the other days' 11:00 are free.
    expect(
        line.locator("td").nth(0).get_by_role("link", name=re.compile("^Book"))
    ).to_have_count(1)
    expect(grid.locator(".rendezvous-state-free")).to_have_count(5 * 9 - 1)
    # No list of day tables any more: the page holds in a few screens.
    expect(page.locator("table.rendezvous-agenda")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, height
    grid.scroll_into_view_if_needed()
    screenshot(page, "agent-3-week")
    # A day's header opens its day view, with the actions.
    with page.expect_navigation():
        headers.nth(3).get_by_role("link").click()
    expect(page.locator("table.rendezvous-agenda")).to_have_count(1)


def test_csv_download_on_a_french_site(
    page,
    portal_url,
    site,
    agents,  # noqa: F811
    anonymous,
):
    """Issue 13 (14): the agenda's export form, on a French site, downloads a
    file a French spreadsheet reads: ';', quoted cells, readable phones, the
    date and the times in their own columns."""
    from plone import api

    import csv
    import io
    import transaction

    day = next_weekday(0)
    booked = citizen_booking(anonymous, site, day, "09:00")
    log_in(page, portal_url, "agent_a")  # in English, before the switch
    transaction.abort()
    api.portal.set_registry_record("plone.default_language", "fr")
    transaction.commit()
    counter = site["counters"][0]
    page.goto(f"{counter['@id']}/@@rendezvous-agenda?date={day.isoformat()}")
    separator = page.locator("#rdv-export-separator")
    expect(separator).to_have_value("semicolon")
    page.fill("#rdv-export-start", day.isoformat())
    page.fill("#rdv-export-end", day.isoformat())
    with page.expect_download() as download:
        page.locator("form:has(#rdv-export-separator) button[type=submit]").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    [row] = rows[1:]
    assert row[0] == booked["code"]
    assert row[2:5] == [day.isoformat(), "09:00", "09:20"]
    assert row[12] == "06 12 34 56 78"
    assert '"06 12 34 56 78"' in text
