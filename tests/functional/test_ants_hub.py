"""The requests of the ANTS national hub over HTTP (issue 14): the token,
the meeting points, the free slots and the bookings by application id.

The site's wall-clock time is written with a literal Z (the hub shows the
hour it receives); dates are computed from today.
"""

from helpers import form_fields
from helpers import next_weekday
from helpers import owner_page_session
from test_gateway_secrets import stored  # noqa: F401 - fixture
from zoneinfo import ZoneInfo

import datetime
import hashlib
import pytest
import transaction


TOKEN = "hub-secret-token-1234"
HEADERS = {"X-HUB-RDV-AUTH-TOKEN": TOKEN}
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
CITIZEN = {
    "beneficiary": "Jeanne Martin",
    "email": "jeanne@example.org",
    "phone": "06 12 34 56 78",
}
MORNING = [f"{h:02d}:{m:02d}" for h in (9, 10, 11) for m in (0, 20, 40)]


def next_monday(after_days: int = 7) -> datetime.date:
    return next_weekday(0, after_days)


def at(day: datetime.date, hhmm: str) -> str:
    hour, minute = (int(part) for part in hhmm.split(":"))
    moment = datetime.datetime.combine(day, datetime.time(hour, minute))
    return moment.replace(tzinfo=ZoneInfo("Europe/Paris")).isoformat()


@pytest.fixture
def site(portal_url, manager):
    """Three places: "Mairie" (id 101: two CNI counters, one CNI-PASSPORT),
    "Annexe" (no id: one CNI counter), "Police" (a type without reason)."""
    response = manager.patch(
        f"{portal_url}/@controlpanels/rendezvous",
        json={
            "ants_enabled": True,
            "ants_hub_token_hash": TOKEN,
            "public_url": portal_url,
        },
    )
    assert response.status_code == 204, response.text
    folder = manager.post(
        portal_url, json={"@type": "RendezvousFolder", "title": "Rendez-vous"}
    ).json()
    week = manager.post(
        folder["@id"],
        json={
            "@type": "ReferenceWeek",
            "title": "Semaine",
            **dict.fromkeys(WORKDAYS, ["09h00-12h00"]),
        },
    ).json()

    def kind(title, reason):
        body = {
            "@type": "AppointmentType",
            "title": title,
            "detail": title,
            "duration": 20,
            "horizon": "6m",
        }
        if reason:
            body["ants_reason"] = reason
        response = manager.post(folder["@id"], json=body)
        assert response.status_code == 201, response.text
        return response.json()

    types = {
        "cni": kind("Carte d'identité", "CNI"),
        "both": kind("CNI et passeport", "CNI-PASSPORT"),
        "other": kind("Objets trouvés", None),
    }

    def place(title, **fields):
        body = {"@type": "Place", "title": title, **fields}
        response = manager.post(folder["@id"], json=body)
        assert response.status_code == 201, response.text
        return response.json()

    places = {
        "mairie": place(
            "Mairie",
            address="1 rue de la Paix\n75001 Paris",
            ants_meeting_point_id="101",
            latitude=48.8686,
            longitude=2.3314,
            zip_code="75001",
            city_name="Paris",
            ants_website="https://www.example.org",
            ants_logo_url="https://www.example.org/logo.png",
        ),
        "annexe": place("Annexe", address="2 place du Marché"),
        "police": place("Police", address="3 rue du Bac"),
    }
    schedule = [
        {
            "week": week["UID"],
            "start": datetime.date.today().isoformat(),
            "end": (datetime.date.today() + datetime.timedelta(days=120)).isoformat(),
        }
    ]
    counters = {}
    for name, where, what in (
        ("m1", "mairie", "cni"),
        ("m2", "mairie", "cni"),
        ("m3", "mairie", "both"),
        ("a1", "annexe", "cni"),
        ("p1", "police", "other"),
    ):
        response = manager.post(
            places[where]["@id"],
            json={
                "@type": "Counter",
                "title": f"Guichet {name}",
                "appointment_type": types[what]["UID"],
                "schedule": schedule,
            },
        )
        assert response.status_code == 201, response.text
        counters[name] = response.json()
    return {
        "portal_url": portal_url,
        "folder": folder,
        "types": types,
        "places": places,
        "counters": counters,
        "ants": f"{portal_url}/@ants",
    }


