"""The citizens' page of an appointment service, over HTTP, without JavaScript."""

from helpers import cancel_on_private_page
from test_slots_api import next_weekday
from test_slots_api import site  # noqa: F401 - fixture

import pytest
import re
import requests


def test_steps(site, portal_url, manager):  # noqa: F811
    folder = site["folder"]["@id"]
    page = requests.get(folder, timeout=30)
    assert page.status_code == 200
    assert "Pièces d&#x27;identité" in page.text or "Pièces d'identité" in page.text
    manager.patch(site["type"]["@id"], json={"options": ["CNI", "Passeport"]})
    type_uid = site["type"]["UID"]
    page = requests.get(folder, params={"appointment_type": type_uid}, timeout=30)
    assert "Passeport" in page.text
    # No calendar before an option is chosen.
    assert "rendezvous-calendar" not in page.text
    monday = next_weekday(0)
    params = {
        "appointment_type": type_uid,
        "option": "Passeport",
        "month": monday.strftime("%Y-%m"),
        "day": monday.isoformat(),
    }
    page = requests.get(folder, params=params, timeout=30)
    assert page.status_code == 200
    assert "rendezvous-calendar" in page.text
    assert "Mairie" in page.text
    assert "Europe/Paris" in page.text
    # 2 counters x 9 slots on the chosen Monday: one button per time (the
    # service picks the counter), under the place, whose link chooses it.
    times = page.text.split('id="step-slot"', 1)[1]
    assert times.count("&amp;slot=") == 9
    assert times.count(">09:00<") == 1 and times.count(">11:40<") == 1
    assert times.count(f"place={site['place']['UID']}") == 9
    assert "Guichet" not in times


def test_garbage_parameters_fall_back(site):  # noqa: F811
    page = requests.get(
        site["folder"]["@id"],
        params={"appointment_type": "x" * 500, "month": "13-99", "day": "<script>"},
        timeout=30,
    )
    assert page.status_code == 200
    assert (
        "<script>"
        not in page.text.split("<body", 1)[1].split("rendezvous-booking")[1][:2000]
    )


def form_url(site, day, hhmm, **extra):  # noqa: F811
    from test_bookings_api import at

    params = {
        "appointment_type": site["type"]["UID"],
        "month": day.strftime("%Y-%m"),
        "day": day.isoformat(),
        "slot": at(day, hhmm),
        **extra,
    }
    return site["folder"]["@id"], params


PERSON = {
    "beneficiary": "Jeanne Martin",
    "email": "jeanne@example.org",
    "phone": "0612345678",
    "consent": "1",
    "submit": "1",
}


def bookings_of(manager, site):  # noqa: F811
    return manager.get(f"{site['folder']['@id']}/@bookings").json()["items"]


def test_book_cancel_through_pages(site, manager):  # noqa: F811
    day = next_weekday(0)
    url, params = form_url(site, day, "10:00")
    page = requests.get(url, params=params, timeout=30)
    assert 'name="beneficiary"' in page.text
    assert 'for="rdv-beneficiary"' in page.text
    response = requests.post(
        url, params=params, data=PERSON, allow_redirects=False, timeout=30
    )
    assert response.status_code == 302, response.text[:2000]
    location = response.headers["Location"]
    assert "rendezvous-manage?code=" in location and "token=" in location
    manage = requests.get(location, timeout=30)
    [booking] = bookings_of(manager, site)
    assert booking["code"] in manage.text
    assert "10:00" in manage.text
    assert "1 rue de la Paix" in manage.text
    # The token was exchanged for a cookie (issue 12): the page's address
    # and its .ics link no longer hold it.
    assert "token=" not in manage.url
    assert f'href="{manage.url.split("?")[0]}/ics"' in manage.text
    # The button asks for a confirmation first: one click cancels nothing.
    asked = requests.post(location, data={"cancel": "1"}, timeout=30)
    assert asked.status_code == 200
    assert "Cancel your appointment?" in asked.text
    assert "Yes, cancel my appointment" in asked.text
    assert bookings_of(manager, site)[0]["state"] == "booked"
    # A wrong confirmation key is asked again, and changes nothing.
    wrong = requests.post(
        location, data={"cancel": "1", "confirm": "0" * 32}, timeout=30
    )
    assert "Yes, cancel my appointment" in wrong.text
    assert bookings_of(manager, site)[0]["state"] == "booked"
    response = cancel_on_private_page(requests, location, timeout=30)
    assert response.status_code == 200
    assert "Your appointment is cancelled." in response.text
    assert bookings_of(manager, site)[0]["state"] == "cancelled"
    # A wrong token opens nothing.
    bad = requests.get(location.split("token=")[0] + "token=nope", timeout=30)
    assert bad.status_code == 404
    assert booking["code"] not in bad.text


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"consent": ""}, "accept the processing"),
        ({"email": "nope"}, "not a valid e-mail"),
        ({"beneficiary": ""}, "required"),
        ({"website": "http://spam.example"}, "could not be accepted"),
    ],
)
def test_refused_forms_book_nothing(site, manager, changes, text):  # noqa: F811
    url, params = form_url(site, next_weekday(1), "10:00")
    response = requests.post(url, params=params, data={**PERSON, **changes}, timeout=30)
    assert response.status_code == 200
    assert text in response.text
    assert bookings_of(manager, site) == []
    if "email" in changes:
        assert 'aria-describedby="rdv-email-error"' in response.text


