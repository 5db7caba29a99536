"""Booking codes (human, unique per service) and secret tokens (X3).

A code is 8 characters from an alphabet without look-alikes (no I, L, O, 0,
1); the booking's id in its counter is the code in lower case. Uniqueness is
enforced, not hoped for: each service folder keeps BTrees code -> the UID of
the booking's counter; a code already there is never handed out, and two
transactions inserting the same new code write the same BTree entry, so one
of them gets a ConflictError and is retried with a fresh code.

The registry is split into one BTree per first character of the code, all
made with the registry: concurrent bookings with different codes then
rarely write the same BTree, and never a tree being created.

The token is 192 random bits for the citizen's private link. Only its
SHA-256 is stored; it is compared in constant time. Every answer that
carries a token (in its URL, its links or its body) is kept out of caches
and Referer headers (``keep_private``); REST clients may send the token in
the ``X-Rendezvous-Token`` header instead of the URL.
"""

from BTrees.OOBTree import OOBTree
from zope.annotation.interfaces import IAnnotations

import hashlib
import hmac
import secrets


ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
ANNOTATION = "collective.rendezvous.codes"
TOKEN_HEADER = "X-Rendezvous-Token"
# A hash no token has (not hexadecimal): compared when the code is unknown.
NO_HASH = "-" * 64


def registry(folder) -> OOBTree:
    """The service's registry: first character -> (code -> counter UID)."""
    annotations = IAnnotations(folder)
    codes = annotations.get(ANNOTATION)
    if codes is None:
        codes = annotations[ANNOTATION] = OOBTree()
        for letter in ALPHABET:
            codes[letter] = OOBTree()
    return codes


def _tree(folder, code: str):
    codes = IAnnotations(folder).get(ANNOTATION)
    return None if codes is None or not code else codes.get(code[0])


def normalise(code: str) -> str:
    """Upper case, without spaces or hyphens, as typed by a person."""
    return "".join(code.split()).replace("-", "").upper()


def new_code(folder, counter_uid: str) -> str:
    """Reserve a fresh code for a booking at this counter of this service."""
    codes = registry(folder)
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        tree = codes[code[0]]
        if code not in tree:
            tree[code] = counter_uid
            return code


def moved(folder, code: str, counter_uid: str) -> None:
    """The booking with this code now lives in another counter."""
    registry(folder)[code[0]][code] = counter_uid


def lookup(folder, code: str) -> str | None:
    """The UID of the counter holding the booking with this code, if any."""
    if not isinstance(code, str) or len(code) > 32:
        return None
    code = normalise(code)
    tree = _tree(folder, code)
    return None if tree is None else tree.get(code)


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


def keep_private(response) -> None:
    """No cache keeps this answer, no Referer carries its URL elsewhere."""
    response.setHeader("Referrer-Policy", "no-referrer")
    response.setHeader("Cache-Control", "private, no-store")
