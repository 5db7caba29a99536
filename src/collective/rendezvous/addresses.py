"""E-mail addresses with accents or international domains (issue 13, point 8).

``zoé@exemple.fr`` has a non-ASCII local part: only a mail server offering
SMTPUTF8 (RFC 6531) can carry it, and nothing else can be done for it.
``x@bücher.example`` has an international domain: a server with SMTPUTF8
gets it as it is, any other server its IDNA form ``x@xn--bcher-kva.example``
(the same mailbox).

Whether the site's mail server offers SMTPUTF8 is a setting
(``mail_smtputf8``), not a probe: the booking must be refused at once, with
a clear message, when its address could never be mailed, and connecting to
the mail server in every booking request would make booking depend on it.
At send time the server's EHLO answer is checked again: an address with an
international domain falls back to IDNA if the server does not offer
SMTPUTF8 after all.
"""

import idna
import unicodedata


def split(address: str) -> tuple[str, str]:
    local, _at, domain = (address or "").rpartition("@")
    return local, domain


def ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA 2008, UTS 46 mapping), or None if invalid.

    ASCII domains are checked too (labels of letters, digits and inner
    hyphens; ``xn--`` labels that decode) and kept as written.
    """
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if "." not in encoded:
        return None
    return domain if domain.isascii() else encoded


def ascii_address(address: str) -> str | None:
    """The address with its domain in IDNA form; None if its local part is not ASCII."""
    local, domain = split(address)
    if not local.isascii():
        return None
    domain = ascii_domain(domain)
    return f"{local}@{domain}" if domain else None


def normalise(address: str) -> str:
    """NFC: one way of writing "é" (mail servers compare bytes)."""
    return unicodedata.normalize("NFC", address or "")


def smtputf8_enabled() -> bool:
    """Whether the settings say the mail server offers SMTPUTF8."""
    from collective.rendezvous.controlpanels.settings import get_settings

    try:
        return bool(get_settings().mail_smtputf8)
    except (LookupError, AttributeError):
        return False
