"""The default profile installs the add-on: browser layer, profile version."""

from collective.rendezvous.interfaces import IBrowserLayer


class TestSetupInstall:
    def test_addon_installed(self, installer, package_name):
        assert installer.is_product_installed(package_name) is True

    def test_browserlayer(self, browser_layers):
        assert IBrowserLayer in browser_layers

    def test_latest_version(self, profile_last_version, package_name):
        """The installed profile version is the one of metadata.xml."""
        assert profile_last_version(f"{package_name}:default") == "1002"

    def test_uninstall_profile_hidden(self, portal):
        from plone.base.interfaces import INonInstallable
        from zope.component import getAllUtilitiesRegisteredFor

        hidden = set()
        for utility in getAllUtilitiesRegisteredFor(INonInstallable):
            hidden.update(utility.getNonInstallableProfiles())
        assert "collective.rendezvous:uninstall" in hidden
