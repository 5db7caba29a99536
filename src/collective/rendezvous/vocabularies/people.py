"""Who books and who manages: partner types (R9) and municipal services (R14)."""

from collective.rendezvous.controlpanels.settings import get_settings
from plone import api
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import unicodedata


def _setting(name: str):
    try:
        return getattr(get_settings(), name)
    except KeyError:  # the add-on is not installed (or being uninstalled)
        return None


@provider(IVocabularyFactory)
def partner_types(context=None) -> SimpleVocabulary:
    """The partner types of the settings: token and value are the id."""
    terms = []
    seen = set()
    for row in _setting("partner_types") or ():
        type_id = row.get("id")
        if not type_id or type_id in seen:
            continue
        seen.add(type_id)
        terms.append(SimpleTerm(value=type_id, token=type_id, title=row.get("title")))
    return SimpleVocabulary(terms)


def _group_title(group) -> str:
    return group.getProperty("title", "") or group.getId()


def _sort_key(title: str) -> str:
    """Sort "État civil" with the E, not after the Z."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def service_groups() -> list:
    """The Plone groups that are municipal services.

    Those listed in the ``service_groups`` setting (skipping deleted ones).
    When that setting is empty there is no service, so no agent: a group made
    for something else (a newsletter, an intranet team) never gets to see the
    bookings unless the administrator names it (issue 12).
    """
    chosen = _setting("service_groups") or []
    groups = [api.group.get(groupname=group_id) for group_id in chosen]
    return [group for group in groups if group is not None]


@provider(IVocabularyFactory)
def services(context=None) -> SimpleVocabulary:
    """The municipal services: token and value are the group id."""
    groups = sorted(service_groups(), key=lambda group: _sort_key(_group_title(group)))
    return SimpleVocabulary(
        [
            SimpleTerm(
                value=group.getId(), token=group.getId(), title=_group_title(group)
            )
            for group in groups
        ]
    )
