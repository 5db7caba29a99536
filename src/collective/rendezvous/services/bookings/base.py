"""Shared by the @bookings services: path parameters and refusals."""

from collective.rendezvous.booking import codes
from collective.rendezvous.booking.service import BookingError
from collective.rendezvous.services import error_body
from plone.restapi.services import Service
from zope.i18n import translate
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse

import json
import transaction


def json_response(service, content):
    """What plone.restapi's Service.render does with a dict."""
    service.check_permission()
    service.request.response.setHeader("Content-Type", service.content_type)
    return json.dumps(content, indent=2, sort_keys=True, separators=(", ", ": "))


@implementer(IPublishTraverse)
class BookingsService(Service):
    """``@bookings[/<code>[/<action>]]``."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def token(self, body=None):
        """The booking's token: the X-Rendezvous-Token header, else the
        ``token`` of the JSON body (POST) or of the query string (GET)."""
        header = self.request.getHeader(codes.TOKEN_HEADER)
        if header:
            return header
        source = self.request.form if body is None else body
        return source.get("token")

    def render(self):
        # Bookings are personal data and may carry the token (in the URL,
        # the body of a new booking): no cache, no Referer.
        codes.keep_private(self.request.response)
        content = self.reply()
        if isinstance(content, bytes):
            # Not JSON (the .ics): headers were set by the handler.
            self.check_permission()
            return content
        return json_response(self, content)

    def reply(self):
        try:
            return self.handle()
        except BookingError as error:
            # A refused request changes nothing, even what the service did
            # before it found the problem (e.g. a released slot).
            transaction.doom()
            if error.retry_after:
                self.request.response.setHeader("Retry-After", str(error.retry_after))
            body = error_body(self.request, error.status, error.message, error.field)
            if getattr(error, "confirm", None):
                # A warning the request may go past with this flag (ANTS).
                body["confirm"] = error.confirm
            if len(error.errors) > 1:
                # Every refused field at once, as the booking page shows them.
                body["errors"] = [
                    {
                        "field": field,
                        "message": translate(message, context=self.request),
                    }
                    for field, message in error.errors.items()
                ]
            return body
