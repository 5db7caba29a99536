"""Regenerate slots as soon as what they derive from is saved (X1).

Events only mark what needs regenerating; the work runs once, just before
the transaction commits, so a request that saves several things (a settings
form with many records, a week applied to many counters) regenerates each
counter once, and a refused or aborted request regenerates nothing.
"""

from collective.rendezvous.content.counter import ICounter
from collective.rendezvous.controlpanels.settings import OPENING_FIELDS
from collective.rendezvous.slots.generation import Context
from collective.rendezvous.slots.generation import counters
from collective.rendezvous.slots.generation import regenerate
from plone.app.uuid.utils import uuidToObject
from zope.container.interfaces import IContainerModifiedEvent

import transaction


SETTINGS = frozenset("collective.rendezvous." + name for name in OPENING_FIELDS)


class _Pending:
    """The counters (UIDs) to regenerate when this transaction commits."""

    def __init__(self):
        self.uids: set[str] = set()
        self.everything = False

    def run(self):
        context = Context()
        if self.everything:
            targets = list(counters())
        else:
            targets = [uuidToObject(uid, unrestricted=True) for uid in self.uids]
        for counter in targets:
            if counter is not None:
                regenerate(counter, context)


def _pending() -> _Pending:
    txn = transaction.get()
    for hook, args, _kws in txn.getBeforeCommitHooks():
        if hook == _run and args:
            return args[0]
    pending = _Pending()
    txn.addBeforeCommitHook(_run, (pending,))
    return pending


def _run(pending: _Pending) -> None:
    pending.run()


def mark_counter(counter) -> None:
    _pending().uids.add(counter.UID())


def mark_everything() -> None:
    _pending().everything = True


def on_counter_saved(counter, event) -> None:
    if IContainerModifiedEvent.providedBy(event):
        return  # a booking was added or removed: the schedule did not change
    mark_counter(counter)


def on_week_saved(week, event) -> None:
    uid = week.UID()
    for counter in counters():
        if any(row.get("week") == uid for row in counter.schedule or ()):
            mark_counter(counter)


def on_type_saved(appointment_type, event) -> None:
    for counter in counters(appointment_type=appointment_type.UID()):
        mark_counter(counter)


def on_place_saved(place, event) -> None:
    for counter in place.objectValues():
        if ICounter.providedBy(counter):
            mark_counter(counter)


def on_settings_saved(event) -> None:
    if event.record.__name__ in SETTINGS:
        mark_everything()
