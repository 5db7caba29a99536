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


@pytest.fixture
def clock(monkeypatch):
    """Move the booking service's clock, for what depends on the time of day.

    Marking a citizen absent waits for the start of the appointment, and the
    tests book next week. The functional server runs in this process, so the
    patched ``now_in_site`` is the one its requests use.
    """
    from collective.rendezvous.booking import service

    import datetime

    real = service.now_in_site

    class Clock:
        def travel(self, moment: datetime.datetime) -> None:
            moment = moment.astimezone(real().tzinfo)
            monkeypatch.setattr(service, "now_in_site", lambda: moment)

        def after(self, start, minutes: int = 1) -> None:
            """Just after a start (a datetime or an ISO string)."""
            if isinstance(start, str):
                start = datetime.datetime.fromisoformat(start)
            self.travel(start + datetime.timedelta(minutes=minutes))

    return Clock()


@pytest.fixture(scope="session")
def ants_server_session():
    """The fake ANTS anti-duplication API (tests/ants_fake.py), one per run."""
    from ants_fake import FakeAnts

    fake = FakeAnts().start()
    yield fake
    fake.stop()


@pytest.fixture
def ants_server(ants_server_session):
    """The fake ANTS API, emptied and with its switches off for each test."""
    ants_server_session.reset()
    yield ants_server_session
    ants_server_session.reset()
