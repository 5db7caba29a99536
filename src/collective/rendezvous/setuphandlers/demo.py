"""The ``demo`` profile: a sample appointment service of a French town hall.

Demonstration data only, never for a production site: it creates two agent
accounts with a password printed in the documentation.

Applying the profile again creates nothing twice: every object, group and
user is looked up by its id first, and what exists already is left as it is
(an administrator's changes to the demo data are kept). A counter's schedule
is only written while it is empty.
"""

from collective.rendezvous import logger
from collective.rendezvous.content.apply import apply_week
from datetime import date
from datetime import datetime
from plone import api
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError


FOLDER_ID = "rendez-vous"

# Demo only: printed in docs/admin-guide.rst, so anybody can log in with it.
DEMO_PASSWORD = "demo-agent-2026"

SERVICES = (
    {
        "id": "service-population",
        "title": "Service population",
        "description": "Pièces d'identité et état civil.",
    },
    {
        "id": "service-urbanisme",
        "title": "Service urbanisme",
        "description": "Permis de construire, déclarations préalables, cadastre.",
    },
)

AGENTS = (
    {
        "username": "agent.population",
        "fullname": "Agent du service population (démo)",
        "email": "agent.population@example.org",
        "group": "service-population",
    },
    {
        "username": "agent.urbanisme",
        "fullname": "Agent du service urbanisme (démo)",
        "email": "agent.urbanisme@example.org",
        "group": "service-urbanisme",
    },
)

APPOINTMENT_TYPES = (
    {
        "id": "pieces-d-identite",
        "title": "Pièces d'identité",
        "detail": (
            "Dépôt d'une demande de carte nationale d'identité (CNI) ou de "
            "passeport, ou retrait du titre.\n\n"
            "Apportez : le numéro de votre pré-demande en ligne (ANTS) ou le "
            "formulaire rempli, une photo d'identité de moins de 6 mois, un "
            "justificatif de domicile de moins d'un an, votre ancien titre "
            "(ou une déclaration de perte ou de vol) et, s'il y a lieu, un "
            "timbre fiscal.\n\n"
            "La présence du demandeur est obligatoire, mineurs compris "
            "(accompagnés d'un parent). Un rendez-vous par personne."
        ),
        "duration": 20,
        "horizon": "2m",
        "min_notice": "60m",
        "options": ["CNI", "Passeport"],
        "services": ["service-population"],
        "portal_visible": True,
    },
    {
        "id": "etat-civil",
        "title": "État civil",
        "detail": (
            "Dépôt d'un dossier de mariage ou de PACS, reconnaissance "
            "anticipée d'un enfant, changement de prénom, demande de livret "
            "de famille.\n\n"
            "Apportez une pièce d'identité en cours de validité, un "
            "justificatif de domicile et les pièces du dossier (la liste vous "
            "est remise à l'accueil ou figure sur service-public.fr)."
        ),
        "duration": 30,
        "horizon": "3m",
        "min_notice": "1d",
        "options": [],
        "services": ["service-population"],
        "portal_visible": True,
    },
    {
        "id": "urbanisme",
        "title": "Urbanisme",
        "detail": (
            "Rendez-vous avec un instructeur du service urbanisme : conseil "
            "avant un permis de construire ou une déclaration préalable, "
            "consultation d'un dossier en cours. Pris par les agents, sur "
            "demande au 05 00 00 00 00."
        ),
        "duration": 45,
        "horizon": "2m",
        "min_notice": "2d",
        "options": [],
        "services": ["service-urbanisme"],
        # Back-office booking only: citizens ask the service by phone.
        "portal_visible": False,
    },
)

PLACES = (
    {
        "id": "mairie-centrale",
        "title": "Mairie centrale",
        "address": "Hôtel de Ville\n1 place de la République\n17000 Démoville",
        "portal_visible": True,
    },
    {
        "id": "mairie-annexe-du-port",
        "title": "Mairie annexe du Port",
        "address": "12 quai Louis Durand\n17000 Démoville",
        "portal_visible": True,
    },
)

WORKDAY = ["08h30-12h00", "13h30-17h00"]
SUMMER_DAY = ["09h00-12h00"]

WEEKS = (
    {
        "id": "semaine-standard",
        "title": "Semaine standard",
        "monday": WORKDAY,
        "tuesday": WORKDAY,
        "wednesday": WORKDAY,
        "thursday": WORKDAY,
        "friday": WORKDAY,
        "saturday": ["09h00-12h00"],
        "sunday": [],
    },
    {
        "id": "semaine-d-ete",
        "title": "Semaine d'été",
        "monday": SUMMER_DAY,
        "tuesday": SUMMER_DAY,
        "wednesday": SUMMER_DAY,
        "thursday": SUMMER_DAY,
        "friday": SUMMER_DAY,
        "saturday": [],
        "sunday": [],
    },
)

