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


class TestSiteAddress:
    """Issue 12.7: the install stores the site's address for the links."""

    def records(self):
        from plone import api

        return tuple(
            api.portal.get_registry_record(f"collective.rendezvous.{name}")
            for name in ("public_url", "site_url")
        )

    def test_script_install_stores_nothing(self, portal):
        """The test site is installed by a script (``http://nohost``)."""
        assert self.records() == ("", "")

    def test_install_stores_the_site_address(self, portal):
        from collective.rendezvous.links import store_site_url

        portal.REQUEST.setServerURL("https", "www.ville.example.org", "8443")
        store_site_url(portal)
        url = "https://www.ville.example.org:8443/plone"
        assert self.records() == (url, url)

    def test_install_keeps_a_public_address(self, portal):
        from collective.rendezvous.links import store_site_url
        from plone import api

        api.portal.set_registry_record(
            "collective.rendezvous.public_url", "https://www.ville.fr"
        )
        portal.REQUEST.setServerURL("http", "backend.local", "8080")
        store_site_url(portal)
        assert self.records() == (
            "https://www.ville.fr",
            "http://backend.local:8080/plone",
        )

    def test_post_install_runs(self, portal):
        from collective.rendezvous.setuphandlers import post_install

        portal.REQUEST.setServerURL("https", "mairie.example.org", "8443")
        post_install(None)
        assert self.records()[0] == "https://mairie.example.org:8443/plone"
