"""Remove personal data from old bookings (X10), run by @@rendezvous-tick.

What goes: beneficiary, e-mail, phone, comment, the cancellation reason and
the secret token (the private link stops working). What stays, for
statistics: the dates, the counter, the type, the option, the partner type,
the state and who cancelled. The history keeps its events and times but
loses its free-text details.
"""

from collective.rendezvous.controlpanels.settings import get_settings
from dateutil.relativedelta import relativedelta
from plone import api

import datetime


REMOVED = "—"
PERSONAL = ("email", "phone", "comment", "cancel_reason", "token_hash")


def anonymise(booking) -> None:
    booking.beneficiary = REMOVED
    for name in PERSONAL:
        setattr(booking, name, "")
    for entry in booking.history or ():
        entry.pop("reason", None)
    if booking.history is not None:
        booking.history._p_changed = True
    booking.anonymised = True
    booking.reindexObject()


def anonymise_old(now: datetime.datetime | None = None) -> int:
    """Anonymise the bookings that ended long enough ago; how many were."""
    months = get_settings().anonymise_after_months or 0
    if months <= 0:
        return 0
    now = now or datetime.datetime.now(datetime.UTC)
    cutoff = now - relativedelta(months=months)
    catalog = api.portal.get_tool("portal_catalog")
    count = 0
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Booking",
        end={"query": cutoff, "range": "max"},
        rendezvous_anonymised=False,
    ):
        anonymise(brain._unrestrictedGetObject())
        count += 1
    return count
