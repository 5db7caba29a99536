"""@@rendezvous-tick: the scheduled work, called by cron or a timer (R2, X1).

Rolls every counter's slots forward to its horizon and drops past days,
anonymises old bookings (X10), forgets the expired entries of the limits
against abuse (``booking/ratelimit.py``), sends the due reminders and retries failed
notifications (R6, ``notifications/reminders.py``); answers a JSON summary.
A second run right after the first changes nothing and writes nothing.
"""

from collective.rendezvous.ants.declarations import retry_pending as ants_retry_pending
from collective.rendezvous.booking import ratelimit
from collective.rendezvous.booking.anonymise import anonymise_old
from collective.rendezvous.booking.service import now_in_site
from collective.rendezvous.notifications.reminders import tick as notifications_tick
from collective.rendezvous.slots.generation import regenerate_all
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zope.interface import alsoProvides

import json
import time


class TickView(BrowserView):
    def __call__(self):
        # Called by cron with basic auth, no CSRF token; the view only does
        # what the configuration already says, so it is safe to repeat.
        alsoProvides(self.request, IDisableCSRFProtection)
        started = time.perf_counter()
        summary = regenerate_all().as_dict()
        summary["bookings_anonymised"] = anonymise_old()
        summary["limit_entries_removed"] = ratelimit.prune(now_in_site())
        # reminders_sent, notifications_retried/_failed/_abandoned
        summary.update(notifications_tick())
        # ants_retried/_waiting/_abandoned: declarations to the ANTS hub
        summary.update(ants_retry_pending())
        summary["seconds"] = round(time.perf_counter() - started, 3)
        self.request.response.setHeader("Content-Type", "application/json")
        return json.dumps(summary)
