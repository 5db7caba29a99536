"""The "Rendez-vous" settings: records, helpers, vocabularies, form, uninstall."""

from AccessControl import Unauthorized
from collective.rendezvous.controlpanels import get_settings
from collective.rendezvous.controlpanels import opening_calendar_inputs
from collective.rendezvous.controlpanels.interfaces import check_closures
from collective.rendezvous.controlpanels.interfaces import check_partner_types
from collective.rendezvous.controlpanels.interfaces import IRendezvousSettings
from collective.rendezvous.scheduling import OpeningCalendar
from collective.rendezvous.scheduling import REGIONS
from collective.rendezvous.vocabularies.calendar import holidays_terms
from datetime import date
from plone import api
from plone.app.testing import logout
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.registry.interfaces import IRegistry
from zope.component import getUtility
from zope.i18n import translate
from zope.interface import Invalid
from zope.schema import getFieldNames
from zope.schema.interfaces import IVocabularyFactory

import pytest


PREFIX = "collective.rendezvous."


def vocabulary(portal, name):
    return getUtility(IVocabularyFactory, f"collective.rendezvous.{name}")(portal)


def tokens(portal, name):
    return [term.token for term in vocabulary(portal, name)]


@pytest.fixture
def manager(portal):
    setRoles(portal, TEST_USER_ID, ["Manager"])
    return portal


class TestRecords:
    def test_defaults_after_install(self, portal):
        settings = get_settings()
        assert settings.open_weekdays == [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
        ]
        assert settings.holiday_region == "metropole"
        assert settings.holidays_open == []
        assert settings.closures == []
        assert settings.partner_types == [
            {"id": "particulier", "title": "Particulier"},
            {"id": "professionnel", "title": "Professionnel"},
            {"id": "association", "title": "Association"},
            {"id": "administration", "title": "Administration"},
        ]
        assert settings.service_groups == []

    def test_records_have_public_names(self, portal):
        registry = getUtility(IRegistry)
        for name in getFieldNames(IRendezvousSettings):
            assert PREFIX + name in registry.records
        assert api.portal.get_registry_record(PREFIX + "holiday_region") == "metropole"

    def test_every_field_is_documented(self):
        for name in getFieldNames(IRendezvousSettings):
            field = IRendezvousSettings[name]
            assert field.title, name
            assert field.description, name

    def test_opening_calendar_inputs_defaults(self, portal):
        inputs = opening_calendar_inputs()
        assert inputs.open_weekdays == frozenset({0, 1, 2, 3, 4})
        assert inputs.region == "metropole"
        assert inputs.holidays_open == frozenset()
        assert inputs.closures == frozenset()
        # Named like the slot engine's calendar.
        calendar = OpeningCalendar(**inputs._asdict())
        assert calendar.is_open(date(2026, 12, 1)) is True  # a Tuesday
        assert calendar.is_open(date(2026, 12, 25)) is False  # Christmas

    def test_opening_calendar_inputs_from_settings(self, portal):
        settings = get_settings()
        settings.open_weekdays = ["saturday", "monday"]
        settings.holiday_region = "alsace-moselle"
        settings.holidays_open = ["good_friday"]
        settings.closures = [
            {"start": date(2026, 12, 24), "end": date(2026, 12, 26), "label": "Noël"},
            {"start": date(2026, 12, 26), "end": date(2026, 12, 26), "label": ""},
            {"start": date(2027, 1, 2), "end": date(2027, 1, 2), "label": ""},
        ]
        inputs = opening_calendar_inputs()
        assert inputs == (
            frozenset({0, 5}),
            "alsace-moselle",
            frozenset({"good_friday"}),
            frozenset(
                {
                    date(2026, 12, 24),
                    date(2026, 12, 25),
                    date(2026, 12, 26),
                    date(2027, 1, 2),
                }
            ),
        )


