"""Booking: one appointment of a citizen at a counter (R3, R6, X3, X10).

Bookings are made, moved and cancelled only through the booking service
(``collective.rendezvous.booking``), which keeps the counter's slots in step.
Personal data (beneficiary, e-mail, phone) is visible to the agents of the
counter's service and to managers only: the workflow grants no role of the
public any permission. The citizen reaches their booking through its code
and a secret token, never through the booking's URL.
"""

from collective.rendezvous import _
from persistent.list import PersistentList
from plone.app.linkintegrity.interfaces import IRetriever
from plone.dexterity.content import Item
from plone.supermodel import model
from zope import schema
from zope.component import adapter
from zope.interface import implementer
from zope.keyreference.interfaces import IKeyReference

import datetime


class IBooking(model.Schema):
    """The fields of the REST contract (api.md, "Bookings")."""

    beneficiary = schema.TextLine(title=_("Beneficiary"), required=True)
    email = schema.TextLine(title=_("E-mail"), required=False, default="")
    phone = schema.TextLine(title=_("Phone"), required=False, default="")
    partner_type = schema.TextLine(title=_("Partner type"), required=False, default="")
    option = schema.TextLine(title=_("Option"), required=False, default="")
    start = schema.Datetime(title=_("Start"), required=True, readonly=True)
    end = schema.Datetime(title=_("End"), required=True, readonly=True)
    previous_start = schema.Datetime(
        title=_("Previous start"), required=False, readonly=True
    )
    code = schema.TextLine(title=_("Booking code"), required=True, readonly=True)
    comment = schema.Text(title=_("Comment"), required=False, default="")
    # Changed only through the booking service (PATCH of the booking), which
    # checks them with the ANTS hub: read-only in the forms (issue 14).
    application_ids = schema.Tuple(
        title=_("Pre-application numbers"),
        value_type=schema.TextLine(),
        required=False,
        default=(),
        readonly=True,
    )


@implementer(IBooking)
class Booking(Item):
    """A booking. ``token_hash`` holds the SHA-256 of the citizen's secret."""

    token_hash = ""
    cancelled_by = ""  # "citizen" or "agent"
    cancelled_at = None
    cancel_reason = ""
    anonymised = False
    history = None
    # ANTS pre-application numbers, one per document (issue 14).
    application_ids = ()

    # Bookings are not cataloged: the counters' day records index them
    # (booking/index.py explains why). These CMF hooks do nothing.
    def indexObject(self):
        pass

    def unindexObject(self):
        pass

    def reindexObject(self, idxs=None):
        pass

    def reindexObjectSecurity(self, skip_self=False):
        pass

    def Title(self):
        # Never the beneficiary's name: titles end up in listings and the catalog.
        return self.code or self.getId()

    def log(self, event: str, **details) -> None:
        """Append to the booking's own history (who did what, when)."""
        if self.history is None:
            self.history = PersistentList()
        entry = {"event": event, "at": datetime.datetime.now(datetime.UTC)}
        entry.update(details)
        self.history.append(entry)


@adapter(IBooking)
@implementer(IKeyReference)
def no_key_reference(booking):
    """No IntId for bookings: the IntIds BTrees are site-wide (index.py)."""
    return None


@adapter(IBooking)
@implementer(IRetriever)
def no_link_retriever(booking):
    """Bookings link to nothing; without an IntId, linkintegrity must skip them."""
    return None
