"""Field (de)serializers: references are bare UIDs (api.md); choices are text."""

from collective.rendezvous import _
from collective.rendezvous.content.fields import IContentChoice
from collective.rendezvous.content.fields import ISafeChoice
from collective.rendezvous.interfaces import IBrowserLayer
from collective.z3cform.datagridfield.deserializer import DatagridRowDeserializer
from collective.z3cform.datagridfield.interfaces import IRow
from plone.dexterity.interfaces import IDexterityContent
from plone.restapi.deserializer.dxfields import ChoiceFieldDeserializer
from plone.restapi.interfaces import IFieldDeserializer
from plone.restapi.interfaces import IFieldSerializer
from plone.restapi.serializer.dxfields import DefaultFieldSerializer
from zope.component import adapter
from zope.i18n import translate
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserRequest
from zope.schema.interfaces import WrongType


@adapter(IContentChoice, IDexterityContent, IBrowserRequest)
@implementer(IFieldSerializer)
class ContentChoiceSerializer(DefaultFieldSerializer):
    """The UID as stored, not plone.restapi's {"token", "title"} of a Choice."""

    def __call__(self):
        return self.get_value()


@adapter(ISafeChoice, IDexterityContent, IBrowserRequest)
@implementer(IFieldDeserializer)
class SafeChoiceDeserializer(ChoiceFieldDeserializer):
    """Refuse a value that is not text before looking it up in the vocabulary.

    plone.restapi's lookup by token fails with a TypeError (a 500) on a list
    or a dict; this answers 400 naming the field.
    """

    def __call__(self, value):
        if isinstance(value, dict) and "token" in value:
            value = value["token"]
        if not isinstance(value, str):
            raise WrongType(value, str, self.field.__name__)
        return super().__call__(value)


@adapter(IRow, IDexterityContent, IBrowserLayer)
@implementer(IFieldDeserializer)
class RowDeserializer(DatagridRowDeserializer):
    """Refuse a row that is not a JSON object (datagridfield's fails with a 500)."""

    def __call__(self, row):
        if not isinstance(row, dict):
            raise ValueError(
                translate(
                    _("Each row must be an object with named values."),
                    context=self.request,
                )
            )
        return super().__call__(row)
