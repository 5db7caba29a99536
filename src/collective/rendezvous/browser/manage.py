"""The citizen's private page for a booking: see it, cancel it, move it (X3).

Reached through the link given at booking time (``?code=...&token=...``);
agents who manage the counter may open it without the token.

The token is exchanged on the first visit (issue 12): the page answers with
a short-lived cookie holding the token (HttpOnly, Secure on https,
SameSite=Lax, its path that booking's own page ``rendezvous-manage/<CODE>``)
and redirects there, so that the address bar, the history and the links of
the page no longer show the token. The page, its cancel form and its .ics
link (``rendezvous-manage/<CODE>/ics``) read the token from the cookie;
every visit renews it. SameSite=Lax, not Strict: browsers withhold Strict
cookies on the redirect that follows a click in a webmail (a cross-site
navigation), which would break the link of the confirmation e-mail; Lax
still withholds the cookie from cross-site POSTs, so the cancel button
cannot be forged from another site.
"""

from collective.rendezvous import _
from collective.rendezvous import phones
from collective.rendezvous.booking import codes
from collective.rendezvous.booking import service
from collective.rendezvous.booking.serialize import booking_ics
from collective.rendezvous.booking.serialize import manage_url
from collective.rendezvous.slots.generation import site_timezone
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from urllib.parse import urlsplit
from zExceptions import NotFound
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse

import hashlib
import hmac
import transaction


COOKIE = "rendezvous_token"
COOKIE_MAX_AGE = 30 * 60
# Flags of the confirmation pages, kept through the token exchange.
FLAGS = ("new", "moved")


@implementer(IPublishTraverse)
class ManageView(BrowserView):
    def __init__(self, context, request):
        super().__init__(context, request)
        self.subpath = []

    def publishTraverse(self, request, name):
        # rendezvous-manage/<CODE> and rendezvous-manage/<CODE>/ics only.
        if len(self.subpath) >= 2 or (self.subpath and name != "ics"):
            raise NotFound(self, name, request)
        self.subpath.append(name)
        return self

    def __call__(self):
        # The page carries the token (URL, links, cookie): no cache, no Referer.
        codes.keep_private(self.request.response)
        form = self.request.form
        in_query = form.get("token") if isinstance(form.get("token"), str) else ""
        self.code = self.subpath[0] if self.subpath else form.get("code") or ""
        self.token = in_query or self.request.cookies.get(COOKIE) or ""
        self.booking = None
        self.message = None
        self.confirming = False
        try:
            self.booking, self.who = service.open_booking(
                self.context, self.code, self.token
            )
        except service.BookingError as error:
            self.booking = None
            self.request.response.setStatus(error.status)
            if error.status == 401:
                self.message = _(
                    "For your security, this page needs the link from your "
                    "confirmation e-mail again: please open that link."
                )
            else:
                self.message = _(
                    "This link does not open any booking. Check that you copied "
                    "the whole link from your confirmation e-mail."
                )
            return self.index()
        if self.who == "citizen":
            self._keep_token()
        if in_query and self.request.method == "GET":
            flags = {name: "1" for name in FLAGS if form.get(name)}
            return self.request.response.redirect(self.url(**flags))
        if self.subpath[1:] == ["ics"]:
            return self.ics()
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

    def _keep_token(self) -> None:
        """The token in a cookie of this booking's page only, for a while."""
        self.request.response.setCookie(
            COOKIE,
            self.token,
            path=urlsplit(self.url()).path,
            max_age=COOKIE_MAX_AGE,
            http_only=True,
            secure=self.request.get("SERVER_URL", "").startswith("https://"),
            same_site="Lax",
        )

    def ics(self) -> bytes:
        response = self.request.response
        response.setHeader("Content-Type", "text/calendar; charset=utf-8")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="{self.booking.code}.ics"'
        )
        return booking_ics(self.context, self.booking)

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
        """This booking's page, without the token (it is in the cookie)."""
        url = f"{self.context.absolute_url()}/rendezvous-manage/{self.booking.code}"
        return f"{url}?{urlencode(extra)}" if extra else url

    def private_link(self) -> str | None:
        """The link of the confirmation e-mail, shown once to its citizen
        (on the confirmation page), to keep: this page's address no longer
        holds the token."""
        if self.who != "citizen" or not self.token:
            return None
        return manage_url(self.context, self.booking, self.token)

    def move_url(self) -> str:
        query = {"move": self.booking.code, "token": self.token}
        return f"{self.context.absolute_url()}?{urlencode(query)}"

    def ics_url(self) -> str:
        return f"{self.url()}/ics"

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
            "bring": (getattr(kind, "what_to_bring", "") or "").strip()
            if kind is not None
            else "",
            "no_sms": bool(self.booking.phone)
            and not phones.gets_sms(self.booking.phone),
            "place": place.Title(),
            "address": getattr(place, "address", ""),
            "counter": counter.Title(),
        }

    def translate(self, message) -> str:
        return translate(message, context=self.request)
