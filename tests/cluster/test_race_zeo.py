"""X2 across processes: two Zope clients of one ZEO server, one winner a slot.

The one-process race is ``tests/functional/test_bookings_api.py::TestRace``.
Here the guard must hold when the concurrent bookings run in two Zope
processes: their transactions write the same ``DaySlots`` record through the
ZEO server, which refuses the later ones at vote time with a ConflictError;
each process's publisher retries them, the retries see the slot taken and
answer 409.

The cluster (scripts/cluster.py) lives in a temporary directory: a ZEO server
and two ``runwsgi`` clients on free ports of 127.0.0.1. The site is created
with zconsole (scripts/create_site.py) before the HTTP clients start, so that
both open the database with the site in it; the rest is configured over REST
on client 1 and read on client 2 at once, which the clients' ``server-sync``
makes safe (each request begins in step with the server). The fixture stops
everything, process groups included, also when the set-up or the test fails.
No conftest.py here: a second non-package conftest would shadow the
``conftest`` module that tests/functional imports from.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import collections
import datetime
import importlib.util
import pytest
import requests
import secrets
import sys
import threading


ROOT = Path(__file__).resolve().parents[2]
SITE_ID = "Plone"
ADMIN = "admin"
ROUNDS = 6
RACERS = 12
TIMEOUT = 60
DAY_RECORD = "collective.rendezvous.slots.store.DaySlots"
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def load_cluster_module():
    """scripts/cluster.py as a module (scripts/ is not a package)."""
    name = "rendezvous_cluster"
    if name not in sys.modules:
        path = ROOT / "scripts" / "cluster.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def serving(cluster, directory, zeo: bool = True):
    """Create the site, start the clients; yield (cluster, admin password).

    The body of the cluster fixtures: the site is created with zconsole
    before the HTTP clients start (with the ZEO server running first, or,
    without ZEO, zconsole opening the database itself), and everything is
    stopped afterwards, also when the set-up fails.
    """
    password = secrets.token_urlsafe(12)
    password_file = directory / "admin-password"
    password_file.write_text(password + "\n", encoding="utf-8")
    try:
        if zeo:
            cluster.start_zeo()
        cluster.zconsole(
            ROOT / "scripts" / "create_site.py",
            client=1,
            env={
                "SITE_ID": SITE_ID,
                "DEMO": "0",
                "ADMIN_PASSWORD_FILE": str(password_file),
            },
        )
        cluster.start_clients(timeout=120)
        yield cluster, password
    finally:
        cluster.stop()


def race_day(cluster, site, rounds: int = ROUNDS):
    """(day, its free starts): a day with at least ``rounds`` free slots.

    A day of the counter 1 to 5 weeks ahead (not a public holiday), read on
    client 2, which did not take part in the set-up, and checked alike on
    client 1: both must see the configuration at once.
    """
    today = datetime.date.today()
    first, last = today + datetime.timedelta(days=7), today + datetime.timedelta(35)
    by_day = collections.defaultdict(list)
    for start in offered(cluster, 2, site, first, last):
        by_day[instant(start).date()].append(start)
    day = min(d for d, starts in by_day.items() if len(starts) >= rounds)
    before = by_day[day]
    assert offered(cluster, 1, site, day, day) == before
    return day, before


def race_rounds(cluster, site, starts, refusals=None) -> list[tuple]:
    """Race each start (RACERS over both clients): one 201, the rest 409,
    no 5xx. Per round: (start, winning client, the requests each client
    retried after a ConflictError, what ``refusals()`` added meanwhile)."""
    rounds = []
    for round_, start in enumerate(starts):
        retries_before = {n: len(cluster.retries(n)) for n in (1, 2)}
        refused_before = len(refusals()) if refusals else 0
        results = race(cluster, site, start, round_)
        statuses = [status for _client, status in results]
        assert not [s for s in statuses if s >= 500], results
        assert statuses.count(201) == 1, results
        assert statuses.count(409) == RACERS - 1, results
        winner = next(client for client, status in results if status == 201)
        retried = {n: cluster.retries(n)[retries_before[n] :] for n in (1, 2)}
        refused = refusals()[refused_before:] if refusals else []
        rounds.append((start, winner, retried, refused))
    return rounds


def check_one_booking_each(cluster, site, auth, day, before, starts) -> None:
    """One booking a raced start, read on client 2 whichever process won;
    neither client offers them any more, the day's other slots are there."""
    with session(auth) as admin:
        response = admin.get(
            folder_url(cluster, 2, site) + "/@bookings",
            params={"start": day.isoformat(), "end": day.isoformat()},
            timeout=TIMEOUT,
        )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    booked = collections.Counter(instant(item["start"]) for item in items)
    assert booked == collections.Counter(instant(start) for start in starts), items
    assert {item["counter"] for item in items} == {site["counter"]["UID"]}
    for client in (1, 2):
        assert offered(cluster, client, site, day, day) == before[len(starts) :]


