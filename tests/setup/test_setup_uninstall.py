"""The uninstall profile removes what the default profile added (issue 13, point 16).

The content stays (it holds citizens' personal data: deleting it is the
site administrator's decision), so the types stay, unaddable and without
the views the browser layer took away. The settings stay unless
``delete_settings_on_uninstall`` is ticked.
"""

from collective.rendezvous.controlpanels.interfaces import PREFIX
from collective.rendezvous.interfaces import IBrowserLayer
from plone import api

import pytest


ADD_PERMISSIONS = [
    f"collective.rendezvous: Add {name}"
    for name in (
        "RendezvousFolder",
        "AppointmentType",
        "Place",
        "ReferenceWeek",
        "Counter",
        "Booking",
    )
]


def roles_of(portal, permission):
    return {
        role["name"]
        for role in portal.rolesOfPermission(permission)
        if role["selected"]
    }


class TestSetupUninstall:
    @pytest.fixture(autouse=True)
    def uninstalled(self, installer, package_name, portal):
        self.before = {
            "displayed": api.portal.get_registry_record("plone.displayed_types")
        }
        api.portal.set_registry_record(f"{PREFIX}.reminder_hours", 36)
        installer.uninstall_product(package_name)

    def test_product_uninstalled(self, installer, package_name):
        assert installer.is_product_installed(package_name) is False

    def test_browserlayer_removed(self, browser_layers):
        assert IBrowserLayer not in browser_layers

    def test_nobody_may_add_the_types(self, portal):
        for permission in ADD_PERMISSIONS:
            assert roles_of(portal, permission) == set(), permission
        folder_fti = portal.portal_types["RendezvousFolder"]
        assert folder_fti.global_allow is False
        allowed = {fti.getId() for fti in portal.allowedContentTypes()}
        assert "RendezvousFolder" not in allowed

    def test_no_type_points_at_a_view_of_the_layer(self, portal):
        folder_fti = portal.portal_types["RendezvousFolder"]
        assert folder_fti.default_view == "listing_view"
        assert tuple(folder_fti.view_methods) == ("listing_view",)
        for name in ("RendezvousFolder", "Place", "Counter", "ReferenceWeek"):
            ids = {action.getId() for action in portal.portal_types[name].listActions()}
            assert not ids & {
                "rendezvous_agenda",
                "rendezvous_feed",
                "rendezvous_backoffice",
                "apply",
            }, name

    def test_out_of_the_navigation_and_the_user_menu(self, portal):
        displayed = api.portal.get_registry_record("plone.displayed_types")
        assert "RendezvousFolder" in self.before["displayed"]
        assert "RendezvousFolder" not in displayed
        assert "rendezvous_my_agenda" not in portal.portal_actions.user.objectIds()

    def test_settings_kept(self):
        assert api.portal.get_registry_record(f"{PREFIX}.reminder_hours") == 36

    def test_reinstall_keeps_the_settings_and_restores_the_types(
        self, installer, package_name, portal
    ):
        installer.install_product(package_name)
        assert api.portal.get_registry_record(f"{PREFIX}.reminder_hours") == 36
        folder_fti = portal.portal_types["RendezvousFolder"]
        assert folder_fti.default_view == "rendezvous-view"
        assert folder_fti.global_allow is True
        assert "Manager" in roles_of(portal, ADD_PERMISSIONS[0])
        assert "rendezvous_backoffice" in {a.getId() for a in folder_fti.listActions()}
        assert "RendezvousFolder" in api.portal.get_registry_record(
            "plone.displayed_types"
        )


def test_settings_deleted_when_asked(installer, package_name, portal):
    api.portal.set_registry_record(f"{PREFIX}.reminder_hours", 36)
    api.portal.set_registry_record(f"{PREFIX}.delete_settings_on_uninstall", True)
    installer.uninstall_product(package_name)
    registry = portal.portal_registry
    assert not [key for key in registry.records if key.startswith(f"{PREFIX}.")]
    installer.install_product(package_name)
    assert api.portal.get_registry_record(f"{PREFIX}.reminder_hours") != 36
    assert (
        api.portal.get_registry_record(f"{PREFIX}.delete_settings_on_uninstall")
        is False
    )
