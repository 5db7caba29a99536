"""Limits on online bookings, against abuse (issue 12), for every entry point.

``service.book`` applies them to whoever does not manage bookings on the
chosen counter (anonymous citizens and plain members alike; agents and
managers book for citizens without limits):

- per client address: at most ``bookings_per_hour`` bookings made from one
  address (``request.getClientAddr()``: ``REMOTE_ADDR``, which waitress
  takes from ``X-Forwarded-For`` of a trusted proxy; IPv6 by /64) in a
  sliding hour;
- per contact: at most ``bookings_per_contact`` active bookings (booked or
  unscheduled, start still to come) per e-mail address and per phone number,
  whoever made them.

Only bookings made count. The entries are written by the booking's own
transaction, and a refused request dooms its transaction (the REST service
and the HTML form both do), so a refused attempt leaves no trace.

Where: in the site's database, in the site's annotations. The tables thus
belong to one site, and every Zope process of a ZEO or RelStorage cluster
reads and writes the same ones: the limit holds across processes.

Concurrency (the rule of service.py: no site-wide hot object). Each table
is ``SHARDS`` OOBTrees, all made with the tables, chosen by the key's hash;
a booking writes one entry of one shard of each table. Concurrent bookings
from different addresses mostly write different shards, and within a shard
BTrees' conflict resolution merges changes of different keys (a bucket
split excepted: a rare ConflictError, retried by Zope). Two concurrent
bookings from the same address or for the same e-mail write the same entry
and conflict: the retry sees the other's booking, as a limit must.

Privacy and size: keys are HMAC-SHA256 of the address, e-mail or phone
with a random secret of the site kept with the tables, so no address is
stored in clear outside the booking and anonymised bookings cannot be found
from their old e-mail. Address entries hold the times of the bookings of
the last hour only; contact entries hold (service UID, booking code) of
active bookings only. Each booking prunes the entries it writes, and
``@@rendezvous-tick`` (``prune``) removes the expired ones, so the tables
hold at most one entry per booking of the last hour and per active booking.
"""

from BTrees.OOBTree import OOBTree
from collective.rendezvous import _
from persistent import Persistent
from plone import api
from plone.app.uuid.utils import uuidToObject
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest

import hashlib
import hmac
import ipaddress
import math
import secrets
import time


# Past the limit per address (429); the same words as the old in-memory limit.
ADDRESS_MESSAGE = _(
    "Too many bookings from your connection in the last hour: "
    "please try again later or call the town hall."
)


WINDOW = 3600.0
# bookings_per_contact left empty
DEFAULT_CAP = 3
SHARDS = 32
ANNOTATION = "collective.rendezvous.limits"
ACTIVE = ("booked", "unscheduled")


def now() -> float:
    """Wall-clock seconds: shared by processes (tests move it)."""
    return time.time()


class Tables(Persistent):
    """The site's limit tables: a secret and two sharded OOBTrees.

    ``addresses``: key -> tuple of booking times (seconds since the epoch).
    ``contacts``: key -> tuple of (service folder UID, booking code).
    """

    def __init__(self):
        self.secret = secrets.token_bytes(32)
        self.addresses = tuple(OOBTree() for _ in range(SHARDS))
        self.contacts = tuple(OOBTree() for _ in range(SHARDS))

    def key(self, kind: str, value: str) -> str:
        """The kind's initial ("a", "e", "p") and the value's keyed hash."""
        digest = hmac.new(self.secret, f"{kind}:{value}".encode(), hashlib.sha256)
        return kind[0] + digest.hexdigest()

    @staticmethod
    def shard(trees, key: str) -> OOBTree:
        return trees[int(key[1:5], 16) % len(trees)]


def tables(create: bool = True) -> Tables | None:
    """The current site's tables; made on first use (one write of the site)."""
    annotations = IAnnotations(api.portal.get())
    found = annotations.get(ANNOTATION)
    if found is None and create:
        found = annotations[ANNOTATION] = Tables()
    return found


def client_address() -> str:
    """The client's address as Zope sees it; IPv6 by its /64 network.

    One IPv6 subscriber usually holds a whole /64: counting its addresses one
    by one would give it billions of hourly limits.
    """
    request = getRequest()
    address = request.getClientAddr() if request is not None else ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def normalise_email(email: str) -> str:
    """One key per mailbox: lower case, without a +tag in the local part."""
    local, _sep, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


