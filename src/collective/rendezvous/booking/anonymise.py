"""Remove personal data from old bookings (X10), run by @@rendezvous-tick.

What goes: beneficiary, e-mail, phone, comment, the cancellation reason, the
ANTS pre-application numbers (also in the log of their declarations) and
the secret token (the private link stops working). What stays, for
statistics: the dates, the counter, the type, the option, the partner type,
the state and who cancelled. The history keeps its events and times but
loses its free-text details.
"""

from collective.rendezvous.booking.index import bookings_of
from collective.rendezvous.controlpanels.settings import get_settings
from collective.rendezvous.slots.generation import counters
from collective.rendezvous.slots.generation import site_timezone
from collective.rendezvous.slots.store import get_store
from dateutil.relativedelta import relativedelta

import datetime


REMOVED = "—"
PERSONAL = ("email", "phone", "comment", "cancel_reason", "token_hash")


def anonymise(booking) -> None:
    booking.beneficiary = REMOVED
    for name in PERSONAL:
        setattr(booking, name, "")
    # The ANTS pre-application numbers name people too (issue 14).
    booking.application_ids = ()
    from collective.rendezvous.ants.declarations import forget_numbers

    forget_numbers(booking)
    for entry in booking.history or ():
        entry.pop("reason", None)
    if booking.history is not None:
        booking.history._p_changed = True
    booking.anonymised = True


def anonymise_old(now: datetime.datetime | None = None) -> int:
    """Anonymise the bookings that ended long enough ago; how many were.

    Each counter's store remembers up to which day this was done, so a tick
    reads only the days that became old enough since the last one.
    """
    months = get_settings().anonymise_after_months or 0
    if months <= 0:
        return 0
    now = now or datetime.datetime.now(datetime.UTC)
    cutoff = now - relativedelta(months=months)
    # Days before this one only hold bookings that ended before the cutoff.
    through = cutoff.astimezone(site_timezone()).date() - datetime.timedelta(days=1)
    count = 0
    for counter in counters():
        store = get_store(counter)
        if store is None or store.anonymised_through >= through.toordinal():
            continue
        first = datetime.date.fromordinal(max(store.anonymised_through, 1))
        for booking in bookings_of(counter, first, through):
            if not booking.anonymised and booking.end < cutoff:
                anonymise(booking)
                count += 1
        store.anonymised_through = through.toordinal()
    return count
