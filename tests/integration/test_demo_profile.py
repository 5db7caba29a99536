"""The ``demo`` profile: sample data of a French town hall (issue 3, item 6)."""

from collective.rendezvous import scheduling
from collective.rendezvous.content.apply import rows_of
from collective.rendezvous.setuphandlers.demo import DEMO_PASSWORD
from collective.rendezvous.setuphandlers.demo import schedule_periods
from collective.rendezvous.setuphandlers.demo import site_today
from datetime import date
from datetime import datetime
from datetime import timedelta
from plone import api

import pytest


PROFILE = "collective.rendezvous:demo"

COUNTERS = {
    "guichet-1": ("mairie-centrale", "pieces-d-identite", "service-population"),
    "guichet-2": ("mairie-centrale", "etat-civil", "service-population"),
    "guichet-urbanisme": ("mairie-annexe-du-port", "urbanisme", "service-urbanisme"),
}

AGENTS = {
    "agent.population": "service-population",
    "agent.urbanisme": "service-urbanisme",
}


@pytest.fixture
def folder(portal, apply_profiles):
    apply_profiles(portal, [PROFILE])
    return portal["rendez-vous"]


def counter(folder, counter_id):
    place_id = COUNTERS[counter_id][0]
    return folder[place_id][counter_id]


def inventory(portal) -> dict:
    """Everything the demo creates, counted."""
    catalog = api.portal.get_tool("portal_catalog")
    found = {
        portal_type: sorted(
            brain.getPath()
            for brain in catalog.unrestrictedSearchResults(portal_type=portal_type)
        )
        for portal_type in (
            "RendezvousFolder",
            "AppointmentType",
            "Place",
            "ReferenceWeek",
            "Counter",
        )
    }
    found["groups"] = sorted(group.getId() for group in api.group.get_groups())
    found["users"] = sorted(user.getId() for user in api.user.get_users())
    found["members"] = {
        group: sorted(user.getId() for user in api.user.get_users(groupname=group))
        for group in AGENTS.values()
    }
    return found


class TestProfile:
    def test_registered(self, setup_tool):
        info = setup_tool.getProfileInfo(f"profile-{PROFILE}")
        assert info["version"] == "1000"
        assert (
            "profile-collective.rendezvous:default"
            in setup_tool.getDependenciesForProfile(f"profile-{PROFILE}")
        )

    def test_not_applied_by_default(self, portal):
        assert "rendez-vous" not in portal.objectIds()

    def test_version_recorded(self, folder, profile_last_version):
        assert profile_last_version(PROFILE) == "1000"


class TestContent:
    def test_folder(self, folder):
        assert folder.portal_type == "RendezvousFolder"
        assert folder.title == "Rendez-vous"
        assert folder.description

    def test_appointment_types(self, folder):
        ids = {"pieces-d-identite", "etat-civil", "urbanisme"}
        assert ids <= set(folder.objectIds())
        cni = folder["pieces-d-identite"]
        assert cni.title == "Pièces d'identité"
        assert (cni.duration, cni.horizon, cni.min_notice) == (20, "2m", "60m")
        assert cni.options == ["CNI", "Passeport"]
        assert "photo d'identité" in cni.detail
        assert cni.portal_visible is True
        civil = folder["etat-civil"]
        assert civil.title == "État civil"
        assert (civil.duration, civil.horizon, civil.min_notice) == (30, "3m", "1d")
        assert civil.detail
        town_planning = folder["urbanisme"]
        assert (town_planning.duration, town_planning.horizon) == (45, "2m")
        assert town_planning.min_notice == "2d"
        assert town_planning.portal_visible is False

    def test_values_pass_the_schemas(self, folder):
        """What the demo stores is what the forms and the REST API accept."""
        from collective.rendezvous.content.appointment_type import IAppointmentType
        from collective.rendezvous.content.place import IPlace
        from collective.rendezvous.content.reference_week import IReferenceWeek
        from zope.schema import getValidationErrors

        for obj_id, schema in (
            ("pieces-d-identite", IAppointmentType),
            ("etat-civil", IAppointmentType),
            ("urbanisme", IAppointmentType),
            ("mairie-centrale", IPlace),
            ("mairie-annexe-du-port", IPlace),
            ("semaine-standard", IReferenceWeek),
            ("semaine-d-ete", IReferenceWeek),
        ):
            errors = [
                (name, error)
                for name, error in getValidationErrors(schema, folder[obj_id])
                if name not in ("partner_types",)
            ]
            assert errors == [], obj_id

    def test_workflow_states_follow_visibility(self, folder):
        def state(obj_id):
            return api.content.get_state(folder[obj_id])

        assert state("pieces-d-identite") == "public"
        assert state("etat-civil") == "public"
        assert state("urbanisme") == "internal"
        assert state("mairie-centrale") == "public"
        assert state("mairie-annexe-du-port") == "public"
        assert state("semaine-standard") == "internal"
        assert state("semaine-d-ete") == "internal"

    def test_places(self, folder):
        central = folder["mairie-centrale"]
        assert central.title == "Mairie centrale"
        assert "place de la République" in central.address
        annex = folder["mairie-annexe-du-port"]
        assert annex.title == "Mairie annexe du Port"
        assert "quai" in annex.address

    def test_reference_weeks(self, folder):
        standard = folder["semaine-standard"]
        assert standard.title == "Semaine standard"
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
            assert getattr(standard, day) == ["08h30-12h00", "13h30-17h00"]
        assert standard.saturday == ["09h00-12h00"]
        assert standard.sunday == []
        summer = folder["semaine-d-ete"]
        assert summer.title == "Semaine d'été"
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
            assert getattr(summer, day) == ["09h00-12h00"]
        assert summer.saturday == summer.sunday == []
        # The engine reads them.
        assert len(standard.template()[0]) == 2

    def test_counters(self, folder):
        for counter_id, (_place, type_id, _service) in COUNTERS.items():
            obj = counter(folder, counter_id)
            assert obj.appointment_type == folder[type_id].UID()
            assert obj.get_appointment_type() == folder[type_id]
        assert counter(folder, "guichet-1").title == "Guichet 1 – Pièces d'identité"
        assert counter(folder, "guichet-2").title == "Guichet 2 – État civil"
        assert counter(folder, "guichet-urbanisme").title == "Guichet Urbanisme"
        # R13: the counter gets the options of its type.
        assert counter(folder, "guichet-1").options == ["CNI", "Passeport"]

    def test_saturday_open(self, folder):
        open_days = api.portal.get_registry_record(
            "collective.rendezvous.open_weekdays"
        )
        assert "saturday" in open_days
        assert "sunday" not in open_days


