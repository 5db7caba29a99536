"""The "ANTS" settings: the hub's URL, the inbound token's check."""

from plone import api

import hashlib
import hmac


PREFIX = "collective.rendezvous"

URLS = {
    "production": "https://api-coordination.rendezvouspasseport.ants.gouv.fr/api",
    "integration": "https://int.api-coordination.rendezvouspasseport.ants.gouv.fr/api",
}


def record(name: str, default=None):
    try:
        value = api.portal.get_registry_record(f"{PREFIX}.{name}", default=default)
    except api.exc.InvalidParameterError:
        return default
    return default if value is None else value


def api_url() -> str:
    """The base URL of the ANTS API (no trailing slash) for the environment."""
    environment = record("ants_environment", "integration") or "integration"
    if environment == "custom":
        return (record("ants_custom_url", "") or "").strip().rstrip("/")
    return URLS.get(environment, URLS["integration"])


def hash_token(token: str) -> str:
    """The stored form of the hub's token: its SHA-256, hexadecimal."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def hub_allowed(token: str | None) -> bool:
    """ANTS is on and ``token`` is the hub's (constant-time comparison)."""
    if not record("ants_enabled", False):
        return False
    stored = record("ants_hub_token_hash", "") or ""
    if not stored or not token:
        return False
    return hmac.compare_digest(hash_token(token), stored)
