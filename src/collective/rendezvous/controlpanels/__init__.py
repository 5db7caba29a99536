"""The "Rendez-vous" control panel: registry-backed global settings.

The rest of the add-on reads the settings through these two helpers (see
``settings.py``): ``get_settings()`` returns the ``IRendezvousSettings``
registry proxy, ``opening_calendar_inputs()`` the site-wide opening calendar
as named by ``scheduling.OpeningCalendar``.
"""

from collective.rendezvous.controlpanels.settings import get_settings
from collective.rendezvous.controlpanels.settings import opening_calendar_inputs
from collective.rendezvous.controlpanels.settings import OpeningInputs


__all__ = ["OpeningInputs", "get_settings", "opening_calendar_inputs"]
