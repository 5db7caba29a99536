"""PATCH of a booking (plone.restapi's content PATCH): through the booking service.

plone.restapi's own deserializer would store any text in ``email`` or
``phone`` (the schema's fields are plain text lines) and leave no trace.
This one hands the body to ``service.edit``, which checks each value as
booking does, stores nothing unless all are valid, and records in the
booking's history who changed which fields. A refused value is a 400 in
plone.restapi's error shape (a list of ``{"field", "message", "error"}``);
an anonymised booking is a 409.
"""

from collective.rendezvous.booking import service
from collective.rendezvous.content.booking import IBooking
from collective.rendezvous.interfaces import IBrowserLayer
from plone.restapi.deserializer import json_body
from plone.restapi.interfaces import IDeserializeFromJson
from zExceptions import BadRequest
from zExceptions import HTTPConflict
from zope.component import adapter
from zope.i18n import translate
from zope.interface import implementer

import transaction


@implementer(IDeserializeFromJson)
@adapter(IBooking, IBrowserLayer)
class BookingDeserializer:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, validate_all=False, data=None, create=False, **kwargs):
        if data is None:
            data = json_body(self.request)
        if isinstance(data, dict):
            # plone.restapi's own keys (@type, ...), not fields.
            data = {
                name: value for name, value in data.items() if not name.startswith("@")
            }
        try:
            service.edit(self.context, data)
        except service.BookingError as error:
            transaction.doom()
            message = translate(error.message, context=self.request)
            if error.status == 409:
                raise HTTPConflict(message) from None
            raise BadRequest(
                [
                    {
                        "field": error.field or "",
                        "message": message,
                        "error": "ValidationError",
                    }
                ]
            ) from None
        return self.context
