"""Declarations of a booking's pre-applications to the ANTS hub (issue 14).

When a booking carries pre-application numbers:

- booked: each number is declared (``POST /appointments``);
- cancelled: each declared number is withdrawn (``DELETE /appointments``)
  with the values that were declared;
- moved: withdrawn, then declared again with the new date (and place);
- attended, absent, unscheduled: the declaration stays.

New declarations are made only while the ANTS connection is on
(``ants_enabled``). Withdrawals of what was declared (``ants_declared``)
are made even when it is off: a citizen who cancels must not stay booked
at the national anti-duplication service. A move while it is off
withdraws the old declaration and declares nothing.

The booking's transaction only appends ``pending`` entries to the booking's
``ants_declarations`` log, puts the booking in the site's ANTS retry queue
and registers an after-commit hook: nothing reaches the hub unless the
booking is committed, and a request retried after a ConflictError sends
nothing for its aborted attempt. The hook hands the calls to this
process's background worker (``Worker``) and returns at once, so the
citizen's answer never waits for the hub. The worker makes the calls, each
preceded by a status read (a number already declared with the same place
and date is not declared again, a declaration the hub no longer holds is
not deleted), and records every attempt (time, result) on the entry, in a
short transaction of its own; the booking leaves the retry queue when
nothing is left to do. A failed call leaves its entry ``failed``;
``@@rendezvous-tick`` tries again after ``FIRST_RETRY`` doubled at each
attempt (at most ``MAX_WAIT``), and gives up after ``MAX_ATTEMPTS``
(``abandoned``, logged as an error). A call lost with its process (a
restart while it waited in the worker's queue) stays ``pending`` in the
retry queue: the tick hands it over again after ``LOST_AFTER``.

``management_url`` is the appointment service's public page: the
citizen's private link holds their secret token, which is never stored
and must not be handed to a third party.
"""

from Acquisition import aq_base
from collective.rendezvous import links
from collective.rendezvous import logger
from collective.rendezvous.ants import client
from collective.rendezvous.ants import numbers
from collective.rendezvous.content.folder import service_folder
from collective.rendezvous.transactions import write_apart
from persistent.list import PersistentList
from persistent.mapping import PersistentMapping
from plone import api
from zoneinfo import ZoneInfo
from zope.annotation.interfaces import IAnnotations

import datetime
import os
import queue
import threading
import transaction
import uuid


QUEUE = "collective.rendezvous.ants.retry"
MAX_ATTEMPTS = 10
FIRST_RETRY = datetime.timedelta(minutes=2)
MAX_WAIT = datetime.timedelta(hours=6)
# A pending call not recorded this long after it was handed to a worker was
# lost (its process stopped): the tick hands it over again. Longer than a
# worker's backlog during an outage (4 s per call).
LOST_AFTER = datetime.timedelta(minutes=15)
# The hub wants the appointment's date and time in Paris time.
PARIS = ZoneInfo("Europe/Paris")
REMOVED = "—"

DECLARE = "declare"
WITHDRAW = "withdraw"

PENDING = "pending"
DONE = "done"
FAILED = "failed"
ABANDONED = "abandoned"
SUPERSEDED = "superseded"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def log_of(booking, create: bool = False):
    log = getattr(aq_base(booking), "ants_declarations", None)
    if log is None and create:
        log = booking.ants_declarations = PersistentList()
    return log


def declared_of(booking, create: bool = False):
    """number -> parameters the hub should hold for this booking."""
    declared = getattr(aq_base(booking), "ants_declared", None)
    if declared is None and create:
        declared = booking.ants_declared = PersistentMapping()
    return declared


def appointment_params(booking) -> dict:
    """What the hub is told of this booking's appointment (no number)."""
    place = booking.__parent__.__parent__
    return {
        "meeting_point": place.Title(),
        "meeting_point_id": numbers.meeting_point_id(place),
        "appointment_date": booking.start.astimezone(PARIS).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        "management_url": links.url_of(service_folder(booking)),
    }


# -- the booking's events ------------------------------------------------------


def _concerned(booking) -> bool:
    return numbers.enabled() and bool(getattr(booking, "application_ids", ()))


def on_created(booking, event) -> None:
    if not _concerned(booking):
        return
    params = appointment_params(booking)
    enqueue(booking, [(DECLARE, number, params) for number in booking.application_ids])


