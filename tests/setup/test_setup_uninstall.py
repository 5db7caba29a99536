"""The uninstall profile removes what the default profile added."""

from collective.rendezvous.interfaces import IBrowserLayer

import pytest


class TestSetupUninstall:
    @pytest.fixture(autouse=True)
    def uninstalled(self, installer, package_name):
        installer.uninstall_product(package_name)

    def test_product_uninstalled(self, installer, package_name):
        assert installer.is_product_installed(package_name) is False

    def test_browserlayer_removed(self, browser_layers):
        assert IBrowserLayer not in browser_layers
