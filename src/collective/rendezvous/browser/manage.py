"""The citizen's private page for a booking: see it, cancel it, move it (X3).

Reached through the link given at booking time (``code`` and ``token``);
agents who manage the counter may open it without the token.
"""

from collective.rendezvous import _
from collective.rendezvous.booking import service
from collective.rendezvous.slots.generation import site_timezone
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.i18n import translate
from zope.interface import alsoProvides

import hashlib
import hmac
import transaction


class ManageView(BrowserView):
    def __call__(self):
        form = self.request.form
        self.code = form.get("code") or ""
        self.token = form.get("token") or ""
        self.booking = None
        self.message = None
        self.confirming = False
        try:
            self.booking = service.get_booking(self.context, self.code)
            self.who = service.authorise(self.booking, self.token)
        except service.BookingError as error:
            self.booking = None
            self.request.response.setStatus(404 if error.status == 404 else 403)
            self.message = _(
                "This link does not open any booking. Check that you copied "
                "the whole link from your confirmation e-mail."
            )
            return self.index()
        if self.request.method == "POST" and form.get("cancel"):
            if not api.user.is_anonymous():
                from plone.protect import CheckAuthenticator

                CheckAuthenticator(self.request)
            alsoProvides(self.request, IDisableCSRFProtection)
            if not self.confirmed():
                # One click does not cancel: a confirmation step, in the page,
                # that works without JavaScript (issue 13).
                self.confirming = True
                return self.index()
            try:
                service.cancel(self.booking, by=self.who)
            except service.BookingError as error:
                transaction.doom()
                self.message = error.message
            else:
                api.portal.show_message(
                    _("Your appointment is cancelled."), request=self.request
                )
                return self.request.response.redirect(self.url())
        return self.index()

    def confirm_key(self) -> str:
        """What the confirmation form posts: only the page can know it.

        Derived from the booking's stored token hash, never shown elsewhere:
        a cancellation posted from another site (or without the confirmation
        step) does not carry it.
        """
        secret = (self.booking.token_hash or self.booking.UID()).encode()
        message = f"cancel:{self.booking.code}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]

    def confirmed(self) -> bool:
        value = self.request.form.get("confirm")
        return isinstance(value, str) and hmac.compare_digest(value, self.confirm_key())

    def confirm_question(self) -> str:
        return self.translate(
            _(
                "Do you really want to cancel your appointment of ${date}? "
                "Its time will be offered to other people.",
                mapping={"date": self.when()},
            )
        )

    def url(self, **extra) -> str:
        query = {"code": self.booking.code, "token": self.token, **extra}
        return f"{self.context.absolute_url()}/rendezvous-manage?{urlencode(query)}"

    def move_url(self) -> str:
        query = {"move": self.booking.code, "token": self.token}
        return f"{self.context.absolute_url()}?{urlencode(query)}"

    def ics_url(self) -> str:
        query = urlencode({"token": self.token})
        return (
            f"{self.context.absolute_url()}/@bookings/{self.booking.code}/ics?{query}"
        )

    def state(self) -> str:
        return api.content.get_state(self.booking)

    def active(self) -> bool:
        return self.state() in ("booked", "unscheduled")

    def state_label(self) -> str:
        labels = {
            "booked": _("Booked"),
            "attended": _("Attended"),
            "absent": _("Missed"),
            "cancelled": _("Cancelled"),
            "unscheduled": _(
                "Unscheduled: the town hall changed its opening hours; "
                "please choose another time."
            ),
        }
        return translate(labels.get(self.state(), self.state()), context=self.request)

    def when(self) -> str:
        from collective.rendezvous.browser.folder import day_and_time

        return day_and_time(self.booking.start.astimezone(site_timezone()))

    def details(self):
        counter = self.booking.__parent__
        place = counter.__parent__
        kind = counter.get_appointment_type()
        return {
            "type": kind.Title() if kind is not None else "",
            "option": self.booking.option,
            "place": place.Title(),
            "address": getattr(place, "address", ""),
            "counter": counter.Title(),
        }

    def translate(self, message) -> str:
        return translate(message, context=self.request)
