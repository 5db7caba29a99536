"""The ANTS national appointment hub (issue 14).

``hub.py`` answers the three requests the hub sends to this site
(``@ants/getManagedMeetingPoints``, ``@ants/availableTimeSlots``,
``@ants/searchApplicationIds``, see ``services.py``); ``settings.py`` reads
the "ANTS" settings. The anti-duplication client (declarations) lives beside
them, registered by ``outbound.zcml``. See docs/ants.rst.
"""
