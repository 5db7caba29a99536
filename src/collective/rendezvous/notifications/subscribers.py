"""Booking events -> notifications (R6); the defaults written at install (R8)."""

from collective.rendezvous.notifications import texts
from collective.rendezvous.notifications.dispatch import dispatch


PROFILE = "profile-collective.rendezvous:default"


def on_created(booking, event) -> None:
    # The booking service puts the citizen's token on the event: the only
    # moment it is known, so only this message has the private link.
    dispatch(booking, texts.CREATED, token=getattr(event, "token", None))


def on_moved(booking, event) -> None:
    dispatch(booking, texts.MOVED)


def on_cancelled(booking, event) -> None:
    if getattr(event, "by", "") == "agent":
        dispatch(booking, texts.CANCELLED_AGENT)
    else:
        dispatch(booking, texts.CANCELLED_CITIZEN)


def on_absent(booking, event) -> None:
    dispatch(booking, texts.ABSENT)


def on_unscheduled(booking, event) -> None:
    dispatch(booking, texts.UNSCHEDULED)


def on_profile_imported(event) -> None:
    """Write the default texts in the site's language into the empty cells."""
    if getattr(event, "profile_id", None) != PROFILE:
        return
    from collective.rendezvous.controlpanels.settings import get_settings

    try:
        settings = get_settings()
    except KeyError:
        return
    # Only empty texts of existing rows: a row removed on purpose stays out.
    rows = settings.notification_matrix or []
    filled = texts.fill_default_texts(rows, texts.site_language())
    if filled != settings.notification_matrix:
        settings.notification_matrix = filled