class TestValidation:
    def test_closure_end_before_start_names_the_row(self):
        rows = [
            {"start": date(2026, 12, 1), "end": date(2026, 12, 1), "label": ""},
            {"start": date(2026, 12, 24), "end": date(2026, 12, 20), "label": "Noël"},
        ]
        with pytest.raises(Invalid) as error:
            check_closures(rows)
        message = translate(error.value.doc())
        assert message == (
            "Closure 2 (Noël): the last date 2026-12-20 is before the first "
            "date 2026-12-24."
        )

    def test_closure_without_label_and_too_long(self):
        with pytest.raises(Invalid) as error:
            check_closures(
                [{"start": date(2026, 12, 24), "end": date(2026, 12, 1), "label": ""}]
            )
        assert translate(error.value.doc()).startswith("Closure 1: the last date")
        with pytest.raises(Invalid) as error:
            check_closures(
                [{"start": date(2026, 1, 1), "end": date(2062, 1, 1), "label": ""}]
            )
        assert "longer than 366 days" in translate(error.value.doc())

    def test_closures_valid(self):
        assert check_closures([]) is True
        assert check_closures(
            [{"start": date(2026, 12, 24), "end": date(2026, 12, 24), "label": ""}]
        )

    @pytest.mark.parametrize(
        "rows,expected",
        [
            (
                [{"id": "Particulier", "title": "P"}],
                'Partner type 1: the id "Particulier" may only contain',
            ),
            (
                [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}],
                'Partner type 2: the id "a" is already used by partner type 1.',
            ),
            ([{"id": "a", "title": " "}], "Partner type 1: the title is missing."),
            ([{"id": "-a", "title": "A"}], "Partner type 1: the id"),
        ],
    )
    def test_partner_types_refused(self, rows, expected):
        with pytest.raises(Invalid) as error:
            check_partner_types(rows)
        assert translate(error.value.doc()).startswith(expected)

    def test_partner_types_valid(self):
        assert check_partner_types(
            [{"id": "auto-entrepreneur-2", "title": "Auto-entrepreneur"}]
        )


