"""pytest fixtures shared by the whole suite (pytest-plone layers and helpers)."""

from collective.rendezvous.testing import FUNCTIONAL_TESTING
from collective.rendezvous.testing import INTEGRATION_TESTING
from pytest_plone import fixtures_factory

import os
import pytest


# Compile the .po files, as a running instance does.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

pytest_plugins = ["pytest_plone"]

globals().update(
    fixtures_factory(
        (
            (FUNCTIONAL_TESTING, "functional"),
            (INTEGRATION_TESTING, "integration"),
        )
    )
)


@pytest.fixture(scope="session")
def package_name() -> str:
    return "collective.rendezvous"
