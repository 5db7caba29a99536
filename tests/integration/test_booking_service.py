"""The booking service without HTTP: state machine, codes, tokens, anonymisation."""

from collective.rendezvous.booking import codes
from collective.rendezvous.booking import index
from collective.rendezvous.booking import service
from collective.rendezvous.booking.anonymise import anonymise_old
from collective.rendezvous.booking.service import BookingError
from collective.rendezvous.slots.generation import regenerate
from collective.rendezvous.slots.query import free_slots
from collective.rendezvous.slots.query import to_datetime
from helpers import make_service
from plone import api
from zExceptions import BadRequest

import datetime
import pytest


@pytest.fixture
def setup(portal):
    return make_service(portal)


def first_free(folder, kind):
    today = datetime.date.today()
    slots = free_slots(
        kind,
        folder,
        today + datetime.timedelta(days=3),
        today + datetime.timedelta(days=40),
    )
    return slots[0]


def make(folder, kind, slot=None):
    slot = slot or first_free(folder, kind)
    return service.book(
        folder,
        {
            "type": kind.UID(),
            "start": to_datetime(slot.start, datetime.UTC).isoformat(),
            "beneficiary": "Jeanne Martin",
            "email": "jeanne@example.org",
        },
    )


def test_token_is_hashed(setup):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    assert token not in repr(booking.__dict__)
    assert booking.token_hash == codes.hash_token(token)
    assert codes.token_matches(booking.token_hash, token)
    assert not codes.token_matches(booking.token_hash, token[:-1] + "x")


def test_token_authorises_an_anonymous_citizen(setup):
    """As anonymous: an agent (the test user is a Manager) needs no token."""
    from plone.app.testing import login
    from plone.app.testing import logout
    from plone.app.testing import TEST_USER_NAME

    folder, kind, counter = setup
    booking, token = make(folder, kind)
    assert service.authorise(booking, None) == "agent"
    logout()
    try:
        assert service.authorise(booking, token) == "citizen"
        with pytest.raises(service.BookingError) as refused:
            service.authorise(booking, token[:-1] + ("x" if token[-1] != "x" else "y"))
        assert refused.value.status == 403
        with pytest.raises(service.BookingError) as refused:
            service.authorise(booking, "")
        assert refused.value.status == 401
    finally:
        login(folder.aq_parent, TEST_USER_NAME)


def test_codes_are_unique_even_when_randomness_repeats(setup, monkeypatch):
    folder, kind, counter = setup
    first, _token = make(folder, kind)
    picks = iter(list(first.code) + list("ABCDEFGH"))
    monkeypatch.setattr(codes.secrets, "choice", lambda alphabet: next(picks))
    second, _token = make(folder, kind)
    assert second.code == "ABCDEFGH"
    assert codes.lookup(folder, "abcd-efgh") == counter.UID()
    assert service.get_booking(folder, "abcd-efgh") == second


@pytest.mark.parametrize(
    ("first", "then", "allowed"),
    [
        ("cancel", "cancel", False),
        ("cancel", "absent", False),
        ("absent", "cancel", False),
        ("absent", "attended", False),
        ("attended", "absent", False),
        ("attended", "reschedule", False),
        ("unschedule", "cancel", True),
        ("unschedule", "absent", False),
    ],
)
def test_state_machine(setup, first, then, allowed, clock):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    clock.after(booking.start)
    actions = {
        "cancel": lambda b: service.cancel(b, by="agent"),
        "absent": lambda b: service.mark(b, "absent"),
        "attended": lambda b: service.mark(b, "attended"),
        "unschedule": service.unschedule,
        "reschedule": lambda b: service.reschedule(
            folder,
            b,
            to_datetime(first_free(folder, kind).start, datetime.UTC).isoformat(),
            by="agent",
        ),
    }
    actions[first](booking)
    state = api.content.get_state(booking)
    if allowed:
        actions[then](booking)
        assert api.content.get_state(booking) != state
    else:
        with pytest.raises(BookingError) as error:
            actions[then](booking)
        assert error.value.status == 409
        assert api.content.get_state(booking) == state


def test_cancel_records_who_and_when(setup):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    service.cancel(booking, by="citizen", reason="Empêchée")
    assert booking.cancelled_by == "citizen"
    assert booking.cancelled_at is not None
    assert [entry["event"] for entry in booking.history] == ["booked", "cancelled"]


def test_anonymise_old_bookings(setup, clock):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    recent, _token = make(folder, kind)
    clock.after(booking.start)
    service.mark(booking, "absent")
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=500)
    index.unregister(counter, booking)
    booking.start = long_ago
    booking.end = long_ago + datetime.timedelta(minutes=20)
    index.register(counter, booking, 20)
    assert anonymise_old() == 1
    assert booking.beneficiary == "—"
    assert booking.email == booking.phone == booking.token_hash == ""
    assert api.content.get_state(booking) == "absent"
    assert booking.option == "" and booking.code
    assert recent.beneficiary == "Jeanne Martin"
    # Once is enough.
    assert anonymise_old() == 0
    # The private link no longer works.
    assert not codes.token_matches(booking.token_hash, token)