class TestSchedule:
    def test_periods(self):
        periods = schedule_periods(date(2026, 11, 28))
        rows = []
        for week, start, end in periods:
            rows = scheduling.apply_week(rows, scheduling.ScheduleRow(week, start, end))
        assert rows == [
            scheduling.ScheduleRow(
                "semaine-standard", date(2026, 11, 28), date(2027, 6, 30)
            ),
            scheduling.ScheduleRow(
                "semaine-d-ete", date(2027, 7, 1), date(2027, 8, 31)
            ),
            scheduling.ScheduleRow(
                "semaine-standard", date(2027, 9, 1), date(2027, 12, 31)
            ),
        ]

    @pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 12, 31)])
    def test_periods_any_day_of_the_year(self, today):
        rows = []
        for week, start, end in schedule_periods(today):
            rows = scheduling.apply_week(rows, scheduling.ScheduleRow(week, start, end))
        assert [row.week for row in rows] == [
            "semaine-standard",
            "semaine-d-ete",
            "semaine-standard",
        ]
        assert rows[0].start == today

    @pytest.mark.parametrize("counter_id", sorted(COUNTERS))
    def test_counter_schedule(self, folder, counter_id):
        today = site_today()
        next_year = today.year + 1
        standard = folder["semaine-standard"].UID()
        summer = folder["semaine-d-ete"].UID()
        rows = rows_of(counter(folder, counter_id))
        # Valid for the field: no overlap, known weeks.
        scheduling.validate_rows(rows, {standard, summer})
        assert [(row.week, row.start, row.end) for row in rows] == [
            (standard, today, date(next_year, 6, 30)),
            (summer, date(next_year, 7, 1), date(next_year, 8, 31)),
            (standard, date(next_year, 9, 1), date(next_year, 12, 31)),
        ]
        # Every day from today to the end of next year is covered, once.
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.start == before.end + timedelta(days=1)
        # Beyond every horizon of the demo types (3 months at most).
        assert rows[-1].end - today > timedelta(days=120)


