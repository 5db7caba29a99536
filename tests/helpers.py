"""Helpers shared by the tests (importable as ``helpers``: tests/ is on sys.path)."""


def json_session(user: str | None = None, password: str | None = None):
    """A requests session speaking JSON, logged in when a user is given."""
    import requests

    session = requests.Session()
    session.headers.update({"Accept": "application/json"})
    if user:
        session.auth = (user, password)
    return session


def make_service(
    portal,
    type_title: str = "CNI",
    duration: int = 20,
    place_title: str = "Mairie",
    address: str = "1 rue",
    counter_title: str = "Guichet",
):
    """In-process (integration layer): a service with one week (weekdays
    09h00-12h00), one type (``3m`` horizon), one place and one counter
    scheduled for 80 days, its slots generated; (folder, type, counter).
    The test user is made a Manager."""
    from collective.rendezvous.slots.generation import regenerate
    from plone import api
    from plone.app.testing import setRoles
    from plone.app.testing import TEST_USER_ID

    import datetime

    setRoles(portal, TEST_USER_ID, ["Manager"])
    folder = api.content.create(portal, "RendezvousFolder", id="rdv", title="RDV")
    week = api.content.create(
        folder,
        "ReferenceWeek",
        id="week",
        title="Week",
        **dict.fromkeys(
            ("monday", "tuesday", "wednesday", "thursday", "friday"), ["09h00-12h00"]
        ),
    )
    kind = api.content.create(
        folder,
        "AppointmentType",
        id="kind",
        title=type_title,
        detail="d",
        duration=duration,
        horizon="3m",
    )
    place = api.content.create(
        folder, "Place", id="place", title=place_title, address=address
    )
    today = datetime.date.today()
    counter = api.content.create(
        place,
        "Counter",
        id="counter",
        title=counter_title,
        appointment_type=kind.UID(),
        schedule=[
            {
                "week": week.UID(),
                "start": today,
                "end": today + datetime.timedelta(days=80),
            }
        ],
    )
    regenerate(counter)
    return folder, kind, counter


def page_session(user: str | None = None, password: str | None = None):
    """A requests session as a browser's (HTML), logged in when a user is given."""
    import requests

    session = requests.Session()
    if user:
        session.auth = (user, password)
    return session


def owner_page_session():
    """``page_session`` of the site owner (Manager)."""
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD

    return page_session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD)


CONFIRM_KEY = r'name="confirm"\s+type="hidden"\s+value="([0-9a-f]+)"'


def cancel_on_private_page(session, url, data=None, **kwargs):
    """Cancel from the citizen's private page as a person does: the button
    (which only asks for a confirmation), then "Yes, cancel" (issue 13).
    ``session`` is a requests session or the ``requests`` module."""
    import re

    data = {**(data or {}), "cancel": "1"}
    asked = session.post(url, data=data, **kwargs)
    match = re.search(CONFIRM_KEY, asked.text)
    if match is None:  # refused (or nothing to confirm): what the page said
        return asked
    return session.post(url, data={**data, "confirm": match.group(1)}, **kwargs)


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """What a browser posts, unchanged, for the form whose action ends with
    ``action``: its text, hidden and password inputs, checked boxes and
    radios, selected options and text areas (no buttons)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.inside, self.select, self.textarea = [], False, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = (attrs.get("action") or "").endswith(action)
            if not self.inside:
                return
            kind = (attrs.get("type") or "text").lower()
            if (
                tag == "input"
                and attrs.get("name")
                and kind not in ("submit", "button")
            ):
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.fields.append((attrs["name"], attrs.get("value") or ""))
            elif tag == "select":
                self.select = attrs.get("name")
            elif tag == "option" and self.select and "selected" in attrs:
                self.fields.append((self.select, attrs.get("value") or ""))
            elif tag == "textarea":
                self.textarea = [attrs.get("name"), ""]

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea" and self.textarea is not None:
                self.fields.append(tuple(self.textarea))
                self.textarea = None

    reader = Reader()
    reader.feed(html)
    assert reader.fields, f"no form posting to {action}"
    return reader.fields


def cookie_session(portal_url: str, user: str, password: str):
    """A requests session logged in through Plone's login form, as a browser:
    its only credentials are the ``__ac`` cookie (no Authorization header)."""
    import re
    import requests

    session = requests.Session()
    page = session.get(f"{portal_url}/login", timeout=30)
    button = re.search(r'<(?:input|button)[^>]*name="([^"]*buttons\.login)"', page.text)
    assert button, "no login button in the login form"
    response = session.post(
        f"{portal_url}/login",
        data={
            "__ac_name": user,
            "__ac_password": password,
            button.group(1): "Log in",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.status_code
    assert session.cookies.get("__ac"), "the login form set no __ac cookie"
    return session


def csrf_token(session, portal_url: str) -> str:
    """plone.protect's token of the session's user, read from the site's page
    (its toolbar's links carry it, as the site's own forms do)."""
    import re

    page = session.get(portal_url, timeout=30)
    match = re.search(r"_authenticator(?:=|\" value=\")([0-9a-f]{40})", page.text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def today():
    """Today at the sites the tests build (Paris), not on the machine's
    clock: from 22:00 or 23:00 UTC, Paris is already on the next day (and
    the next month on the last day of one)."""
    from zoneinfo import ZoneInfo

    import datetime

    return datetime.datetime.now(ZoneInfo("Europe/Paris")).date()


def holiday_free_week(monday) -> bool:
    """Whether no day of the week starting on ``monday`` is a public holiday.

    Both regions the tests use count, so a test that switches the site to
    Alsace-Moselle still finds the week open (Saint Stephen's Day).
    """
    from collective.rendezvous.scheduling.calendar import french_holidays

    import datetime

    days = {monday + datetime.timedelta(days=n) for n in range(7)}
    years = {day.year for day in days}
    return not any(
        days & set(french_holidays(years, region))
        for region in ("metropole", "alsace-moselle")
    )


def next_weekday(weekday: int, after_days: int = 7):
    """The first ``weekday`` at least ``after_days`` ahead in a week without holidays.

    Tests book on these days and count a week's free slots, so a week with
    Christmas or Ascension in it would close a day they expect open. A day
    in the past (``after_days`` < 0) looks further back, so that it stays
    in the past.
    """
    import datetime

    day = today() + datetime.timedelta(days=after_days)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    step = datetime.timedelta(days=7 if after_days >= 0 else -7)
    while not holiday_free_week(day - datetime.timedelta(days=day.weekday())):
        day += step
    return day
