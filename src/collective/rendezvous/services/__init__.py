"""plone.restapi endpoints, one folder per endpoint."""

from zope.i18n import translate


ERROR_TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    503: "ServiceUnavailable",
}


def error_body(request, status: int, message, field: str | None = None) -> dict:
    """Set the status and return plone.restapi's error shape, message translated.

    ``{"type": "BadRequest", "message": "...", "field": "start"}``
    """
    request.response.setStatus(status)
    body = {
        "type": ERROR_TYPES.get(status, "Error"),
        "message": translate(message, context=request),
    }
    if field:
        body["field"] = field
    return body