def on_moved(booking, event) -> None:
    """Withdrawn, then declared again; only withdrawn while ANTS is off."""
    actions = _withdrawals(booking)
    if _concerned(booking):
        params = appointment_params(booking)
        actions += [(DECLARE, number, params) for number in booking.application_ids]
    enqueue(booking, actions)


def on_numbers_changed(booking, previous, current) -> None:
    """A change of numbers: the removed ones withdrawn, the new ones declared
    (the new ones only while ANTS is on)."""
    declared = declared_of(booking) or {}
    actions = [
        (WITHDRAW, number, dict(params))
        for number, params in declared.items()
        if number not in current
    ]
    if numbers.enabled():
        params = appointment_params(booking)
        actions += [
            (DECLARE, number, params) for number in current if number not in previous
        ]
    enqueue(booking, actions)


def on_cancelled(booking, event) -> None:
    """What was declared is withdrawn, whether ANTS is on or off."""
    enqueue(booking, _withdrawals(booking))


def _withdrawals(booking) -> list:
    declared = declared_of(booking) or {}
    return [(WITHDRAW, number, dict(params)) for number, params in declared.items()]


def enqueue(booking, actions) -> None:
    """Log these actions as pending and make them once the commit is done."""
    if not actions:
        return
    log = log_of(booking, create=True)
    declared = declared_of(booking, create=True)
    now = _now()
    jobs = []
    for action, number, params in actions:
        if action == WITHDRAW:
            declared.pop(number, None)
            _supersede(log, number, params)
        else:
            declared[number] = dict(params)
        entry = {
            "id": uuid.uuid4().hex[:12],
            "action": action,
            "application_id": number,
            **params,
            "at": now,
            "queued": now,
            "status": PENDING,
            "attempts": 0,
            "result": "",
            "tries": [],
        }
        log.append(entry)
        jobs.append(_job(entry))
    # In the booking's own transaction: if the process stops before the
    # worker records the calls, the tick still finds them.
    pending = retry_queue(api.portal.get(), create=True)
    if booking.UID() not in pending:
        pending[booking.UID()] = _where(booking)
    schedule(booking, jobs)


def _supersede(log, number, params) -> None:
    """A declaration not made yet that is now to be withdrawn: drop it.

    Its withdrawal still runs (it reads the status first), in case the
    declaration reached the hub while its answer was lost.
    """
    for index, entry in enumerate(log):
        if (
            entry.get("action") == DECLARE
            and entry.get("status") in (PENDING, FAILED)
            and entry.get("application_id") == number
            and entry.get("appointment_date") == params.get("appointment_date")
        ):
            entry = dict(entry)
            entry["status"] = SUPERSEDED
            log[index] = entry


def _job(entry) -> tuple:
    keys = (
        "application_id",
        "meeting_point",
        "meeting_point_id",
        "appointment_date",
        "management_url",
    )
    return (
        entry["id"],
        entry["action"],
        {key: entry.get(key, "") for key in keys},
        entry.get("queued"),
    )


def _where(booking) -> tuple:
    return (service_folder(booking).UID(), booking.code)


def schedule(booking, jobs) -> None:
    """Hand these calls to the worker once the transaction is committed."""
    if not jobs:
        return
    where = _where(booking)
    transaction.get().addAfterCommitHook(
        _after_commit,
        args=(
            aq_base(booking),
            aq_base(api.portal.get()),
            where,
            client.api_url(),
            client.token(),
            list(jobs),
        ),
    )


# -- after the commit ----------------------------------------------------------


def _same_time(value, date: str) -> bool:
    return str(value or "").replace("T", " ")[:19] == date


def run(action: str, params: dict, url: str, auth: str) -> str:
    """Make one call, after reading what the hub holds; its result."""
    number = params["application_id"]
    answer = client.status([number], params["meeting_point_id"], url=url, auth=auth)
    held = [
        appointment
        for appointment in answer[number]["appointments"]
        if appointment.get("meeting_point") == params["meeting_point"]
        and _same_time(appointment.get("appointment_date"), params["appointment_date"])
    ]
    if action == DECLARE:
        if any(a.get("management_url") == params["management_url"] for a in held):
            return "already declared"
        client.declare(
            number,
            params["management_url"],
            params["meeting_point"],
            params["meeting_point_id"],
            params["appointment_date"],
            url=url,
            auth=auth,
        )
        return "declared"
    if not held:
        return "not held by the hub: nothing to delete"
    count = client.withdraw(
        number,
        params["meeting_point"],
        params["meeting_point_id"],
        params["appointment_date"],
        url=url,
        auth=auth,
    )
    return f"deleted ({count})"


