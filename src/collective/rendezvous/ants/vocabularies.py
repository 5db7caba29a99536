"""The ANTS environments (settings) and reasons (appointment types)."""

from collective.rendezvous import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


ENVIRONMENTS = (
    ("production", _("Production")),
    ("integration", _("Integration (ANTS test environment)")),
    ("custom", _("Custom address")),
)

# The hub's reasons; "" is a type that is not offered to the hub.
REASONS = (
    ("", _("None (not offered on the ANTS site)")),
    ("CNI", _("Identity card (CNI)")),
    ("PASSPORT", _("Passport")),
    ("CNI-PASSPORT", _("Identity card and passport")),
)


def _vocabulary(items) -> SimpleVocabulary:
    return SimpleVocabulary(
        [
            SimpleTerm(value=value, token=value or "none", title=title)
            for value, title in items
        ]
    )


@provider(IVocabularyFactory)
def environments(context=None) -> SimpleVocabulary:
    return _vocabulary(ENVIRONMENTS)


@provider(IVocabularyFactory)
def reasons(context=None) -> SimpleVocabulary:
    return _vocabulary(REASONS)
