"""The site's address in what leaves the site: notification links, .ics UIDs.

A request's ``Host`` header is chosen by whoever sends the request: built
from it, the private link in a citizen's mail could point to another site
(``Host: evil.example``), and a booking moved through another host name
would give the citizen's calendar a second event. So the address is never
taken from the request. It is the ``public_url`` setting (the address
citizens use), or, when it is empty, ``site_url``, the site's address stored
when the add-on was installed (with virtual hosting, the address the site had
behind the front server). A mail sent by the scheduled task, without a
request, gets the same links.
"""

from plone import api
from urllib.parse import urlsplit

import logging


logger = logging.getLogger("collective.rendezvous")

# Host names of a request made by a script or a test (makerequest, testing).
PLACEHOLDER_HOSTS = frozenset(("nohost", "foo"))


def _setting(name: str) -> str:
    try:
        value = api.portal.get_registry_record(f"collective.rendezvous.{name}")
    except (KeyError, api.exc.InvalidParameterError):
        return ""
    return (value or "").strip().rstrip("/")


def base_url() -> str:
    """``public_url``, else the address stored at install, else ""."""
    return _setting("public_url") or _setting("site_url")


def url_of(obj) -> str:
    """The public URL of an object of the site, from ``base_url`` and its path.

    Without any stored address the link is the path below the site (logged:
    the control panel asks for ``public_url``), never the request's host.
    """
    portal = api.portal.get()
    portal_path = portal.getPhysicalPath()
    path = obj.getPhysicalPath()[len(portal_path) :]
    base = base_url()
    if not base:
        logger.warning(
            "collective.rendezvous: the public address of the site (public_url) "
            "is empty: links in notifications have no host name."
        )
    return "/".join((base, *path)) if path else base or "/"


def calendar_host() -> str:
    """The domain part of the .ics UIDs: the host of ``base_url``, else a
    fixed name (never the request's host)."""
    return urlsplit(base_url()).hostname or "collective.rendezvous"


def calendar_uid(booking) -> str:
    return f"{booking.UID()}@{calendar_host()}"


def install_url(portal) -> str:
    """The site's address to store at install, "" for a script's request."""
    url = portal.absolute_url().rstrip("/")
    host = urlsplit(url).hostname or ""
    if not url.startswith(("http://", "https://")) or host in PLACEHOLDER_HOSTS:
        return ""
    return url


def store_site_url(portal) -> None:
    """At install: remember the site's address, and make it the public
    address unless one is set already."""
    url = install_url(portal)
    if not url:
        return
    for name in ("site_url", "public_url"):
        record = f"collective.rendezvous.{name}"
        if not api.portal.get_registry_record(record, default=""):
            api.portal.set_registry_record(record, url)
