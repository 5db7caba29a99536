"""Vocabularies of the settings: weekdays, holidays, partner types, services.

The vocabularies of the add-on's content, by UID, live in ``content/vocabularies.py``.
"""