# tests/conftest.py keeps the pytest-plone layers (an in-process Plone and
# its HTTP server) set up for the whole session from the first test on: this
# test does not use them, so it does not start them (later tests will).
@pytest.fixture(scope="session")
def _keep_functional_session():
    return None


@pytest.fixture(scope="session")
def _keep_integration_session():
    return None


@pytest.fixture(scope="module")
def zeo_cluster(tmp_path_factory):
    """(cluster, admin password): two clients serving ``/Plone``."""
    clusters = load_cluster_module()
    directory = tmp_path_factory.mktemp("zeo-cluster")
    # 6 threads a client: the 12 racing requests are all in flight at once.
    # "blather": the ZEO server logs every conflict error (with the client).
    cluster = clusters.render(directory, clients=2, threads=6, zeo_log_level="blather")
    yield from serving(cluster, directory)


def session(auth=None) -> requests.Session:
    http = requests.Session()
    http.headers.update({"Accept": "application/json"})
    http.auth = auth
    return http


def created(response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def configure(portal: str, auth) -> dict:
    """Over REST: a folder, a week, a 20-minute type, a place, one counter."""
    today = datetime.date.today()
    with session(auth) as admin:

        def add(container: str, **data) -> dict:
            return created(admin.post(container, json=data, timeout=TIMEOUT))

        # Every racer books from 127.0.0.1 for the same e-mail address: the
        # limits against abuse (tests/functional/test_limits.py) are off.
        response = admin.patch(
            f"{portal}/@controlpanels/rendezvous",
            json={"bookings_per_hour": 0, "bookings_per_contact": 0},
            timeout=TIMEOUT,
        )
        assert response.status_code == 204, response.text

        folder = add(portal, **{"@type": "RendezvousFolder", "title": "Rendez-vous"})
        week = add(
            folder["@id"],
            **{"@type": "ReferenceWeek", "title": "Semaine"},
            **dict.fromkeys(WORKDAYS, ["09h00-12h00", "14h00-17h00"]),
        )
        kind = add(
            folder["@id"],
            **{"@type": "AppointmentType", "title": "Pièces d'identité"},
            detail="CNI",
            duration=20,
            horizon="3m",
            portal_visible=True,
        )
        place = add(
            folder["@id"],
            **{"@type": "Place", "title": "Mairie"},
            address="1 rue de la Paix",
        )
        counter = add(
            place["@id"],
            **{"@type": "Counter", "title": "Guichet 1"},
            appointment_type=kind["UID"],
            schedule=[
                {
                    "week": week["UID"],
                    "start": today.isoformat(),
                    "end": (today + datetime.timedelta(days=80)).isoformat(),
                }
            ],
        )
    return {"folder": folder, "type": kind, "counter": counter}


def folder_url(cluster, client: int, site: dict) -> str:
    """The folder's URL on one client (the REST answers name client 1)."""
    path = site["folder"]["@id"].split(cluster.url(1), 1)[1]
    return cluster.url(client) + path


def offered(cluster, client: int, site: dict, first, last) -> list[str]:
    """The counter's free starts from first to last, asked to one client."""
    with session() as anonymous:
        response = anonymous.get(
            folder_url(cluster, client, site) + "/@slots",
            params={
                "type": site["type"]["UID"],
                "counter": site["counter"]["UID"],
                "start": first.isoformat(),
                "end": last.isoformat(),
            },
            timeout=TIMEOUT,
        )
    assert response.status_code == 200, response.text
    return [item["start"] for item in response.json()["items"]]


def instant(iso: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(iso)


def race(cluster, site: dict, start: str, round_: int) -> list[tuple[int, int]]:
    """RACERS simultaneous POST @bookings of one slot, half to each client."""
    barrier = threading.Barrier(RACERS)
    body = {
        "type": site["type"]["UID"],
        "start": start,
        "counter": site["counter"]["UID"],
        "email": "a@example.org",
    }

    def attempt(n: int) -> tuple[int, int]:
        client = 1 + n % 2
        url = folder_url(cluster, client, site) + "/@bookings"
        with session() as citizen:
            barrier.wait(timeout=TIMEOUT)
            response = citizen.post(
                url,
                json=dict(body, beneficiary=f"Racer {round_}-{n}"),
                timeout=TIMEOUT,
            )
        return client, response.status_code

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(attempt, range(RACERS)))


@pytest.mark.slow
def test_two_zope_processes_one_winner_per_slot(zeo_cluster):
    cluster, password = zeo_cluster
    auth = (ADMIN, password)
    site = configure(f"{cluster.url(1)}/{SITE_ID}", auth)

    # Client 2 reads at once what client 1 configured, thanks to server-sync
    # (see scripts/cluster.py).
    day, before = race_day(cluster, site)
    starts = before[:ROUNDS]

    rounds = race_rounds(cluster, site, starts, refusals=cluster.zeo_conflicts)
    check_one_booking_each(cluster, site, auth, day, before, starts)

    # The evidence that the guard worked through ZEO. The ZEO server refused
    # commits with a ConflictError on the counter's day record, and the
    # processes retried those requests (no 5xx: the retries answered 409).
    # The loser of a round retrying can only have met the winner's commit,
    # made in the other process: a conflict across processes.
    print(f"\nZEO cluster in {cluster.directory}")
    cross = total = refusals = 0
    classes = collections.Counter()
    for start, winner, retried, refused in rounds:
        loser = 3 - winner
        cross += len(retried[loser])
        total += len(retried[1]) + len(retried[2])
        refusals += len(refused)
        classes.update(cls for _label, cls in refused)
        classes.update(cls for n in (1, 2) for _error, _path, cls in retried[n])
        assert all(error == "ConflictError" for n in (1, 2) for error, *_ in retried[n])
        print(
            f"  {start}: 201 from client {winner}; retried after a ConflictError: "
            f"client 1 {len(retried[1])}, client 2 {len(retried[2])} "
            f"(loser: {len(retried[loser])}); refused by ZEO: {len(refused)}"
        )
    print(
        f"  retries: {total} ({cross} in the process that lost the round), "
        f"ZEO refusals: {refusals}, objects: {dict(classes)}"
    )
    assert total > 0, "no request was retried: the race was not run"
    assert refusals > 0, "the ZEO server refused no commit"
    assert cross > 0, "no conflict across the two processes"
    assert DAY_RECORD in classes, "the guard's record was not the one in conflict"


@pytest.mark.slow
def test_limits_hold_across_processes(zeo_cluster):
    """The limits against abuse (issue 12) live in the database: bookings
    made through one process count in the other."""
    cluster, password = zeo_cluster
    auth = (ADMIN, password)
    site = configure(f"{cluster.url(1)}/{SITE_ID}", auth)
    with session(auth) as admin:
        response = admin.patch(
            f"{cluster.url(1)}/{SITE_ID}/@controlpanels/rendezvous",
            json={"bookings_per_hour": 2, "bookings_per_contact": 1},
            timeout=TIMEOUT,
        )
        assert response.status_code == 204, response.text
    _day, starts = race_day(cluster, site, rounds=4)

    def book(client: int, start: str, email: str) -> requests.Response:
        with session() as citizen:
            return citizen.post(
                folder_url(cluster, client, site) + "/@bookings",
                json={
                    "type": site["type"]["UID"],
                    "start": start,
                    "beneficiary": "Jeanne Martin",
                    "email": email,
                },
                timeout=TIMEOUT,
            )

    assert book(1, starts[0], "limits@example.org").status_code == 201
    # The same e-mail through the other process: over the cap.
    capped = book(2, starts[1], "limits@example.org")
    assert capped.status_code == 409, capped.text
    assert capped.json()["field"] == "email"
    assert book(2, starts[1], "b@example.org").status_code == 201
    # Two bookings from 127.0.0.1, one in each process: the hour is full.
    for client in (1, 2):
        refused = book(client, starts[2], f"c{client}@example.org")
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) > 0
