"""Vocabularies of the add-on's content, by UID (tokens are UIDs)."""

from plone import api
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def _brains(portal_type: str):
    catalog = api.portal.get_tool("portal_catalog")
    return catalog.unrestrictedSearchResults(
        portal_type=portal_type, sort_on="sortable_title"
    )


def _vocabulary(portal_type: str) -> SimpleVocabulary:
    return SimpleVocabulary(
        [
            SimpleTerm(value=brain.UID, token=brain.UID, title=brain.Title)
            for brain in _brains(portal_type)
        ]
    )


def reference_week_uids() -> frozenset[str]:
    """The UIDs of every reference week of the site."""
    return frozenset(brain.UID for brain in _brains("ReferenceWeek"))


@provider(IVocabularyFactory)
def appointment_types(context=None) -> SimpleVocabulary:
    """Every appointment type of the site."""
    return _vocabulary("AppointmentType")


@provider(IVocabularyFactory)
def reference_weeks(context=None) -> SimpleVocabulary:
    """Every reference week of the site."""
    return _vocabulary("ReferenceWeek")


@provider(IVocabularyFactory)
def counters(context=None) -> SimpleVocabulary:
    """Every counter of the site, titled "Place › Counter"."""
    terms = []
    for brain in _brains("Counter"):
        place = brain._unrestrictedGetObject().__parent__
        title = f"{place.Title()} › {brain.Title}"
        terms.append(SimpleTerm(value=brain.UID, token=brain.UID, title=title))
    return SimpleVocabulary(sorted(terms, key=lambda term: term.title.lower()))
