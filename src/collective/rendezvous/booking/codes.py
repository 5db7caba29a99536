"""Booking codes (human, unique per service) and secret tokens (X3).

A code is 8 characters from an alphabet without look-alikes (no I, L, O, 0,
1). Uniqueness is enforced, not hoped for: each service folder keeps a BTree
code -> booking UID; a code already there is never handed out, and two
transactions inserting the same new code write the same BTree bucket entry,
so one of them gets a ConflictError and is retried with a fresh code.

The token is 192 random bits for the citizen's private link. Only its
SHA-256 is stored; it is compared in constant time.
"""

from BTrees.OOBTree import OOBTree
from zope.annotation.interfaces import IAnnotations

import hashlib
import hmac
import secrets


ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
ANNOTATION = "collective.rendezvous.codes"


def registry(folder) -> OOBTree:
    """The service's code -> booking UID registry (made on first use)."""
    annotations = IAnnotations(folder)
    codes = annotations.get(ANNOTATION)
    if codes is None:
        codes = annotations[ANNOTATION] = OOBTree()
    return codes


def normalise(code: str) -> str:
    """Upper case, without spaces or hyphens, as typed by a person."""
    return "".join(code.split()).replace("-", "").upper()


def new_code(folder, booking_uid: str) -> str:
    """Reserve a fresh code for a booking of this service."""
    codes = registry(folder)
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if code not in codes:
            codes[code] = booking_uid
            return code


def lookup(folder, code: str) -> str | None:
    """The UID of the booking with this code in this service, if any."""
    if not isinstance(code, str) or len(code) > 32:
        return None
    codes = IAnnotations(folder).get(ANNOTATION)
    return None if codes is None else codes.get(normalise(code))


def new_token() -> tuple[str, str]:
    """A fresh secret token and the hash to store."""
    token = secrets.token_urlsafe(24)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(stored_hash: str, token) -> bool:
    if not stored_hash or not isinstance(token, str) or len(token) > 200:
        return False
    return hmac.compare_digest(stored_hash, hash_token(token))
