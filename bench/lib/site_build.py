"""What the benchmarks' Zope-side scripts share: the admin, the site, the service.

``booking_site.py`` and ``slots_site.py`` are run by ``zconsole run``, which
gives them no ``__file__``: each finds this module with its own short
``import_site_build``.
"""

from AccessControl.SecurityManagement import newSecurityManager
from zope.component.hooks import setSite

import datetime


SITE_ID = "Plone"
FOLDER_ID = "rendez-vous"
ADMIN = "admin"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def site_today() -> datetime.date:
    from collective.rendezvous.slots.generation import site_timezone

    return datetime.datetime.now(site_timezone()).date()


def login_admin(root, password: str | None = None) -> None:
    """Act as a Zope-level Manager ``admin`` (made on first use)."""
    users = root.acl_users
    if users.getUser(ADMIN) is None:
        users._doAddUser(ADMIN, password, ["Manager"], [])
    newSecurityManager(None, users.getUser(ADMIN).__of__(users))


def create_site(root):
    """A French classic Plone site (Europe/Paris) with the add-on installed."""
    from plone.base.utils import get_installer
    from Products.CMFPlone.factory import addPloneSite

    site = addPloneSite(
        root,
        SITE_ID,
        title="Bench",
        distribution_name="classic",
        setup_content=False,
        default_language="fr",
        portal_timezone="Europe/Paris",
    )
    setSite(site)
    get_installer(site, site.REQUEST).install_product("collective.rendezvous")
    return site


def create_service(
    site,
    today: datetime.date,
    *,
    workday: list[str],
    saturday: list[str],
    duration: int,
    horizon: str,
    places: int,
    counters_per_place: int,
    schedule_months: int,
):
    """One service: a week (Monday to Saturday, Saturday opened in the
    settings), one visible type, ``places`` places of ``counters_per_place``
    counters scheduled from today for ``schedule_months``.

    Returns (folder, type, schedule end, [(place, [counters])]).
    """
    from collective.rendezvous.controlpanels.settings import get_settings
    from plone import api

    get_settings().open_weekdays = [*WEEKDAYS, "saturday"]
    # Every simulated citizen books from the bench's one address, which the
    # limit per address (booking/ratelimit.py) would stop after 10, and whose
    # one counting entry would make all its bookings conflict. Citizens have
    # distinct e-mail addresses: the cap per contact stays on.
    get_settings().bookings_per_hour = 0
    folder = api.content.create(
        container=site, type="RendezvousFolder", id=FOLDER_ID, title="Rendez-vous"
    )
    week = api.content.create(
        container=folder,
        type="ReferenceWeek",
        id="semaine-type",
        title="Semaine type",
        saturday=list(saturday),
        sunday=[],
        **{day: list(workday) for day in WEEKDAYS},
    )
    kind = api.content.create(
        container=folder,
        type="AppointmentType",
        id="pieces-d-identite",
        title="Pièces d'identité",
        detail="CNI et passeport.",
        duration=duration,
        horizon=horizon,
        min_notice="",
        portal_visible=True,
    )
    end = add_months(today, schedule_months)
    made = []
    for p in range(1, places + 1):
        place = api.content.create(
            container=folder,
            type="Place",
            id=f"lieu-{p}",
            title=f"Lieu {p}",
            address=f"{p} place de la Mairie",
            portal_visible=True,
        )
        counters = [
            api.content.create(
                container=place,
                type="Counter",
                id=f"guichet-{c}",
                title=f"Guichet {c}",
                appointment_type=kind.UID(),
                schedule=[{"week": week.UID(), "start": today, "end": end}],
            )
            for c in range(1, counters_per_place + 1)
        ]
        made.append((place, counters))
    return folder, kind, end, made