# -- per address ---------------------------------------------------------------


def _recent(tables_: Tables, key: str, moment: float) -> list[float]:
    times = Tables.shard(tables_.addresses, key).get(key, ())
    return sorted(t for t in times if t > moment - WINDOW)


def address_wait(limit: int, address: str | None = None) -> int:
    """0 when this address may book now, else the seconds until it may."""
    if not limit or limit <= 0:
        return 0
    found = tables(create=False)
    if found is None:
        return 0
    moment = now()
    key = found.key("address", address or client_address())
    times = _recent(found, key, moment)
    if len(times) < limit:
        return 0
    return max(1, math.ceil(times[-limit] + WINDOW - moment))


def record_address(limit: int, address: str | None = None) -> None:
    """Count a booking made from this address (in the booking's transaction)."""
    if not limit or limit <= 0:
        return
    found = tables()
    moment = now()
    key = found.key("address", address or client_address())
    times = _recent(found, key, moment)
    Tables.shard(found.addresses, key)[key] = tuple([*times, moment][-limit:])


# -- per contact ---------------------------------------------------------------


def _contact_keys(found: Tables, email: str, phone: str) -> list[tuple[str, str]]:
    keys = []
    if email:
        keys.append(("email", found.key("email", normalise_email(email))))
    if phone:
        keys.append(("phone", found.key("phone", phone)))
    return keys


def _booking(reference):
    from collective.rendezvous.booking import index

    folder_uid, code = reference
    folder = uuidToObject(folder_uid, unrestricted=True)
    return index.find(folder, code) if folder is not None else None


def _still_counts(found: Tables, reference, kind: str, key: str, moment) -> bool:
    """Whether the booking is active and still has this e-mail or phone."""
    booking = _booking(reference)
    if booking is None or getattr(booking, "anonymised", False):
        return False
    if api.content.get_state(booking) not in ACTIVE or booking.start <= moment:
        return False
    value = booking.email if kind == "email" else booking.phone
    if not value:
        return False
    value = normalise_email(value) if kind == "email" else value
    return hmac.compare_digest(found.key(kind, value), key)


def _active(found: Tables, kind: str, key: str, moment) -> tuple:
    references = Tables.shard(found.contacts, key).get(key, ())
    return tuple(r for r in references if _still_counts(found, r, kind, key, moment))


def contact_over(cap: int, email: str, phone: str, moment) -> str | None:
    """ "email" or "phone" when its active bookings reach the cap, else None.

    ``moment`` is the booking service's now (an aware datetime).
    """
    if not cap or cap <= 0:
        return None
    found = tables(create=False)
    if found is None:
        return None
    for kind, key in _contact_keys(found, email, phone):
        if len(_active(found, kind, key, moment)) >= cap:
            return kind
    return None


def record_contact(folder, booking, moment) -> None:
    """List a new booking under its e-mail and phone (in its transaction)."""
    found = tables()
    reference = (folder.UID(), booking.code)
    for kind, key in _contact_keys(found, booking.email, booking.phone):
        shard = Tables.shard(found.contacts, key)
        shard[key] = (*_active(found, kind, key, moment), reference)


# -- upkeep --------------------------------------------------------------------


def prune(moment) -> int:
    """Remove expired entries (``@@rendezvous-tick``); how many keys went.

    ``moment`` is the booking service's now. Writes nothing when nothing
    expired.
    """
    found = tables(create=False)
    if found is None:
        return 0
    removed = 0
    seconds = now()
    for shard in found.addresses:
        for key in list(shard.keys()):
            times = [t for t in shard[key] if t > seconds - WINDOW]
            if not times:
                del shard[key]
                removed += 1
            elif len(times) != len(shard[key]):
                shard[key] = tuple(times)
    for shard in found.contacts:
        for key in list(shard.keys()):
            kind = "email" if key.startswith("e") else "phone"
            active = _active(found, kind, key, moment)
            if not active:
                del shard[key]
                removed += 1
            elif len(active) != len(shard[key]):
                shard[key] = active
    return removed


def reset() -> None:
    """Nothing to forget: the counts live in each site's database.

    Kept for tests written when the limit was in memory; each functional
    test has its own database layer.
    """
