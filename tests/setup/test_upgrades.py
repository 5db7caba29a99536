"""Upgrade steps: a site installed at an older profile version reaches the newest."""


def test_upgrade_from_1000(portal, package_name):
    setup = portal.portal_setup
    profile = f"{package_name}:default"
    setup.setLastVersionForProfile(profile, "1000")
    assert setup.listUpgrades(profile)
    setup.upgradeProfile(profile)
    assert setup.getLastVersionForProfile(profile) == ("1002",)
    assert not setup.listUpgrades(profile)
    assert "Booking" in portal.portal_types.objectIds()


def test_upgrade_from_1001_adds_new_records_and_keeps_values(portal, package_name):
    from collective.rendezvous.controlpanels.interfaces import PREFIX
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    registry = getUtility(IRegistry)
    setup = portal.portal_setup
    profile = f"{package_name}:default"
    registry[f"{PREFIX}.bookings_per_hour"] = 7
    del registry.records[f"{PREFIX}.anonymise_after_months"]
    setup.setLastVersionForProfile(profile, "1001")
    setup.upgradeProfile(profile)
    assert setup.getLastVersionForProfile(profile) == ("1002",)
    assert registry[f"{PREFIX}.bookings_per_hour"] == 7
    assert registry[f"{PREFIX}.anonymise_after_months"] == 12


def test_upgrade_from_1001_adds_the_agenda_action_and_navigation(portal, package_name):
    from plone import api

    actions = portal.portal_actions
    category = actions.get("user")
    category.manage_delObjects(
        [name for name in category.objectIds() if name.startswith("rendezvous")]
    )
    displayed = [
        name
        for name in api.portal.get_registry_record("plone.displayed_types")
        if name != "RendezvousFolder"
    ]
    api.portal.set_registry_record("plone.displayed_types", tuple(displayed))
    setup = portal.portal_setup
    profile = f"{package_name}:default"
    setup.setLastVersionForProfile(profile, "1001")
    setup.upgradeProfile(profile)
    assert any(name.startswith("rendezvous") for name in category.objectIds())
    assert "RendezvousFolder" in api.portal.get_registry_record("plone.displayed_types")
