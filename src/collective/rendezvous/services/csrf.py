"""Cross-site request forgery on the add-on's REST writes (issue 12).

A browser sends the Plone login cookie (``__ac``) with any request to the
site, even one made by another site's page: a ``text/plain`` POST needs no
CORS preflight. So an authenticated write is accepted only when the browser
could not have been tricked into sending it:

- it carries plone.protect's token (``X-CSRF-TOKEN`` header or
  ``_authenticator`` parameter), which only the site's own pages know; or
- it is JSON (``Content-Type: application/json``, which another site can
  only send after a CORS preflight the site does not grant) and its
  credentials are in the ``Authorization`` header (Basic or Bearer), which
  another site's page cannot set either.

Anonymous calls (citizens, with the booking's token in the body) are left
as they are: there is no session to abuse.
"""

from collective.rendezvous import _
from plone import api
from plone.protect.authenticator import check
from plone.protect.interfaces import IDisableCSRFProtection
from zExceptions import Forbidden
from zope.interface import alsoProvides


AUTH_SCHEMES = ("basic", "bearer")


class CrossSiteRequest(Exception):
    """An authenticated write that a foreign page could have sent."""

    message = _(
        "This request is refused: send it as JSON (Content-Type: "
        "application/json) with your credentials in the Authorization header, "
        "or with the site's CSRF token (X-CSRF-TOKEN header)."
    )


def is_json(request) -> bool:
    content_type = request.getHeader("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() == "application/json"


def has_auth_header(request) -> bool:
    # Zope moves the header out of the environment into ``_auth``.
    header = getattr(request, "_auth", None) or request.getHeader("Authorization")
    if not isinstance(header, str):
        return False
    return header.split(" ")[0].lower() in AUTH_SCHEMES


def has_token(request) -> bool:
    try:
        check(request)
    except Forbidden:
        return False
    return True


def check_write(request) -> None:
    """Raise ``CrossSiteRequest`` for an authenticated write open to CSRF.

    Otherwise the request is safe and plone.protect's automatic check,
    which would ask a Basic-auth client for a token, is switched off for it.
    """
    if api.user.is_anonymous():
        safe = True  # no session to abuse: the booking's token decides
    else:
        safe = has_token(request) or (is_json(request) and has_auth_header(request))
    if not safe:
        raise CrossSiteRequest()
    alsoProvides(request, IDisableCSRFProtection)


SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))


def _of_the_addon(request) -> bool:
    """Is the published REST service about the add-on's content or settings?"""
    from Acquisition import aq_chain
    from collective.rendezvous.content.folder import IRendezvousFolder

    if "/@controlpanels/rendezvous" in (request.get("PATH_INFO") or ""):
        return True
    context = getattr(request.get("PUBLISHED"), "context", None)
    return any(IRendezvousFolder.providedBy(obj) for obj in aq_chain(context))


def refuse_forged_writes(event) -> None:
    """Every authenticated REST write on the add-on's content or settings,
    plone.restapi's own too (content added, changed, deleted in an appointment
    service; ``PATCH @controlpanels/rendezvous``), meets the same rule as the
    add-on's services (``IPubAfterTraversal``: the user is known, nothing is
    done yet). ``DELETE`` has no body: the header or the token is enough."""
    from plone.rest.interfaces import IAPIRequest
    from zope.i18n import translate

    request = event.request
    method = (request.get("REQUEST_METHOD") or "GET").upper()
    if method in SAFE_METHODS or not IAPIRequest.providedBy(request):
        return
    if api.user.is_anonymous() or not _of_the_addon(request):
        return
    if has_token(request) or (
        has_auth_header(request) and (method not in BODY_METHODS or is_json(request))
    ):
        return
    raise Forbidden(translate(CrossSiteRequest.message, context=request))
