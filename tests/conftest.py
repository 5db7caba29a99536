"""pytest fixtures shared by the whole suite (pytest-plone layers and helpers)."""

from collective.rendezvous.testing import FUNCTIONAL_TESTING
from collective.rendezvous.testing import INTEGRATION_TESTING
from helpers import json_session
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


@pytest.fixture
def portal_url(functional_portal) -> str:
    """The URL of the site served over real HTTP by the functional layer."""
    return functional_portal.absolute_url()


@pytest.fixture
def manager():
    """A JSON session of the site owner (Manager)."""
    from plone.app.testing import SITE_OWNER_NAME
    from plone.app.testing import SITE_OWNER_PASSWORD

    with json_session(SITE_OWNER_NAME, SITE_OWNER_PASSWORD) as session:
        yield session


@pytest.fixture
def anonymous():
    with json_session() as session:
        yield session