def _after_commit(status, booking, portal, where, url, auth, jobs) -> None:
    """Hand the calls to the worker; never wait for the hub here (the
    request's answer waits for this hook)."""
    if not status:
        return
    try:
        db = booking._p_jar.db()
        WORKER.submit((db, booking._p_oid, portal._p_oid, where, url, auth, jobs))
    except Exception:
        # Still pending in the retry queue: the tick hands it over later.
        logger.exception("Cannot hand the ANTS calls of %s to the worker", where)


def process(db, booking_oid, portal_oid, where, url, auth, jobs) -> None:
    """Make the calls of one booking, then record their results (the
    worker's job; holds no connection while it calls the hub)."""
    jobs = still_pending(db, booking_oid, jobs)
    if not jobs:
        return
    results = []
    for entry_id, action, params, _queued in jobs:
        try:
            result = run(action, params, url, auth)
        except Exception as error:
            logger.warning("ANTS %s of booking %s failed: %s", action, where[1], error)
            results.append((entry_id, FAILED, str(error)[:300], _now()))
        else:
            results.append((entry_id, DONE, result, _now()))
    record(db, booking_oid, portal_oid, where, results)


def still_pending(db, booking_oid, jobs) -> list:
    """The jobs whose entries still wait for this very hand-over: not
    superseded by a cancel or move committed meanwhile, nor handed over
    again by the tick, nor done."""
    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    try:
        booking = connection.get(booking_oid)
        by_id = {entry.get("id"): entry for entry in log_of(booking) or ()}
    except Exception:  # the booking is gone
        return []
    finally:
        manager.abort()
        connection.close()
    kept = []
    for job in jobs:
        entry = by_id.get(job[0])
        if (
            entry is not None
            and entry.get("status") == PENDING
            and entry.get("queued") == job[3]
        ):
            kept.append(job)
    return kept


class Worker:
    """One daemon thread per process that makes the calls, in order.

    Started at the first job (and again in a forked child). It opens a
    connection only to check and record a job, never between jobs. A job
    lost when the process stops is still pending in the retry queue, which
    the tick reads.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.jobs = queue.SimpleQueue()
        self.busy = 0  # jobs queued or running
        self.thread = None
        self.pid = None

    def submit(self, job) -> None:
        with self.lock:
            if self.pid != os.getpid():  # first job, or a forked child
                self.jobs, self.busy, self.thread = queue.SimpleQueue(), 0, None
                self.pid = os.getpid()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.loop, name="rendezvous-ants", daemon=True
                )
                self.thread.start()
            self.busy += 1
            self.jobs.put(job)

    def loop(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                process(*job)
            except Exception:
                # Its entries stay pending in the retry queue: the tick
                # hands them over again after LOST_AFTER.
                logger.exception("ANTS worker: the calls of %s failed", job[3])
            finally:
                with self.lock:
                    self.busy -= 1
                    if self.busy <= 0:
                        self.idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every job handed over is done; whether it is."""
        with self.lock:
            if self.pid != os.getpid():
                return True
            return self.idle.wait_for(lambda: self.busy <= 0, timeout)


WORKER = Worker()


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until this process's worker has nothing left to do (tests)."""
    return WORKER.wait_idle(timeout)


def record(db, booking_oid, portal_oid, where, results) -> None:
    """Write the attempts on the booking, in a transaction of its own."""

    def write(connection) -> None:
        booking = connection.get(booking_oid)
        left = apply_results(booking, results)
        queue = retry_queue(connection.get(portal_oid), create=True)
        uid = booking.UID()
        if left:
            if uid not in queue:
                queue[uid] = tuple(where)
        elif uid in queue:
            del queue[uid]

    if not write_apart(db, write):
        logger.error("Cannot record the ANTS results %s", results)


