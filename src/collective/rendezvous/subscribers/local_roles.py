"""Give the services of an appointment type the agent role on its counters (R14).

A service is a Plone group named in the "Municipal services" setting. The
services named in an appointment type's ``services`` hold the local role
``RendezvousAgent`` on each counter of that type; the role is added and
removed as the type, the counter or the list of services changes. Nothing
empty means "everyone": a type without services, or a site without services
in its settings, has no agents (only managers handle its bookings). Other
local roles, given by hand in the Sharing tab, are left alone.
"""

from collective.rendezvous.content.counter import ICounter
from plone import api
from zope.component import getUtility
from zope.container.interfaces import IContainerModifiedEvent
from zope.schema.interfaces import IVocabularyFactory


AGENT_ROLE = "RendezvousAgent"


def service_groups(appointment_type) -> set[str]:
    """The group ids that manage an appointment type: the services it names
    that are still services in the settings (none when it names none)."""
    services = set(getattr(appointment_type, "services", None) or ())
    if not services:
        return set()
    factory = getUtility(IVocabularyFactory, "collective.rendezvous.Services")
    return services & {term.value for term in factory(appointment_type)}


def sync_counter_roles(counter) -> bool:
    """Grant and revoke the agent role on one counter; True when it changed."""
    appointment_type = counter.get_appointment_type()
    wanted = service_groups(appointment_type) if appointment_type else set()
    holders = {
        principal
        for principal, roles in counter.get_local_roles()
        if AGENT_ROLE in roles
    }
    changed = False
    for principal in holders - wanted:
        roles = [
            r for r in counter.get_local_roles_for_userid(principal) if r != AGENT_ROLE
        ]
        if roles:
            counter.manage_setLocalRoles(principal, roles)
        else:
            counter.manage_delLocalRoles([principal])
        changed = True
    for principal in wanted - holders:
        roles = set(counter.get_local_roles_for_userid(principal)) | {AGENT_ROLE}
        counter.manage_setLocalRoles(principal, sorted(roles))
        changed = True
    if changed:
        counter.reindexObjectSecurity()
    return changed


def counters_of(appointment_type):
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Counter", appointment_type=appointment_type.UID()
    ):
        yield brain._unrestrictedGetObject()


def all_counters():
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(portal_type="Counter"):
        yield brain._unrestrictedGetObject()


def on_counter_saved(counter, event=None) -> None:
    if IContainerModifiedEvent.providedBy(event):
        return  # a booking was added or removed: the type did not change
    if ICounter.providedBy(counter):
        sync_counter_roles(counter)


def on_type_saved(appointment_type, event=None) -> None:
    for counter in counters_of(appointment_type):
        sync_counter_roles(counter)


def on_settings_saved(record_event) -> None:
    """The list of service groups changed: every counter may be concerned."""
    if record_event.record.__name__ == "collective.rendezvous.service_groups":
        for counter in all_counters():
            sync_counter_roles(counter)
