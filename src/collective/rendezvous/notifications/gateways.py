"""SMS gateways: named utilities providing ``ISMSGateway``.

The "Rendez-vous" settings name the gateway to use (``sms_gateway``). Two
ship with the add-on:

``http``
    a generic HTTP JSON gateway: ``POST`` to ``sms_gateway_url`` with
    ``Authorization: Bearer <sms_gateway_token>`` and the JSON body
    ``{"to": "+33612345678", "from": "<sms_sender>", "text": "..."}``; any
    2xx answer is a success, anything else a failure (retried by the tick).
    The token travels in the request: the address must be ``https://``
    (``http://`` only to this machine, a local relay or the tests), checked
    when the settings are saved and again before each message is sent.
``log``
    writes the SMS to the instance's log and sends nothing, for sites
    without an SMS provider (the default).

Another provider is one more named utility::

    @implementer(ISMSGateway)
    class MyGateway:
        title = "My provider"
        def send(self, recipient, text, config): ...

    <utility factory=".MyGateway" name="my-provider" />
"""

from collective.rendezvous import _
from collective.rendezvous import logger
from zope.interface import Attribute
from zope.interface import implementer
from zope.interface import Interface

import json
import re
import urllib.error
import urllib.parse
import urllib.request


# http:// is accepted to these hosts only: the token never leaves the machine.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def secure_url(url: str) -> bool:
    """Whether the gateway token may be sent to ``url``.

    ``https://`` to any host, or ``http://`` to this machine (localhost,
    127.0.0.1, ::1). The host is the one ``urllib`` connects to, so
    ``http://127.0.0.1@example.org/`` is not loopback.
    """
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return False
    if not host or any(char.isspace() for char in url.strip()):
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and host in LOOPBACK


class SMSError(Exception):
    """The gateway did not accept the message."""


class ISMSGateway(Interface):
    """Sends one SMS."""

    title = Attribute("What the settings show")

    def send(recipient, text, config):
        """Send ``text`` to ``recipient`` (E.164, e.g. ``+33612345678``).

        ``config`` is a dict with ``url``, ``token`` and ``sender`` from the
        settings. Returns a short result (e.g. the provider's message id) or
        raises ``SMSError`` (or any exception) when the message is refused.
        Called after the transaction commits: it must not touch the ZODB.
        """


@implementer(ISMSGateway)
class LogGateway:
    """Logs the SMS instead of sending it."""

    title = _("Log only (no SMS is sent)")

    def send(self, recipient, text, config):
        # Logs are read by more people than the bookings: no private link
        # token and only the end of the number.
        text = re.sub(r"token=[^\s&]+", "token=…", text)
        logger.info("SMS (log only) to …%s: %s", recipient[-4:], text)
        return "logged"


@implementer(ISMSGateway)
class HTTPJSONGateway:
    """POSTs ``{"to", "from", "text"}`` as JSON to the configured URL."""

    title = _("HTTP JSON gateway")
    timeout = 15

    def send(self, recipient, text, config):
        url = (config.get("url") or "").strip()
        if not url:
            raise SMSError("no SMS gateway URL is set")
        if not secure_url(url):
            # Set in the registry by other means than the settings' checks.
            raise SMSError("the SMS gateway URL must start with https://")
        body = json.dumps(
            {"to": recipient, "from": config.get("sender") or "", "text": text}
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "collective.rendezvous",
        }
        if config.get("token"):
            headers["Authorization"] = f"Bearer {config['token']}"
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(2000)
                status = response.status
        except urllib.error.HTTPError as error:
            raise SMSError(f"the gateway answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SMSError(f"the gateway cannot be reached ({reason})") from None
        if not 200 <= status < 300:
            raise SMSError(f"the gateway answered HTTP {status}")
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict) and data.get("id"):
            return f"HTTP {status}, id {str(data['id'])[:64]}"
        return f"HTTP {status}"
