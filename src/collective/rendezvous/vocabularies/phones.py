"""The regions of phone numbers (settings and places), e.g. "Réunion (+262)"."""

from collective.rendezvous import _
from collective.rendezvous import phones
from plone import api
from zope.i18n import translate
from zope.i18n.locales import locales
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import phonenumbers
import unicodedata


# Regions the locale data of zope.i18n does not name.
MISSING_NAMES = {
    "BL": _("Saint Barthélemy"),
    "MF": _("Saint Martin"),
}


def _territories(language: str) -> dict:
    try:
        locale = locales.getLocale(language)
    except Exception:
        locale = locales.getLocale("en")
    return locale.displayNames.territories or {}


def region_title(region: str, language: str) -> str:
    if region in MISSING_NAMES:
        name = translate(MISSING_NAMES[region], target_language=language)
    else:
        name = _territories(language).get(region) or region
    code = phonenumbers.country_code_for_region(region)
    return f"{name} (+{code})"


def _sort_key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@provider(IVocabularyFactory)
def phone_regions(context=None) -> SimpleVocabulary:
    """Every region of phone numbers, by name in the current language."""
    try:
        language = (api.portal.get_current_language() or "en").split("-")[0]
    except Exception:
        language = "en"
    terms = [
        SimpleTerm(value=region, token=region, title=region_title(region, language))
        for region in phones.regions()
    ]
    terms.sort(key=lambda term: _sort_key(term.title))
    return SimpleVocabulary(terms)