class TestSlots:
    """The demo site offers slots (generated as the commit of the profile does)."""

    def regenerate(self, now):
        from collective.rendezvous.slots.generation import regenerate_all

        return regenerate_all(now=now)

    def days(self, folder, counter_id, first, last):
        from collective.rendezvous.slots.store import get_store

        store = get_store(counter(folder, counter_id))
        return {day: len(record.starts) for day, record in store.between(first, last)}

    def test_standard_week(self, folder):
        from collective.rendezvous.slots.generation import site_timezone

        now = datetime(site_today().year + 1, 3, 1, 7, 0, tzinfo=site_timezone())
        summary = self.regenerate(now)
        assert summary.counters == 3
        days = self.days(folder, "guichet-1", now.date(), now.date() + timedelta(60))
        weekdays = {day.weekday() for day in days}
        assert weekdays == {0, 1, 2, 3, 4, 5}  # Saturday mornings are open
        # 08h30-12h00 and 13h30-17h00 at 20 minutes: 10 + 10 slots.
        assert {n for day, n in days.items() if day.weekday() < 5} == {20}
        assert {n for day, n in days.items() if day.weekday() == 5} == {9}
        # Urbanisme, 45 minutes: 4 + 4 slots.
        days = self.days(
            folder, "guichet-urbanisme", now.date(), now.date() + timedelta(60)
        )
        assert {n for day, n in days.items() if day.weekday() < 5} == {8}

    def test_summer_week(self, folder):
        from collective.rendezvous.slots.generation import site_timezone

        year = site_today().year + 1
        now = datetime(year, 7, 1, 7, 0, tzinfo=site_timezone())
        self.regenerate(now)
        days = self.days(folder, "guichet-1", date(year, 7, 1), date(year, 8, 31))
        assert days
        assert {day.weekday() for day in days} <= {0, 1, 2, 3, 4}
        # 09h00-12h00 at 20 minutes.
        assert set(days.values()) == {9}
        # Bastille Day is a public holiday, closed.
        assert date(year, 7, 14) not in days


class TestServices:
    def test_groups(self, folder):
        population = api.group.get(groupname="service-population")
        town_planning = api.group.get(groupname="service-urbanisme")
        assert population.getProperty("title") == "Service population"
        assert town_planning.getProperty("title") == "Service urbanisme"

    def test_types_name_their_services(self, folder):
        assert folder["pieces-d-identite"].services == ["service-population"]
        assert folder["etat-civil"].services == ["service-population"]
        assert folder["urbanisme"].services == ["service-urbanisme"]

    @pytest.mark.parametrize(("username", "group"), sorted(AGENTS.items()))
    def test_agents(self, folder, username, group):
        user = api.user.get(username=username)
        assert user is not None
        assert group in {g.getId() for g in api.group.get_groups(user=user)}
        acl_users = api.portal.get_tool("acl_users")
        assert acl_users.authenticate(username, DEMO_PASSWORD, folder.REQUEST)

    @pytest.mark.parametrize(("username", "group"), sorted(AGENTS.items()))
    def test_agent_role_on_own_counters_only(self, folder, username, group):
        for counter_id, (_place, _type, service) in COUNTERS.items():
            obj = counter(folder, counter_id)
            roles = api.user.get_roles(username=username, obj=obj)
            group_roles = obj.get_local_roles_for_userid(group)
            may_change = api.user.has_permission(
                "Modify portal content", username=username, obj=obj
            )
            if service == group:
                assert "RendezvousAgent" in roles, counter_id
                assert "RendezvousAgent" in group_roles, counter_id
                assert may_change, counter_id
            else:
                assert "RendezvousAgent" not in roles, counter_id
                assert "RendezvousAgent" not in group_roles, counter_id
                assert not may_change, counter_id

    def test_agents_hold_no_global_role(self, folder):
        for username in AGENTS:
            roles = set(api.user.get_roles(username=username))
            assert "RendezvousAgent" not in roles
            assert "Manager" not in roles
            assert "RendezvousManager" not in roles


class TestIdempotent:
    def test_applying_twice_creates_nothing_twice(self, portal, folder, apply_profiles):
        before = inventory(portal)
        schedules = {cid: counter(folder, cid).schedule for cid in COUNTERS}
        uids = {obj_id: folder[obj_id].UID() for obj_id in folder.objectIds()}
        apply_profiles(portal, [PROFILE])
        assert inventory(portal) == before
        assert {cid: counter(folder, cid).schedule for cid in COUNTERS} == schedules
        assert {obj_id: folder[obj_id].UID() for obj_id in folder.objectIds()} == uids
        assert len(before["Counter"]) == 3
        assert len(before["AppointmentType"]) == 3
        assert len(before["Place"]) == 2
        assert len(before["ReferenceWeek"]) == 2
        assert before["members"] == {
            "service-population": ["agent.population"],
            "service-urbanisme": ["agent.urbanisme"],
        }
        open_days = api.portal.get_registry_record(
            "collective.rendezvous.open_weekdays"
        )
        assert open_days.count("saturday") == 1

    def test_changes_are_kept(self, portal, folder, apply_profiles):
        folder["etat-civil"].duration = 40
        guichet = counter(folder, "guichet-2")
        guichet.schedule = guichet.schedule[:1]
        apply_profiles(portal, [PROFILE])
        assert folder["etat-civil"].duration == 40
        assert len(counter(folder, "guichet-2").schedule) == 1

    def test_missing_items_are_recreated(self, portal, folder, apply_profiles):
        with api.env.adopt_roles(["Manager"]):
            api.content.delete(folder["mairie-annexe-du-port"])
        apply_profiles(portal, [PROFILE])
        annex = folder["mairie-annexe-du-port"]
        assert len(annex["guichet-urbanisme"].schedule) == 3
        assert len(inventory(portal)["Counter"]) == 3