def slots(session, site, day, reason=None, documents=None, ids=("101",)):
    query = [("meeting_point_ids", point) for point in ids]
    query += [("start_date", day.isoformat()), ("end_date", day.isoformat())]
    if reason:
        query.append(("reason", reason))
    if documents:
        query.append(("documents_number", str(documents)))
    response = session.get(
        f"{site['ants']}/availableTimeSlots", params=query, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return response.json()


def times(entries) -> list[str]:
    return [entry["datetime"][11:16] for entry in entries]


def book(session, site, kind, start, place="mairie"):
    response = session.post(
        f"{site['folder']['@id']}/@bookings",
        json={
            "type": site["types"][kind]["UID"],
            "place": site["places"][place]["UID"],
            "start": start,
            **CITIZEN,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_token_required(site, anonymous, manager):
    url = f"{site['ants']}/getManagedMeetingPoints"
    refused = {
        "error": {
            "code": 401,
            "message": "The X-HUB-RDV-AUTH-TOKEN header is missing or wrong.",
        }
    }
    for headers in ({}, {"X-HUB-RDV-AUTH-TOKEN": TOKEN + "x"}):
        response = anonymous.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == refused
    # Not even a manager without the token.
    assert manager.get(url).status_code == 401
    assert anonymous.get(url, headers=HEADERS).status_code == 200
    # ANTS turned off: the right token is refused too.
    response = manager.patch(
        f"{site['portal_url']}/@controlpanels/rendezvous",
        json={"ants_enabled": False},
    )
    assert response.status_code == 204
    response = anonymous.get(url, headers=HEADERS)
    assert response.status_code == 401
    assert response.json() == refused


def test_token_write_only_and_hashed(site, manager, stored):  # noqa: F811
    panel = f"{site['portal_url']}/@controlpanels/rendezvous"
    body = manager.get(panel).json()
    assert "ants_hub_token_hash" not in body["data"]
    assert "ants_token" not in body["data"]
    assert body["schema"]["properties"]["ants_token"]["widget"] == "password"
    assert TOKEN not in manager.get(panel).text
    assert stored("ants_hub_token_hash") == hashlib.sha256(TOKEN.encode()).hexdigest()
    # The outbound token: taken, never returned.
    response = manager.patch(panel, json={"ants_token": "outbound-secret"})
    assert response.status_code == 204
    assert "outbound-secret" not in manager.get(panel).text
    # A custom address over plain http only on this machine.
    response = manager.patch(panel, json={"ants_custom_url": "http://ants.example"})
    assert response.status_code == 400
    assert "http:// is accepted only for this machine" in response.text
    response = manager.patch(
        panel,
        json={"ants_environment": "custom", "ants_custom_url": "http://127.0.0.1:9/a"},
    )
    assert response.status_code == 204, response.text
    assert stored("ants_custom_url") == "http://127.0.0.1:9/a"
    assert stored("ants_token") == "outbound-secret"


def test_form_hashes_the_hub_token_and_keeps_it(site, stored):  # noqa: F811
    """The HTML form: both token fields empty, never echoed; left empty, the
    tokens are kept; typed in, the hub's is stored as its SHA-256."""
    form_url = f"{site['portal_url']}/@@rendezvous-controlpanel"
    with owner_page_session() as browser:
        html = browser.get(form_url).text
        assert TOKEN not in html
        fields = form_fields(html, "rendezvous-controlpanel")
        values = dict(fields)
        assert values["form.widgets.ants_hub_token_hash"] == ""
        assert values["form.widgets.ants_token"] == ""
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
        assert (
            stored("ants_hub_token_hash") == hashlib.sha256(TOKEN.encode()).hexdigest()
        )
        fields = [
            (name, "new-hub-token" if name.endswith("ants_hub_token_hash") else value)
            for name, value in form_fields(
                browser.get(form_url).text, "rendezvous-controlpanel"
            )
        ]
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
    assert stored("ants_hub_token_hash") == hashlib.sha256(b"new-hub-token").hexdigest()


def test_meeting_points(site, anonymous):
    response = anonymous.get(f"{site['ants']}/getManagedMeetingPoints", headers=HEADERS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == [
        {
            "id": site["places"]["annexe"]["UID"],
            "name": "Annexe",
            "longitude": None,
            "latitude": None,
            "public_entry_address": "2 place du Marché",
            "zip_code": "",
            "city_name": "",
        },
        {
            "id": "101",
            "name": "Mairie",
            "longitude": 2.3314,
            "latitude": 48.8686,
            "public_entry_address": "1 rue de la Paix, 75001 Paris",
            "zip_code": "75001",
            "city_name": "Paris",
            "website": "https://www.example.org",
            "city_logo": "https://www.example.org/logo.png",
        },
    ]


def test_slots_paris_time_no_duplicates(site, anonymous):
    """Three counters, two types at the Mairie: each time once, sorted, in
    Paris wall-clock time with a Z; the link fills in the booking page."""
    monday = next_monday()
    body = slots(anonymous, site, monday)
    assert list(body) == ["101"]
    assert [entry["datetime"] for entry in body["101"]] == [
        f"{monday.isoformat()}T{hhmm}Z" for hhmm in MORNING
    ]
    first = body["101"][0]["callback_url"]
    slot = at(monday, "09:00").replace(":", "%3A").replace("+", "%2B")
    assert first == (
        f"{site['folder']['@id']}?appointment_type={site['types']['cni']['UID']}"
        f"&place={site['places']['mairie']['UID']}&documents_number=1"
        f"&month={monday:%Y-%m}&day={monday.isoformat()}&slot={slot}"
    )
    # The booking page opens on that type, place and time.
    page = anonymous.get(first, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Carte d&#x27;identité" in page.text or "Carte d'identité" in page.text


def test_reason_and_documents_number(site, anonymous, manager):
    """PASSPORT is served by the CNI-PASSPORT counter only; with two
    documents, two consecutive free slots of one counter are needed."""
    monday = next_monday()
    book(anonymous, site, "both", at(monday, "10:00"))
    # Several documents are booked together only where one pre-application
    # number is asked per document.
    response = manager.patch(
        site["types"]["both"]["@id"], json={"ants_requires_number": True}
    )
    assert response.status_code == 204, response.text
    passport = slots(anonymous, site, monday, reason="PASSPORT")
    assert times(passport["101"]) == [t for t in MORNING if t != "10:00"]
    # CNI: the Mairie's two CNI counters still offer 10:00.
    assert times(slots(anonymous, site, monday, reason="CNI")["101"]) == MORNING
    two = slots(anonymous, site, monday, reason="PASSPORT", documents=2)
    assert times(two["101"]) == ["09:00", "09:20", "10:20", "10:40", "11:00", "11:20"]
    assert all("&documents_number=2&" in e["callback_url"] for e in two["101"])
    three = slots(anonymous, site, monday, reason="CNI-PASSPORT", documents=3)
    assert times(three["101"]) == ["09:00", "10:20", "10:40", "11:00"]
    # More documents than one booking takes (MAX_NUMBERS): a valid request,
    # but no time is offered, rather than a link to a page that cannot book it.
    six = slots(anonymous, site, monday, reason="CNI-PASSPORT", documents=6)
    assert six == {"101": []}
    # The CNI type books one person at a time (its page and @slots take one
    # document): the hub gets no two-document time from its two counters,
    # rather than a link to a page that would book one slot. The
    # CNI-PASSPORT counter still offers its own.
    two_cni = slots(anonymous, site, monday, reason="CNI", documents=2)["101"]
    assert two_cni == two["101"]
    assert all(site["types"]["both"]["UID"] in e["callback_url"] for e in two_cni)
    assert times(slots(anonymous, site, monday, reason="CNI")["101"]) == MORNING


def test_repeated_keys_without_brackets(site, anonymous):
    monday = next_monday()
    annexe = site["places"]["annexe"]["UID"]
    body = slots(anonymous, site, monday, ids=("101", annexe, "999", "101"))
    assert list(body) == ["101", annexe]
    assert times(body[annexe]) == MORNING
    # The police's type serves no ANTS reason: its place is unknown here.
    police = site["places"]["police"]["UID"]
    assert slots(anonymous, site, monday, ids=(police,)) == {}


@pytest.mark.parametrize(
    "query, message",
    [
        ("reason=ID", "Invalid reason: use CNI, PASSPORT or CNI-PASSPORT."),
        ("start_date=2027-01-02&end_date=2027-01-01", "start_date is after end_date."),
        ("start_date=02/01/2027", "start_date: write the date as YYYY-MM-DD"),
        ("documents_number=0", "documents_number must be a whole number from 1"),
        ("meeting_point_ids=", "The parameter meeting_point_ids is required."),
    ],
)
def test_bad_parameters(site, anonymous, query, message):
    params = {
        "meeting_point_ids": "101",
        "start_date": "2027-01-01",
        "end_date": "2027-01-31",
    }
    for pair in query.split("&"):
        key, value = pair.split("=")
        params[key] = value
    response = anonymous.get(
        f"{site['ants']}/availableTimeSlots", params=params, headers=HEADERS
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == 400
    assert body["error"]["message"].startswith(message)


def test_search_application_ids(site, anonymous, functional_portal):
    monday = next_monday()
    booked = book(anonymous, site, "cni", at(monday, "10:20"))
    other = book(anonymous, site, "cni", at(monday, "11:00"))
    transaction.abort()
    folder = functional_portal[site["folder"]["@id"].rsplit("/", 1)[1]]
    changed = []
    for code, numbers in (
        (booked["code"], ("ABCDE12345", "FGHIJ67890")),
        (other["code"], ("KLMNO11111",)),
    ):
        for name in ("m1", "m2", "m3"):
            counter = folder.unrestrictedTraverse(
                site["counters"][name]["@id"].split(folder.getId() + "/", 1)[1]
            )
            booking = counter._getOb(code.lower(), None)
            if booking is not None:
                booking.application_ids = numbers
                changed.append(code)
    transaction.commit()
    assert sorted(changed) == sorted((booked["code"], other["code"]))
    # The other one was cancelled: no longer found.
    response = anonymous.post(
        f"{site['folder']['@id']}/@bookings/{other['code']}/cancel",
        headers={"X-Rendezvous-Token": other["token"]},
        json={},
    )
    assert response.status_code in (200, 204), response.text
    response = anonymous.get(
        f"{site['ants']}/searchApplicationIds"
        "?application_ids=abcde12345;fghij67890&application_ids=ZZZZZ99999"
        "&application_ids=KLMNO11111",
        headers=HEADERS,
    )
    assert response.status_code == 200, response.text
    page = f"{site['folder']['@id']}/rendezvous-manage/{booked['code']}"
    entry = {
        "meeting_point": "Mairie",
        "datetime": f"{monday.isoformat()}T10:20Z",
        "management_url": page,
        "cancel_url": page,
    }
    assert response.json() == {
        "ABCDE12345": [entry],
        "FGHIJ67890": [entry],
        "ZZZZZ99999": [],
        "KLMNO11111": [],
    }
    response = anonymous.get(
        f"{site['ants']}/searchApplicationIds?application_ids=ABC",
        headers=HEADERS,
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        'Invalid application id "ABC": 10 letters and digits are expected.'
    )


def test_type_and_place_fields_over_rest(site, manager):
    """The ANTS fields go through the content API's validation."""
    kind = site["types"]["other"]["@id"]
    assert manager.get(kind).json()["ants_reason"] == {
        "title": "None (not offered on the ANTS site)",
        "token": "none",
    }
    assert manager.patch(kind, json={"ants_reason": "PASSPORT"}).status_code == 204
    assert manager.get(kind).json()["ants_reason"]["token"] == "PASSPORT"
    response = manager.patch(kind, json={"ants_reason": "ID"})
    assert response.status_code == 400
    assert manager.get(kind).json()["ants_reason"]["token"] == "PASSPORT"
    assert manager.patch(kind, json={"ants_reason": "none"}).status_code == 204
    assert manager.get(kind).json()["ants_reason"]["token"] == "none"
    place = site["places"]["annexe"]["@id"]
    response = manager.patch(place, json={"latitude": 123.0})
    assert response.status_code == 400
    response = manager.patch(place, json={"ants_website": "not a url"})
    assert response.status_code == 400
    assert manager.get(place).json()["latitude"] is None


def test_hidden_places_and_types_are_not_offered(site, manager, anonymous):
    """The citizens' rules: a place or a type hidden from the portal is not
    a meeting point, and offers no slot to the hub."""
    monday = next_monday()
    annexe = site["places"]["annexe"]["UID"]
    response = manager.patch(
        site["places"]["annexe"]["@id"], json={"portal_visible": False}
    )
    assert response.status_code == 204
    response = manager.patch(
        site["types"]["both"]["@id"], json={"portal_visible": False}
    )
    assert response.status_code == 204
    points = anonymous.get(
        f"{site['ants']}/getManagedMeetingPoints", headers=HEADERS
    ).json()
    assert [point["id"] for point in points] == ["101"]
    assert slots(anonymous, site, monday, ids=("101", annexe)) == {
        "101": [
            {"datetime": f"{monday.isoformat()}T{hhmm}Z", "callback_url": url}
            for hhmm, url in zip(
                MORNING,
                [
                    e["callback_url"]
                    for e in slots(anonymous, site, monday, ids=("101",))["101"]
                ],
                strict=True,
            )
        ]
    }
    assert slots(anonymous, site, monday, reason="PASSPORT") == {"101": []}


def test_form_refuses_a_plain_http_address(site, stored):  # noqa: F811
    """The form checks the custom address like PATCH, and echoes no token."""
    form_url = f"{site['portal_url']}/@@rendezvous-controlpanel"
    with owner_page_session() as browser:
        fields = [
            (
                name,
                {
                    "form.widgets.ants_custom_url": "http://ants.example/api",
                    "form.widgets.ants_token": "typed-outbound-token",
                }.get(name, value),
            )
            for name, value in form_fields(
                browser.get(form_url).text, "rendezvous-controlpanel"
            )
        ]
        fields.append(("form.buttons.save", "Save"))
        response = browser.post(form_url, data=fields, allow_redirects=False)
    assert response.status_code == 200
    assert "http:// is accepted only for this machine" in response.text
    assert "typed-outbound-token" not in response.text
    assert stored("ants_custom_url") is None
    assert stored("ants_token") == ""


def test_options_mapped_to_reasons(site, anonymous, manager):
    """The manual's "Pièces d'identité": one type whose options are the
    requests. Each option serves its reason, the hub's link chooses it, and
    the withdrawal option asks no pre-application number."""
    from test_bookings_api import CITIZEN

    both = site["types"]["both"]
    refused = manager.patch(
        both["@id"],
        json={
            "options": ["CNI", "Passeport", "Retrait"],
            "ants_option_reasons": [{"option": "Permis", "reason": "CNI"}],
        },
    )
    assert refused.status_code == 400, refused.text
    assert "Permis" in refused.text
    assert manager.get(both["@id"]).json()["options"] == []
    mapping = [
        {"option": "CNI", "reason": "CNI"},
        {"option": "Passeport", "reason": "PASSPORT"},
        {"option": "Retrait", "reason": ""},
    ]
    twice = manager.patch(
        both["@id"],
        json={
            "options": ["CNI", "Passeport", "Retrait"],
            "ants_option_reasons": [*mapping, {"option": "CNI", "reason": "CNI"}],
        },
    )
    assert twice.status_code == 400, twice.text
    response = manager.patch(
        both["@id"],
        json={
            "ants_reason": "",
            "ants_requires_number": True,
            "options": ["CNI", "Passeport", "Retrait"],
            "ants_option_reasons": mapping,
        },
    )
    assert response.status_code == 204, response.text
    monday = next_monday()
    passport = slots(anonymous, site, monday, reason="PASSPORT")["101"]
    assert times(passport) == MORNING
    assert all("&option=Passeport&" in e["callback_url"] for e in passport)
    # CNI: the first counters (the CNI type, by path) are linked.
    cni = slots(anonymous, site, monday, reason="CNI")["101"]
    assert "&option=" not in cni[0]["callback_url"]
    # The link opens the booking page with the option chosen and the
    # numbers asked; the withdrawal option asks none.
    page = anonymous.get(passport[0]["callback_url"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'name="application_ids:list"' in page.text
    withdrawal = anonymous.get(
        passport[0]["callback_url"].replace("option=Passeport", "option=Retrait"),
        headers={"Accept": "text/html"},
    )
    assert 'name="application_ids:list"' not in withdrawal.text

    def book_both(option, **extra):
        return anonymous.post(
            f"{site['folder']['@id']}/@bookings",
            json={
                "type": both["UID"],
                "start": at(monday, "10:00"),
                "option": option,
                **CITIZEN,
                **extra,
            },
        )

    missing = book_both("Passeport")
    assert missing.status_code == 400 and missing.json()["field"] == "application_ids"
    extra = book_both("Retrait", application_ids=["ABCDE12345"])
    assert extra.status_code == 400, extra.text
    assert "Retrait" in extra.json()["message"]
    done = book_both("Retrait")
    assert done.status_code == 201, done.text
    assert done.json()["application_ids"] == []


def test_edit_form_maps_options_in_one_save(site, manager):
    """The type's edit form: options and their ANTS reasons saved together;
    a reason for an option the type does not have is refused, nothing saved."""
    both = site["types"]["both"]
    url = f"{both['@id']}/@@edit"

    def post(options, rows):
        with owner_page_session() as browser:
            fields = [
                (name, value)
                for name, value in form_fields(browser.get(url).text, "@@edit")
                if not name.startswith("form.widgets.ants_option_reasons")
                and name != "form.widgets.options"
            ]
            fields.append(("form.widgets.options", "\n".join(options)))
            fields.append(("form.widgets.ants_option_reasons.count", str(len(rows))))
            for n, (option, reason) in enumerate(rows):
                prefix = f"form.widgets.ants_option_reasons.{n}.widgets"
                fields.append((f"{prefix}.option", option))
                fields.append((f"{prefix}.reason:list", reason or "none"))
                fields.append((f"{prefix}.reason-empty-marker", "1"))
                fields.append(
                    (f"form.widgets.ants_option_reasons.{n}-empty-marker", "1")
                )
            fields.append(("form.buttons.save", "Save"))
            return browser.post(url, data=fields, allow_redirects=False)

    refused = post(["CNI", "Passeport"], [("Permis", "CNI")])
    assert refused.status_code == 200, refused.text[-3000:]
    assert "Permis" in refused.text and "is not one of the options" in refused.text
    assert manager.get(both["@id"]).json()["options"] == []
    saved = post(
        ["CNI", "Passeport", "Retrait"], [("Passeport", "PASSPORT"), ("Retrait", "")]
    )
    assert saved.status_code == 302, saved.text[:3000]
    body = manager.get(both["@id"]).json()
    assert body["options"] == ["CNI", "Passeport", "Retrait"]
    assert body["ants_option_reasons"] == [
        {"option": "Passeport", "reason": "PASSPORT"},
        {"option": "Retrait", "reason": ""},
    ]
