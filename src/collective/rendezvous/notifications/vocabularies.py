"""Vocabularies of the notification settings: events, channels, SMS gateways."""

from collective.rendezvous.notifications.gateways import ISMSGateway
from collective.rendezvous.notifications.texts import CHANNEL_TITLES
from collective.rendezvous.notifications.texts import CHANNELS
from collective.rendezvous.notifications.texts import EVENT_TITLES
from collective.rendezvous.notifications.texts import EVENTS
from zope.component import getUtilitiesFor
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


@provider(IVocabularyFactory)
def events(context=None) -> SimpleVocabulary:
    """The seven events of R6; tokens are the keys (``created``, ...)."""
    return SimpleVocabulary(
        [SimpleTerm(key, token=key, title=EVENT_TITLES[key]) for key in EVENTS]
    )


@provider(IVocabularyFactory)
def channels(context=None) -> SimpleVocabulary:
    """``mail`` and ``sms``."""
    return SimpleVocabulary(
        [SimpleTerm(key, token=key, title=CHANNEL_TITLES[key]) for key in CHANNELS]
    )


@provider(IVocabularyFactory)
def sms_gateways(context=None) -> SimpleVocabulary:
    """The registered SMS gateways (named ``ISMSGateway`` utilities)."""
    terms = [
        SimpleTerm(name, token=name, title=getattr(gateway, "title", name))
        for name, gateway in sorted(getUtilitiesFor(ISMSGateway))
    ]
    return SimpleVocabulary(terms)
