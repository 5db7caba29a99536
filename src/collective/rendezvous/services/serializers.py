"""Field serializers: references to other content are bare UIDs (api.md)."""

from collective.rendezvous.content.fields import IContentChoice
from plone.dexterity.interfaces import IDexterityContent
from plone.restapi.interfaces import IFieldSerializer
from plone.restapi.serializer.dxfields import DefaultFieldSerializer
from zope.component import adapter
from zope.interface import implementer
from zope.publisher.interfaces.browser import IBrowserRequest


@adapter(IContentChoice, IDexterityContent, IBrowserRequest)
@implementer(IFieldSerializer)
class ContentChoiceSerializer(DefaultFieldSerializer):
    """The UID as stored, not plone.restapi's {"token", "title"} of a Choice."""

    def __call__(self):
        return self.get_value()
