"""plone.restapi: an appointment type's notification overrides, read as a whole.

The datagrid's own row reader would answer "Constraint not satisfied" for an
unknown event or channel; this one names the row and the value.
"""

from collective.rendezvous.notifications.schema import INotificationOverridesField
from collective.rendezvous.notifications.schema import override_rows
from plone.dexterity.interfaces import IDexterityContent
from plone.restapi.interfaces import IFieldDeserializer
from zope.component import adapter
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserRequest


@implementer(IFieldDeserializer)
@adapter(INotificationOverridesField, IDexterityContent, IBrowserRequest)
class OverridesDeserializer:
    def __init__(self, field, context, request):
        self.field = field.bind(context)
        self.context = context
        self.request = request

    def __call__(self, value):
        rows = override_rows(value)
        self.field.validate(rows)
        return rows
