"""A per-address limit on anonymous bookings (anti-abuse, no captcha service).

Counted in memory, per Zope process, over a sliding hour: nothing is
written to the database, so the limit adds no conflicts. With several
processes behind a load balancer an address may get up to that many
bookings per process; sticky sessions or the balancer's own limits narrow it.
Agents and managers are never limited.
"""

from collective.rendezvous import _
from collective.rendezvous.controlpanels.settings import get_settings
from plone import api

import collections
import threading
import time


WINDOW = 3600.0
_lock = threading.Lock()
_seen: dict[str, collections.deque] = {}


def rate_limited(request, now: float | None = None):
    """None when this address may book now (and count it), else a message."""
    if not api.user.is_anonymous():
        return None
    limit = get_settings().bookings_per_hour or 0
    if limit <= 0:
        return None
    address = request.getClientAddr() or "unknown"
    now = time.monotonic() if now is None else now
    with _lock:
        times = _seen.setdefault(address, collections.deque())
        while times and now - times[0] > WINDOW:
            times.popleft()
        if len(times) >= limit:
            return _(
                "Too many bookings from your connection in the last hour: "
                "please try again later or call the town hall."
            )
        times.append(now)
        if len(_seen) > 10000:  # forget idle addresses
            for key in [k for k, v in _seen.items() if not v or now - v[-1] > WINDOW]:
                del _seen[key]
    return None


def reset() -> None:
    with _lock:
        _seen.clear()
