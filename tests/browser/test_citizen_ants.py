"""A family books a passport appointment for two documents, in Chromium (issue 14).

The citizen comes from the national site: the hub asked this site for its
free times (``@ants/availableTimeSlots`` with ``documents_number=2``) and
sends the citizen to the ``callback_url`` of the time chosen. The page asks
one pre-application number per document, the appointment takes two slots
in a row on one counter, and both numbers are declared to the national
anti-duplication service (the fake hub of ``tests/ants_fake.py``) after the
commit. A second family then books from the site's own page, choosing the
number of documents there.
"""

from ants_fake import TOKEN
from playwright.sync_api import expect
from test_ants_declarations import ants  # noqa: F401 - fixture
from test_ants_declarations import content
from test_ants_declarations import MEETING_POINT
from test_bookings_api import at
from test_slots_api import next_weekday

import datetime
import re
import time
import transaction


def hub_slots(anonymous, portal_url, day, documents):
    response = anonymous.get(
        f"{portal_url}/@ants/availableTimeSlots",
        params={
            "meeting_point_ids": MEETING_POINT,
            "start_date": day.isoformat(),
            "end_date": day.isoformat(),
            "reason": "PASSPORT",
            "documents_number": str(documents),
        },
        headers={"X-HUB-RDV-AUTH-TOKEN": TOKEN},
    )
    assert response.status_code == 200, response.text
    return response.json()[MEETING_POINT]


def wait_for(check, timeout=20.0):
    """The declarations are made after the commit: wait for them."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not declared in time"
        time.sleep(0.1)


def test_family_books_two_documents_from_the_national_site(
    page,
    ants,  # noqa: F811
    site,
    anonymous,
    manager,
    portal_url,
    bookings,
):
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    import hashlib

    transaction.begin()
    registry = getUtility(IRegistry)
    registry["collective.rendezvous.ants_hub_token_hash"] = hashlib.sha256(
        TOKEN.encode()
    ).hexdigest()
    kind = content(site["type"]["UID"])
    kind.ants_reason = "PASSPORT"
    kind.title = "Passeport"
    transaction.commit()

    day = next_weekday(1)
    # Mornings 09:00-12:00, 20-minute slots: 11:40 starts no 40-minute block.
    offered = hub_slots(anonymous, portal_url, day, 2)
    hours = [entry["datetime"][11:16] for entry in offered]
    assert hours[0] == "09:00" and "11:20" in hours and "11:40" not in hours
    [entry] = [e for e in offered if e["datetime"].endswith("T10:00Z")]

    # The citizen follows the hub's link.
    page.goto(entry["callback_url"])
    expect(page.locator("#step-details")).to_be_visible()
    details = page.locator("#step-details").locator("..")
    expect(details).to_contain_text("10:00–10:40")
    numbers = page.locator("input[name='application_ids:list']")
    expect(numbers).to_have_count(2)
    page.fill("#rdv-beneficiary", "Famille Martin")
    page.fill("#rdv-email", "martin@example.org")
    page.fill("#rdv-application-1", "abcde12345")
    page.fill("#rdv-application-2", "fghij6789")  # one character short
    page.check("#rdv-consent")
    page.get_by_role("button", name="Book this appointment").click()
    # Refused, and nothing lost: the error names the number, values stay.
    expect(page.locator("#rdv-application_ids-error")).to_contain_text("FGHIJ6789")
    expect(page.locator("#rdv-application-1")).to_have_value("abcde12345")
    expect(page.locator("#rdv-beneficiary")).to_have_value("Famille Martin")
    expect(page.locator("#rdv-consent")).to_be_checked()
    assert bookings(site) == []
    page.fill("#rdv-application-2", "fghij67890")
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()

    [booking] = bookings(site)
    assert booking["application_ids"] == ["ABCDE12345", "FGHIJ67890"]
    start = datetime.datetime.fromisoformat(booking["start"])
    end = datetime.datetime.fromisoformat(booking["end"])
    assert start == datetime.datetime.fromisoformat(at(day, "10:00"))
    assert end - start == datetime.timedelta(minutes=40)
    expect(page.locator(".rendezvous-booking-details")).to_contain_text(booking["code"])
    # Both numbers declared once, with the Paris time of the appointment.
    wait_for(lambda: ants.of("ABCDE12345") and ants.of("FGHIJ67890"))
    [declared] = ants.of("FGHIJ67890")
    assert str(declared["appointment_date"]).startswith(f"{day.isoformat()} 10:00")
    posts = [m for m, _p in ants.writes() if m == "POST"]
    assert len(posts) == 2

    # On the booked counter, two documents can no longer start at 09:40
    # (it would run into 10:00), 10:00 or 10:20; 10:40 can.
    response = anonymous.get(
        site["slots"],
        params={
            "type": site["type"]["UID"],
            "start": day.isoformat(),
            "end": day.isoformat(),
            "counter": booking["counter"],
            "documents_number": "2",
        },
    )
    assert response.status_code == 200, response.text
    starts = {item["start"] for item in response.json()["items"]}
    assert not {at(day, hhmm) for hhmm in ("09:40", "10:00", "10:20")} & starts
    assert at(day, "10:40") in starts

    # A second family, from the site's own page: two documents chosen on
    # the day step; the times shown are the starts of two free slots in a
    # row (on any counter), and the length is said.
    page.goto(
        f"{site['folder']['@id']}?appointment_type={site['type']['UID']}"
        f"&month={day:%Y-%m}&day={day.isoformat()}"
    )
    page.locator(".rendezvous-documents").get_by_role("link", name="2").click()
    expect(page.locator(".rendezvous-documents")).to_contain_text("40 minutes")
    times = page.locator(".rendezvous-slots a")
    texts = [re.match(r"\d\d:\d\d", t).group(0) for t in times.all_inner_texts()]
    # 11:40 is the morning's last slot: too short for two documents.
    assert texts[0] == "09:00" and "11:20" in texts and "11:40" not in texts
    times.filter(has_text="11:20").first.click()
    expect(page.locator("input[name='application_ids:list']")).to_have_count(2)
    page.fill("#rdv-beneficiary", "Famille Petit")
    page.fill("#rdv-email", "petit@example.org")
    page.fill("#rdv-application-1", "KLMNO13579")
    page.fill("#rdv-application-2", "PQRST24680")
    page.check("#rdv-consent")
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    second = [b for b in bookings(site) if b["beneficiary"] == "Famille Petit"]
    assert len(second) == 1
    assert datetime.datetime.fromisoformat(
        second[0]["end"]
    ) == datetime.datetime.fromisoformat(at(day, "12:00"))
