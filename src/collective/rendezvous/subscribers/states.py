"""Keep the workflow state of configuration content in line with its fields.

Appointment types and places are ``public`` when "Visible on the portal" is
ticked and ``internal`` otherwise; reference weeks and counters are always
``internal`` (they hold working data: closure reasons, schedules, the agents'
roles; citizens see their slots through ``@slots`` and the booking page,
never the objects, and the site search must not list them); appointment
services (the booking page) stay ``public``.
"""

from collective.rendezvous.content.appointment_type import IAppointmentType
from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.content.place import IPlace
from collective.rendezvous.content.reference_week import IReferenceWeek
from plone import api


WORKFLOW = "rendezvous_config_workflow"


def wanted_state(obj) -> str | None:
    if IReferenceWeek.providedBy(obj) or ICounter.providedBy(obj):
        return "internal"
    if IAppointmentType.providedBy(obj) or IPlace.providedBy(obj):
        return "public" if getattr(obj, "portal_visible", True) else "internal"
    return None


def sync_state(obj, event=None) -> None:
    """Move ``obj`` to the state its fields ask for (a no-op when it is there)."""
    wanted = wanted_state(obj)
    if wanted is None:
        return
    workflow_tool = api.portal.get_tool("portal_workflow")
    chain = workflow_tool.getChainFor(obj)
    if WORKFLOW not in chain:
        return  # a site that bound another workflow decides by itself
    current = workflow_tool.getInfoFor(obj, "review_state", None)
    if current is None or current == wanted:
        return
    transition = "show" if wanted == "public" else "hide"
    # The field is what the editor changed; the state follows whoever saved.
    with api.env.adopt_roles(["Manager"]):
        workflow_tool.doActionFor(obj, transition)