def test_slot_taken_meanwhile(site, manager, anonymous):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book

    day = next_weekday(2)
    for _ in range(2):  # both counters
        assert book(anonymous, site, at(day, "10:00")).status_code == 201
    url, params = form_url(site, day, "10:00")
    response = requests.post(
        url, params=params, data=PERSON, allow_redirects=False, timeout=30
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    # The form stays, with what was typed (consent too), and offers the
    # closest free times as choices, without 10:00 (issue 13).
    text = response.text
    assert 'value="Jeanne Martin"' in text and 'value="jeanne@example.org"' in text
    assert 'value="0612345678"' in text
    assert re.search(r'checked="checked"\s+name="consent"', text)
    assert "what you typed is kept" in text
    offered = re.findall(r'name="slot"\s+type="radio"\s+value="([^"|]+)\|', text)
    assert at(day, "09:40") in offered and at(day, "10:20") in offered
    assert at(day, "10:00") not in offered
    assert len(bookings_of(manager, site)) == 2
    # Choosing one of them books it, with the details typed before.
    params.pop("slot")  # the form posts its slot, not the URL's
    response = requests.post(
        url,
        params=params,
        data={**PERSON, "slot": f"{at(day, '10:20')}|{site['place']['UID']}"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    booked = [b for b in bookings_of(manager, site) if b["start"] == at(day, "10:20")]
    assert [b["beneficiary"] for b in booked] == ["Jeanne Martin"]


def test_move_through_pages(site, manager, anonymous):  # noqa: F811
    from test_bookings_api import at
    from test_bookings_api import book

    day = next_weekday(3)
    booked = book(anonymous, site, at(day, "09:00")).json()
    url, params = form_url(
        site, day, "11:00", move=booked["code"], token=booked["token"]
    )
    page = requests.get(url, params=params, timeout=30)
    assert "Move my appointment here" in page.text
    response = requests.post(
        url, params=params, data={"submit": "1"}, allow_redirects=False, timeout=30
    )
    assert response.status_code == 302, response.text[:2000]
    assert "moved=1" in response.headers["Location"]
    [booking] = bookings_of(manager, site)
    assert booking["start"] == at(day, "11:00")
    assert booking["previous_start"] == at(day, "09:00")
    # The page says which appointment is moved (issue 13).
    page = requests.get(url, params=params, timeout=30)
    assert "You are moving your appointment of" in page.text
    # Moving to a time taken meanwhile: refused, the closest times offered.
    for _ in range(2):
        assert book(anonymous, site, at(day, "11:20")).status_code == 201
    url, params = form_url(
        site, day, "11:20", move=booked["code"], token=booked["token"]
    )
    response = requests.post(url, params=params, data={"submit": "1"}, timeout=30)
    assert response.status_code == 200
    assert "just been taken" in response.text
    assert "Choose another time</legend>" in response.text
    assert 'type="radio"' in response.text
    [mine] = [b for b in bookings_of(manager, site) if b["code"] == booked["code"]]
    assert mine["start"] == at(day, "11:00")


def test_rate_limit(site, manager, portal_url):  # noqa: F811
    manager.patch(
        f"{portal_url}/@controlpanels/rendezvous", json={"bookings_per_hour": 2}
    )
    day = next_weekday(4)
    statuses = []
    for hhmm in ("09:00", "09:20", "09:40"):
        url, params = form_url(site, day, hhmm)
        response = requests.post(
            url, params=params, data=PERSON, allow_redirects=False, timeout=30
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert "Too many bookings" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert len(bookings_of(manager, site)) == 2


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "text/calendar",
        "*/*",
    ],
)
def test_ics_link_for_browsers(site, anonymous, accept):  # noqa: F811
    """The private page's .ics link answers a browser, whatever it accepts."""
    from test_bookings_api import at
    from test_bookings_api import book

    booked = book(anonymous, site, at(next_weekday(3), "09:20")).json()
    url = f"{site['folder']['@id']}/@bookings/{booked['code']}/ics"
    headers = {"Accept": accept} if accept else {}
    response = requests.get(
        url, params={"token": booked["token"]}, headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{booked["code"]}.ics"'
    )
    assert b"BEGIN:VEVENT" in response.content
    assert booked["code"].encode() in response.content
    # Without the token, or with a wrong one: refused, no event.
    refused = requests.get(url, headers=headers, timeout=30)
    assert refused.status_code == 401 and b"VEVENT" not in refused.content
    refused = requests.get(url, params={"token": "nope"}, headers=headers, timeout=30)
    assert refused.status_code == 404 and b"VEVENT" not in refused.content
    # Nothing else is published under this name for browsers.
    other = requests.get(
        url.removesuffix("/ics"), params={"token": booked["token"]}, timeout=30
    )
    assert other.status_code == 404


def test_all_errors_at_once_values_kept(site, manager):  # noqa: F811
    """Every refused field is shown in one go, and nothing typed is lost."""
    url, params = form_url(site, next_weekday(1), "10:20")
    data = {**PERSON, "beneficiary": "", "email": "nope", "phone": "12"}
    del data["consent"]
    response = requests.post(url, params=params, data=data, timeout=30)
    assert response.status_code == 200
    text = response.text
    for field in ("beneficiary", "email", "phone", "consent"):
        assert f'rdv-{field}-error"' in text, field
    assert "This field is required." in text
    assert "not a valid e-mail" in text
    assert "not a valid phone number" in text
    assert "accept the processing" in text
    assert 'value="nope"' in text and 'value="12"' in text
    # With consent ticked, the other errors stay, and the box stays ticked.
    response = requests.post(
        url, params=params, data={**data, "consent": "1"}, timeout=30
    )
    assert "not a valid e-mail" in response.text
    assert "not a valid phone number" in response.text
    assert "accept the processing" not in response.text
    assert re.search(r'checked="checked"\s+name="consent"', response.text)
    assert bookings_of(manager, site) == []


@pytest.mark.parametrize(
    ("when", "text"),
    [
        ("past", "can no longer be booked"),
        ("beyond", "cannot be booked yet"),
        ("off-grid", "not the start of a slot"),
        ("closed", "not the start of a slot"),
    ],
)
def test_unbookable_slot_in_the_url(site, manager, when, text):  # noqa: F811
    """Said at once, with the closest free times instead of the form."""

    import datetime

    day = {
        "past": next_weekday(0, after_days=-14),
        "beyond": next_weekday(0, after_days=800),
        "off-grid": next_weekday(0),
        "closed": next_weekday(6),
    }[when]
    hhmm = "10:07" if when == "off-grid" else "10:00"
    url, params = form_url(site, day, hhmm)
    page = requests.get(url, params=params, timeout=30)
    assert page.status_code == 200
    assert text in page.text
    assert 'name="beneficiary"' not in page.text
    links = re.findall(r'class="rendezvous-alternatives">(.*?)</ul>', page.text, re.S)
    assert links and links[0].count("<a ") >= 1
    if when == "beyond":
        assert "open on" in page.text
    if when in ("off-grid", "closed"):
        # The closest ones: around the date asked for.
        starts = re.findall(r"slot=(\d{4}-\d\d-\d\d)T", links[0])
        assert all(
            abs((datetime.date.fromisoformat(s) - day).days) <= 3 for s in starts
        )
    # A post on it books nothing.
    response = requests.post(url, params=params, data=PERSON, timeout=30)
    assert response.status_code == 200
    assert bookings_of(manager, site) == []
