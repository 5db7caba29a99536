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
