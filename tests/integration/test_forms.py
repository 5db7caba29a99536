"""The Classic UI add and edit forms of every type render and validate."""

from plone import api
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID

import datetime
import pytest


@pytest.fixture
def folder(portal):
    setRoles(portal, TEST_USER_ID, ["Manager"])
    folder = api.content.create(portal, "RendezvousFolder", id="rdv", title="RDV")
    week = api.content.create(
        folder, "ReferenceWeek", id="week", title="Standard", monday=["09h00-12h00"]
    )
    kind = api.content.create(
        folder,
        "AppointmentType",
        id="kind",
        title="CNI",
        detail="Pièces",
        duration=20,
        horizon="2m",
        options=["CNI", "Passeport"],
    )
    place = api.content.create(
        folder, "Place", id="place", title="Mairie", address="1 rue"
    )
    api.content.create(
        place,
        "Counter",
        id="counter",
        title="Guichet",
        appointment_type=kind.UID(),
        schedule=[
            {
                "week": week.UID(),
                "start": datetime.date(2027, 1, 1),
                "end": datetime.date(2027, 6, 30),
            }
        ],
    )
    return folder


def render(context, request, name):
    view = context.restrictedTraverse(name)
    return view()


@pytest.mark.parametrize(
    ("path", "portal_type", "expected"),
    [
        ("", "AppointmentType", "Maximum booking horizon"),
        ("", "Place", "Closures of this place"),
        ("", "ReferenceWeek", "Wednesday"),
        ("place", "Counter", "Schedule"),
    ],
)
def test_add_forms_render(folder, http_request, path, portal_type, expected):
    container = folder[path] if path else folder
    html = render(container, http_request, f"++add++{portal_type}")
    assert expected in html


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("kind", "Options"),
        ("place", "Address"),
        ("week", "Monday"),
        ("place/counter", "Schedule"),
    ],
)
def test_edit_forms_render(folder, path, expected):
    html = folder.restrictedTraverse(path).restrictedTraverse("@@edit")()
    assert expected in html


def test_apply_form_renders(folder):
    html = folder.week.restrictedTraverse("@@apply-week")()
    assert "Apply this reference week to a counter" in html
    assert "Mairie › Guichet" in html


def test_edit_form_refuses_bad_range(folder, http_request):
    from z3c.form.interfaces import IFormLayer
    from zope.interface import alsoProvides

    alsoProvides(http_request, IFormLayer)
    http_request.form.update(
        {
            "form.widgets.title": "Standard",
            "form.widgets.monday": "9h-12h",
            "form.buttons.save": "Save",
        }
    )
    http_request.method = "POST"
    view = folder.week.restrictedTraverse("@@edit")
    view.update() if hasattr(view, "update") else None
    html = view()
    assert "is not an opening range" in html
    assert folder.week.monday == ["09h00-12h00"]


def test_counter_view_shows_type_options(folder):
    """R13: the counter shows, read-only, the options of its type."""
    html = folder.place.counter.restrictedTraverse("@@view")()
    assert "Options (from the appointment type)" in html
    assert "Passeport" in html


def test_counter_options_follow_type(folder):
    counter = folder.place.counter
    assert counter.options == ["CNI", "Passeport"]
    folder.kind.options = ["CNI"]
    assert counter.options == ["CNI"]
