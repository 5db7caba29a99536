"""Upgrade steps: a site installed at an older profile version reaches the newest."""


def test_upgrade_from_1000(portal, package_name):
    setup = portal.portal_setup
    profile = f"{package_name}:default"
    setup.setLastVersionForProfile(profile, "1000")
    assert setup.listUpgrades(profile)
    setup.upgradeProfile(profile)
    assert setup.getLastVersionForProfile(profile) == ("1001",)
    assert not setup.listUpgrades(profile)
    assert "Booking" in portal.portal_types.objectIds()