def apply_results(booking, results) -> bool:
    """Update the log entries; whether some are left to do (failed, or
    pending: handed over meanwhile)."""
    log = log_of(booking, create=True)
    by_id = {entry_id: (state, text, when) for entry_id, state, text, when in results}
    for index, entry in enumerate(log):
        if entry.get("id") not in by_id:
            continue
        state, text, when = by_id[entry["id"]]
        entry = dict(entry)
        if entry.get("status") != SUPERSEDED:
            entry["status"] = state
        entry["attempts"] = entry.get("attempts", 0) + 1
        entry["result"] = text
        entry["done"] = when
        # Each attempt, kept on the booking (the last ones).
        entry["tries"] = [*entry.get("tries", ()), {"at": when, "result": text}][
            -MAX_ATTEMPTS:
        ]
        log[index] = entry
    return any(entry.get("status") in (PENDING, FAILED) for entry in log)


def retry_queue(portal, create: bool = False):
    """Bookings with calls left to do (pending or failed): booking UID ->
    (service UID, code)."""
    from BTrees.OOBTree import OOBTree

    annotations = IAnnotations(portal)
    queue = annotations.get(QUEUE)
    if queue is None and create:
        queue = annotations[QUEUE] = OOBTree()
    return queue


# -- retries (the tick) --------------------------------------------------------


def wait_after(attempts: int) -> datetime.timedelta:
    """How long after its last attempt a failed call is tried again."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_WAIT)


def retry_pending(now: datetime.datetime | None = None) -> dict:
    """Hand the failed calls to the worker again when their wait is over,
    and the pending ones lost with their process; counts.

    Runs whether ANTS is on or off: withdrawals are made either way, and
    declarations wait while it is off (neither tried nor abandoned).
    """
    from collective.rendezvous.notifications.dispatch import find_booking

    now = now or _now()
    counts = {"ants_retried": 0, "ants_waiting": 0, "ants_abandoned": 0}
    queue = retry_queue(api.portal.get())
    if not queue:
        return counts
    enabled = numbers.enabled()
    for uid, where in list(queue.items()):
        booking = find_booking(where)
        log = log_of(booking) if booking is not None else None
        if not log:
            del queue[uid]
            continue
        jobs = []
        for index, entry in enumerate(log):
            status = entry.get("status")
            if status not in (PENDING, FAILED):
                continue
            entry = dict(entry)
            attempts = entry.get("attempts", 0)
            if entry.get("action") == DECLARE and not enabled:
                counts["ants_waiting"] += 1  # until ANTS is on again
                continue
            if status == PENDING:
                # Handed to a worker: still on its way, or lost with its
                # process (then handed over again).
                queued = entry.get("queued") or entry.get("at") or now
                if now < queued + LOST_AFTER:
                    counts["ants_waiting"] += 1
                    continue
                logger.warning(
                    "ANTS %s of booking %s was never made (process stopped?): "
                    "handed over again",
                    entry.get("action"),
                    booking.code,
                )
            elif attempts >= MAX_ATTEMPTS:
                entry["status"] = ABANDONED
                log[index] = entry
                counts["ants_abandoned"] += 1
                logger.error(
                    "ANTS %s of booking %s abandoned after %d attempts: %s",
                    entry.get("action"),
                    booking.code,
                    attempts,
                    entry.get("result"),
                )
                continue
            else:
                last = entry.get("done") or entry.get("at") or now
                if now < last + wait_after(attempts):
                    counts["ants_waiting"] += 1
                    continue
            entry["status"] = PENDING
            entry["queued"] = now
            log[index] = entry
            jobs.append(_job(entry))
            counts["ants_retried"] += 1
        if not any(entry.get("status") in (PENDING, FAILED) for entry in log):
            del queue[uid]
        schedule(booking, jobs)
    return counts


# -- display, anonymisation ----------------------------------------------------


def declarations_json(booking) -> list[dict]:
    def plain(value):
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    return [plain(dict(entry)) for entry in log_of(booking) or ()]


def forget_numbers(booking) -> None:
    """Anonymisation: the numbers leave the log of the declarations too."""
    log = log_of(booking)
    for index, entry in enumerate(log or ()):
        entry = dict(entry)
        entry["application_id"] = REMOVED
        log[index] = entry
    declared = declared_of(booking)
    if declared:
        declared.clear()