COUNTERS = (
    {
        "id": "guichet-1",
        "title": "Guichet 1 – Pièces d'identité",
        "place": "mairie-centrale",
        "appointment_type": "pieces-d-identite",
    },
    {
        "id": "guichet-2",
        "title": "Guichet 2 – État civil",
        "place": "mairie-centrale",
        "appointment_type": "etat-civil",
    },
    {
        "id": "guichet-urbanisme",
        "title": "Guichet Urbanisme",
        "place": "mairie-annexe-du-port",
        "appointment_type": "urbanisme",
    },
)


def site_today() -> date:
    """Today in the site's time zone (Europe/Paris when none is set)."""
    name = api.portal.get_registry_record("plone.portal_timezone", default=None)
    try:
        zone = ZoneInfo(name or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Paris")
    return datetime.now(zone).date()


def schedule_periods(today: date) -> list[tuple[str, date, date]]:
    """The periods of the demo schedule, in the order they are applied.

    The standard week from today to the end of next year, then the summer
    week over July and August of next year: applied later, it wins over
    those two months and splits the standard period in two, as the "Apply"
    action does. Result: standard until June 30, summer in July and August,
    standard again from September 1 to December 31 of next year.
    """
    next_year = today.year + 1
    return [
        ("semaine-standard", today, date(next_year, 12, 31)),
        ("semaine-d-ete", date(next_year, 7, 1), date(next_year, 8, 31)),
    ]


def ensure_content(container, portal_type: str, id: str, **fields):
    """The item ``id`` of ``container``, created with ``fields`` when missing.

    An existing item is returned unchanged. An item of another type under
    that id is left alone and None is returned.
    """
    existing = container.get(id)
    if existing is not None:
        if existing.portal_type == portal_type:
            return existing
        logger.warning(
            "Demo data: %s/%s is a %s, not a %s; skipped.",
            "/".join(container.getPhysicalPath()),
            id,
            existing.portal_type,
            portal_type,
        )
        return None
    return api.content.create(
        container=container, type=portal_type, id=id, safe_id=False, **fields
    )


def ensure_services() -> None:
    """The two municipal services (groups) and one demo agent in each."""
    for service in SERVICES:
        if api.group.get(groupname=service["id"]) is None:
            api.group.create(
                groupname=service["id"],
                title=service["title"],
                description=service["description"],
            )
    for agent in AGENTS:
        if api.user.get(username=agent["username"]) is None:
            api.user.create(
                email=agent["email"],
                username=agent["username"],
                password=DEMO_PASSWORD,
                properties={"fullname": agent["fullname"]},
            )
        user = api.user.get(username=agent["username"])
        if user is None:
            continue
        groups = {group.getId() for group in api.group.get_groups(user=user)}
        if agent["group"] not in groups:
            api.group.add_user(groupname=agent["group"], user=user)


def ensure_settings() -> None:
    """Open Saturdays (the standard week has Saturday hours); list the services.

    The demo services are added to the "Municipal services" setting (kept
    with the groups it already names): an empty setting means no service,
    so the demo chooses its own explicitly.
    """
    from collective.rendezvous.controlpanels.settings import get_settings

    settings = get_settings()
    weekdays = list(settings.open_weekdays or ())
    if "saturday" not in weekdays:
        settings.open_weekdays = [*weekdays, "saturday"]
    groups = list(settings.service_groups or ())
    missing = [s["id"] for s in SERVICES if s["id"] not in groups]
    if missing:
        settings.service_groups = groups + missing


def post_install(context) -> None:
    """Create the demo appointment service (idempotent)."""
    portal = api.portal.get()
    ensure_services()
    ensure_settings()

    folder = ensure_content(
        portal,
        "RendezvousFolder",
        FOLDER_ID,
        title="Rendez-vous",
        description=(
            "Prenez rendez-vous en ligne avec les services de la mairie : "
            "pièces d'identité, état civil."
        ),
    )
    if folder is None:
        return

    weeks = {}
    for data in WEEKS:
        fields = dict(data)
        weeks[data["id"]] = ensure_content(
            folder, "ReferenceWeek", fields.pop("id"), **fields
        )

    types = {}
    for data in APPOINTMENT_TYPES:
        fields = dict(data)
        types[data["id"]] = ensure_content(
            folder, "AppointmentType", fields.pop("id"), **fields
        )

    places = {}
    for data in PLACES:
        fields = dict(data)
        places[data["id"]] = ensure_content(folder, "Place", fields.pop("id"), **fields)

    periods = schedule_periods(site_today())
    for data in COUNTERS:
        place = places[data["place"]]
        appointment_type = types[data["appointment_type"]]
        if place is None or appointment_type is None:
            continue
        counter = ensure_content(
            place,
            "Counter",
            data["id"],
            title=data["title"],
            appointment_type=appointment_type.UID(),
        )
        if counter is None or counter.schedule:
            continue
        for week_id, start, end in periods:
            if weeks[week_id] is not None:
                apply_week(weeks[week_id], counter, start, end)
    logger.info("Demo data of collective.rendezvous in %s.", folder.absolute_url())