class TestVocabularies:
    def test_weekdays(self, portal):
        vocab = vocabulary(portal, "Weekdays")
        assert [term.token for term in vocab] == [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        assert translate(vocab.getTerm("monday").title) == "Monday"
        assert translate(vocab.getTerm("monday").title, target_language="fr") == "Lundi"

    def test_holiday_regions(self, portal):
        vocab = vocabulary(portal, "HolidayRegions")
        assert [term.token for term in vocab] == list(REGIONS)
        assert "metropole" in vocab
        assert "alsace-moselle" in vocab
        assert "reunion" in vocab
        title = vocab.getTerm("metropole").title
        assert translate(title, target_language="fr") == "France métropolitaine"

    def test_holidays_metropole(self, portal):
        keys = tokens(portal, "Holidays")
        assert "easter_monday" in keys
        assert "whit_monday" in keys
        assert "christmas_day" in keys
        assert "good_friday" not in keys
        assert "saint_stephens_day" not in keys

    def test_holidays_alsace_moselle(self, portal):
        get_settings().holiday_region = "alsace-moselle"
        keys = tokens(portal, "Holidays")
        assert "good_friday" in keys
        assert "saint_stephens_day" in keys
        assert "easter_monday" in keys

    def test_holidays_overseas(self, portal):
        get_settings().holiday_region = "reunion"
        assert "abolition_of_slavery" in tokens(portal, "Holidays")

    def test_holiday_title_names_the_next_date(self):
        terms = {
            term.token: term for term in holidays_terms("metropole", date(2026, 4, 10))
        }
        # Easter Monday 2026 is over on 10 April: the next one is in 2027.
        title = translate(terms["easter_monday"].title)
        assert title.startswith("Easter Monday (next: ")
        assert "2027" in title
        title = translate(terms["national_day"].title, target_language="fr")
        assert title.startswith("Fête nationale (prochain : ")
        assert "2026" in title

    def test_holidays_lists_a_stale_stored_key(self, portal):
        # Records written directly, bypassing the form and the API.
        settings = get_settings()
        settings.holiday_region = "alsace-moselle"
        settings.holidays_open = ["good_friday"]
        settings.holiday_region = "metropole"
        vocab = vocabulary(portal, "Holidays")
        assert "good_friday" in vocab
        title = translate(vocab.getTerm("good_friday").title)
        assert title == "Good Friday (not a public holiday of Metropolitan France)"

    def test_partner_types(self, portal):
        vocab = vocabulary(portal, "PartnerTypes")
        assert [(term.token, term.title) for term in vocab] == [
            ("particulier", "Particulier"),
            ("professionnel", "Professionnel"),
            ("association", "Association"),
            ("administration", "Administration"),
        ]
        get_settings().partner_types = [{"id": "ecole", "title": "École"}]
        vocab = vocabulary(portal, "PartnerTypes")
        assert [(term.value, term.title) for term in vocab] == [("ecole", "École")]

    def test_no_service_by_default(self, portal):
        """Issue 12.6: an empty setting is no service, not every group."""
        api.group.create(groupname="etat-civil", title="État civil")
        api.group.create(groupname="newsletter", title="Newsletter")
        assert tokens(portal, "Services") == []

    def test_services_sorted_by_title(self, portal):
        api.group.create(groupname="urbanisme", title="Urbanisme")
        api.group.create(groupname="etat-civil", title="État civil")
        get_settings().service_groups = ["urbanisme", "etat-civil"]
        vocab = vocabulary(portal, "Services")
        assert [(term.token, term.title) for term in vocab] == [
            ("etat-civil", "État civil"),
            ("urbanisme", "Urbanisme"),
        ]

    def test_services_from_settings(self, portal):
        api.group.create(groupname="etat-civil", title="État civil")
        api.group.create(groupname="urbanisme", title="Urbanisme")
        get_settings().service_groups = ["urbanisme", "Reviewers"]
        assert tokens(portal, "Services") == ["Reviewers", "urbanisme"]

    def test_service_groups_choices_are_plone_groups(self, portal):
        api.group.create(groupname="etat-civil", title="État civil")
        field = IRendezvousSettings["service_groups"].bind(portal)
        field.validate(["etat-civil"])
        with pytest.raises(Invalid):
            field.validate(["no-such-group"])


def render(portal, form=None):
    request = portal.REQUEST
    if form is not None:
        request.form.update(form)
        request.method = "POST"
    view = portal.restrictedTraverse("@@rendezvous-controlpanel")
    return view()


def form_data(**changes):
    """What a browser posts for the form with its default values."""
    data = {
        "form.widgets.open_weekdays": [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
        ],
        "form.widgets.open_weekdays-empty-marker": "1",
        "form.widgets.holiday_region": ["metropole"],
        "form.widgets.holiday_region-empty-marker": "1",
        "form.widgets.holidays_open-empty-marker": "1",
        "form.widgets.closures.count": "0",
        "form.widgets.partner_types.count": "1",
        "form.widgets.partner_types.0.widgets.id": "particulier",
        "form.widgets.partner_types.0.widgets.title": "Particulier",
        "form.widgets.partner_types.0-empty-marker": "1",
        "form.widgets.service_groups-empty-marker": "1",
        "form.widgets.anonymise_after_months": "12",
        "form.widgets.bookings_per_hour": "10",
        "form.buttons.save": "Save",
    }
    data.update(changes)
    return data


def closure_rows(*rows):
    data = {"form.widgets.closures.count": str(len(rows))}
    for index, (start, end, label) in enumerate(rows):
        prefix = f"form.widgets.closures.{index}.widgets."
        data[prefix + "start"] = start
        data[prefix + "end"] = end
        data[prefix + "label"] = label
        data[f"form.widgets.closures.{index}-empty-marker"] = "1"
    return data


class TestForm:
    def test_renders_for_a_manager(self, manager):
        html = render(manager)
        assert "Rendez-vous" in html
        for name in getFieldNames(IRendezvousSettings):
            assert f"form.widgets.{name}" in html
        assert 'value="easter_monday"' in html
        assert "Partners and services" in html

    def test_links_to_add_a_folder_when_there_is_none(self, manager):
        html = render(manager)
        assert "There is no appointment folder yet" in html
        assert f"{manager.absolute_url()}/++add++RendezvousFolder" in html

    def test_links_to_the_folders(self, manager):
        folder = api.content.create(
            container=manager, type="RendezvousFolder", id="rdv", title="Mairie"
        )
        html = render(manager)
        assert folder.absolute_url() in html
        assert "There is no appointment folder yet" not in html

    def test_refused_for_anonymous(self, portal):
        logout()
        with pytest.raises(Unauthorized):
            portal.restrictedTraverse("@@rendezvous-controlpanel")

    def test_refused_for_a_member(self, portal):
        setRoles(portal, TEST_USER_ID, ["Member"])
        with pytest.raises(Unauthorized):
            portal.restrictedTraverse("@@rendezvous-controlpanel")

    def test_rendezvous_manager_may_use_it(self, portal):
        setRoles(portal, TEST_USER_ID, ["RendezvousManager"])
        assert "form.widgets.closures" in render(portal)

    def test_save(self, manager):
        render(
            manager,
            form_data(
                **{
                    "form.widgets.open_weekdays": ["monday", "saturday"],
                    "form.widgets.holidays_open": ["whit_monday"],
                },
                **closure_rows(("2026-12-24", "2026-12-26", "Noël")),
            ),
        )
        settings = get_settings()
        assert settings.open_weekdays == ["monday", "saturday"]
        assert settings.holidays_open == ["whit_monday"]
        assert settings.closures == [
            {"start": date(2026, 12, 24), "end": date(2026, 12, 26), "label": "Noël"}
        ]
        assert settings.partner_types == [{"id": "particulier", "title": "Particulier"}]

    def test_closure_end_before_start_is_refused(self, manager):
        html = render(
            manager,
            form_data(
                **{"form.widgets.open_weekdays": ["monday"]},
                **closure_rows(
                    ("2026-11-11", "2026-11-11", ""),
                    ("2026-12-24", "2026-12-20", "Noël"),
                ),
            ),
        )
        assert (
            "Closure 2 (Noël): the last date 2026-12-20 is before the first date "
            "2026-12-24." in html
        )
        settings = get_settings()
        assert settings.closures == []
        assert len(settings.open_weekdays) == 5

    def test_duplicate_partner_type_is_refused(self, manager):
        html = render(
            manager,
            form_data(
                **{
                    "form.widgets.partner_types.count": "2",
                    "form.widgets.partner_types.1.widgets.id": "particulier",
                    "form.widgets.partner_types.1.widgets.title": "Autre",
                    "form.widgets.partner_types.1-empty-marker": "1",
                }
            ),
        )
        assert 'Partner type 2: the id "particulier" is already used' in html
        assert len(get_settings().partner_types) == 4

    def test_bad_partner_type_id_is_refused(self, manager):
        render(
            manager,
            form_data(**{"form.widgets.partner_types.0.widgets.id": "Particulier"}),
        )
        assert len(get_settings().partner_types) == 4

    def test_changing_region_drops_its_holidays(self, manager):
        settings = get_settings()
        settings.holiday_region = "alsace-moselle"
        settings.holidays_open = ["good_friday", "easter_monday"]
        render(
            manager,
            form_data(
                **{
                    "form.widgets.holidays_open": ["good_friday", "easter_monday"],
                    "form.widgets.holiday_region": ["metropole"],
                }
            ),
        )
        assert settings.holiday_region == "metropole"
        assert settings.holidays_open == ["easter_monday"]


class TestConfiglet:
    def test_configlet_installed(self, portal):
        configlet = portal.portal_controlpanel.getActionObject("Products/rendezvous")
        assert configlet is not None
        assert configlet.title == "Rendez-vous"
        assert configlet.permissions == ("collective.rendezvous: Manage settings",)
        assert "@@rendezvous-controlpanel" in configlet.action.text


class TestUninstall:
    """Uninstalling keeps the settings unless asked (issue 13, point 16)."""

    @pytest.fixture(autouse=True)
    def uninstalled(self, installer, package_name):
        installer.uninstall_product(package_name)

    def test_records_kept(self, portal):
        registry = getUtility(IRegistry)
        for name in getFieldNames(IRendezvousSettings):
            assert PREFIX + name in registry.records
        assert get_settings() is not None

    def test_configlet_removed(self, portal):
        controlpanel = portal.portal_controlpanel
        assert controlpanel.getActionObject("Products/rendezvous") is None

    def test_vocabularies_survive(self, portal):
        assert tokens(portal, "PartnerTypes") != []
        assert "easter_monday" in tokens(portal, "Holidays")


class TestUninstallDeletingSettings:
    @pytest.fixture(autouse=True)
    def uninstalled(self, installer, package_name):
        api.portal.set_registry_record(
            "collective.rendezvous.delete_settings_on_uninstall", True
        )
        installer.uninstall_product(package_name)

    def test_records_removed(self, portal):
        registry = getUtility(IRegistry)
        for name in getFieldNames(IRendezvousSettings):
            assert PREFIX + name not in registry.records
        with pytest.raises(KeyError):
            get_settings()

    def test_vocabularies_survive(self, portal):
        assert tokens(portal, "PartnerTypes") == []
        assert "easter_monday" in tokens(portal, "Holidays")
