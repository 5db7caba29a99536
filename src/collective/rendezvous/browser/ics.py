"""``@bookings/<code>/ics`` for browsers (issue 13).

plone.rest dispatches ``@bookings`` on the Accept header: only a request
accepting exactly ``application/json`` reaches the REST service. A browser
following the "Add to my calendar (.ics)" link sends ``text/html,...`` and
got Plone's 404. This page has the same name for every other request and
answers the ``.ics`` only (same checks as the REST service: the booking's
private token, or an agent of its counter); the JSON resources stay with the
REST service.
"""

from collective.rendezvous import _
from collective.rendezvous.booking import codes
from collective.rendezvous.booking import service
from collective.rendezvous.booking.serialize import booking_ics
from Products.Five.browser import BrowserView
from zope.i18n import translate
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


@implementer(IPublishTraverse)
class BookingCalendarView(BrowserView):
    """``<folder>/@bookings/<code>/ics?token=...``: the booking as text/calendar."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.params = []

    def publishTraverse(self, request, name):
        self.params.append(name)
        return self

    def __call__(self):
        response = self.request.response
        codes.keep_private(response)  # the URL holds the token
        if len(self.params) != 2 or self.params[1] != "ics":
            return self._refuse(404, _("There is no such resource."))
        try:
            token = self.request.getHeader(codes.TOKEN_HEADER) or self.request.form.get(
                "token"
            )
            if not isinstance(token, str):
                token = ""
            booking, _who = service.open_booking(self.context, self.params[0], token)
        except service.BookingError as error:
            return self._refuse(error.status, error.message)
        response.setHeader("Content-Type", "text/calendar; charset=utf-8")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="{booking.code}.ics"'
        )
        return booking_ics(self.context, booking)

    def _refuse(self, status: int, message) -> str:
        self.request.response.setStatus(status)
        self.request.response.setHeader("Content-Type", "text/plain; charset=utf-8")
        return translate(message, context=self.request)