def test_last_counter_with_future_bookings_is_not_deleted(setup):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    with pytest.raises(BadRequest) as refused:
        api.content.delete(counter, check_linkintegrity=False)
    assert "no other counter" in str(refused.value)
    assert api.content.get_state(booking) == "booked"
    service.cancel(booking, by="agent")
    api.content.delete(counter, check_linkintegrity=False)
    assert "counter" not in folder.place


def second_counter(folder, kind, counter, container):
    other = api.content.create(
        container,
        "Counter",
        id="counter2",
        title="Guichet 2",
        appointment_type=kind.UID(),
        schedule=list(counter.schedule),
    )
    regenerate(other)
    return other


@pytest.fixture
def unscheduled_events():
    from collective.rendezvous.interfaces import IBookingUnscheduledEvent
    from zope.component import getGlobalSiteManager

    seen = []

    def handler(event):
        seen.append(event)

    manager = getGlobalSiteManager()
    manager.registerHandler(handler, (IBookingUnscheduledEvent,))
    yield seen
    manager.unregisterHandler(handler, (IBookingUnscheduledEvent,))


def test_deleting_a_counter_hands_its_bookings_over_unscheduled(
    setup, unscheduled_events
):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    cancelled, _token = make(folder, kind)
    service.cancel(cancelled, by="citizen")
    other = second_counter(folder, kind, counter, folder.place)
    api.content.delete(counter, check_linkintegrity=False)
    assert "counter" not in folder.place
    moved = service.get_booking(folder, booking.code)
    assert moved.__parent__ == other
    assert moved.UID() == booking.UID()
    assert api.content.get_state(moved) == "unscheduled"
    assert codes.token_matches(moved.token_hash, token)
    assert [entry["event"] for entry in moved.history][-2:] == [
        "counter_removed",
        "unscheduled",
    ]
    assert moved in index.bookings_of(other)
    assert [event.object for event in unscheduled_events] == [moved]
    # Past and finished bookings go with the counter; the cancelled one too.
    assert service.get_booking(folder, booking.code) is not None
    with pytest.raises(BookingError):
        service.get_booking(folder, cancelled.code)
    # Agents move it to a free slot: booked again, on the new counter.
    slot = first_free(folder, kind)
    service.reschedule(
        folder, moved, to_datetime(slot.start, datetime.UTC).isoformat(), by="agent"
    )
    assert api.content.get_state(moved) == "booked"
    assert moved.__parent__ == other


def test_deleting_a_place_hands_bookings_to_another_place(setup):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    elsewhere = api.content.create(
        folder, "Place", id="annexe", title="Annexe", address="2 rue"
    )
    other = second_counter(folder, kind, counter, elsewhere)
    api.content.delete(folder.place, check_linkintegrity=False)
    moved = service.get_booking(folder, booking.code)
    assert moved.__parent__ == other
    assert api.content.get_state(moved) == "unscheduled"


def test_the_same_place_is_preferred(setup):
    folder, kind, counter = setup
    booking, token = make(folder, kind)
    elsewhere = api.content.create(
        folder, "Place", id="annexe", title="Annexe", address="2 rue"
    )
    # "Autre" sorts before "Guichet 2", but is at another place.
    far = second_counter(folder, kind, counter, elsewhere)
    far.title = "Autre"
    near = second_counter(folder, kind, counter, folder.place)
    api.content.delete(counter, check_linkintegrity=False)
    assert service.get_booking(folder, booking.code).__parent__ == near


def test_limits_write_no_site_wide_object(setup):
    """A citizen's booking writes one shard of each limit table, not the
    tables' holder nor the site's annotations (booking/ratelimit.py)."""
    from collective.rendezvous.booking import ratelimit
    from collective.rendezvous.controlpanels.settings import get_settings
    from plone.app.testing import logout
    from zope.annotation.interfaces import IAnnotations

    import transaction

    folder, kind, counter = setup
    settings = get_settings()
    settings.bookings_per_hour = 10
    settings.bookings_per_contact = 3
    logout()
    slots = free_slots(
        kind,
        folder,
        datetime.date.today() + datetime.timedelta(days=3),
        datetime.date.today() + datetime.timedelta(days=40),
    )
    make(folder, kind, slots[0])
    transaction.savepoint(optimistic=True)
    tables = ratelimit.tables(create=False)
    annotations = IAnnotations(api.portal.get())
    assert not tables._p_changed
    assert not getattr(annotations, "_p_changed", False)
    service.book(
        folder,
        {
            "type": kind.UID(),
            "start": to_datetime(slots[1].start, datetime.UTC).isoformat(),
            "beneficiary": "Paul Durand",
            "email": "paul@example.org",
        },
    )
    assert not tables._p_changed
    assert not getattr(annotations, "_p_changed", False)
    changed = [
        shard
        for shard in (*tables.addresses, *tables.contacts)
        if shard._p_changed or any(b._p_changed for b in _buckets(shard))
    ]
    # The address's shard (the same address booked twice) and the e-mail's.
    assert 1 <= len(changed) <= 2


def _buckets(tree):
    bucket = tree._firstbucket if hasattr(tree, "_firstbucket") else None
    while bucket is not None:
        yield bucket
        bucket = bucket._next
