"""Load test of two Zope processes sharing one ZEO server (issue 8, item 2).

Everything is real: a ZEO server and two ``runwsgi`` clients (4 waitress
threads each) rendered by ``scripts/cluster.py`` in a temporary directory,
the site of ``bench/booking.py`` built by ``zconsole run`` through the ZEO
server (``bench/lib/booking_site.py``: 10 places × 4 counters, 15-minute
slots Monday-Saturday 08h00-18h00, horizon 3m). Every request goes to the
two processes in turn (round-robin over one counter shared by all threads).

Phases:

1. mix (``--seconds``, ≥ 60): ``--citizens`` citizen threads on the next
   ``MIX_DAYS`` days read ``GET @slots?by=day`` of a place, then a day's
   slots, book one of the first ``EARLIEST`` (409 is normal: others want them
   too), and now and then cancel one of their
   bookings or move it (``reschedule``) with its token; ``--agents`` agent
   threads (admin) list ``GET @bookings`` for a day.
2. throughput: 8 clients booking distinct free slots (each its own 5
   counters, later days) for 20 s: bookings/s, zero 5xx.
3. fault (``--no-kill`` skips it): the mix for ``KILL_SECONDS``; half-way,
   ``kill -9`` of client 2; the threads then only use client 1.

Afterwards, ``GET @bookings`` as admin and ``GET @slots`` per counter prove:
no (counter, start) holds two active bookings, every 201 code is stored at
the start of its last 200 answer, every cancelled booking is cancelled and
its slot offered again unless another active booking holds it, every moved
booking freed its old slot likewise, and no active booking's slot is
offered. Answers lost with the killed process (status 0) may or may not have
been committed: their bookings must then be whole (stored and consistent).

ConflictError retries are counted from each client's event log
(``Cluster.retries``). Usage: ``.venv/bin/python bench/load.py [--seconds
60] [--no-kill]``. The cluster is stopped and the directory removed at the end.
"""

from booking import Client
from booking import ms
from booking import yes
from collections import Counter
from lib.harness import load
from lib.harness import log
from lib.harness import machine
from lib.harness import table
from lib.load_cluster import start_cluster
from lib.load_cluster import stop_cluster
from pathlib import Path

import argparse
import datetime
import itertools
import json
import math
import os
import random
import signal
import sys
import threading
import time
import urllib.parse


ROOT = Path(__file__).resolve().parent.parent
ADMIN = "admin"
MIX_DAYS = 12  # citizens book from tomorrow on, over this many days
TP_FIRST, TP_DAYS = 30, 40  # throughput: days today+30 .. today+70
TP_CLIENTS = 8
TP_SECONDS = 20
TP_TARGET = 15.0
KILL_SECONDS = 30
CANCEL_RATE = 0.15
MOVE_RATE = 0.15
EARLIEST = 3  # a citizen picks among the first free slots of a place's day
OPS = ("slots by day", "slots of a day", "book", "cancel", "reschedule", "list")


class Balancer:
    """Round-robin over the live processes; one connection per thread and port."""

    def __init__(self, ports: list[int]):
        self.ports = list(ports)
        self.turn = itertools.count()
        self.lock = threading.Lock()

    def drop(self, port: int) -> None:
        with self.lock:
            if port in self.ports and len(self.ports) > 1:
                self.ports.remove(port)

    def next(self) -> int:
        with self.lock:
            return self.ports[next(self.turn) % len(self.ports)]


class Agent:
    """One thread's view of the cluster: records (op, status, seconds, port)."""

    def __init__(self, balancer: Balancer, info: dict, auth=None):
        self.balancer, self.info, self.auth = balancer, info, auth
        self.clients: dict[int, Client] = {}
        self.records: list[tuple[str, int, float, int]] = []

    def call(self, op: str, method: str, path: str, body=None):
        port = self.balancer.next()
        client = self.clients.get(port)
        if client is None:
            client = self.clients[port] = Client(port, self.auth)
        status, seconds, content = client.request(method, path, body)
        self.records.append((op, status, seconds, port))
        return status, content

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def slots_path(info: dict, **params) -> str:
    query = urllib.parse.urlencode({"type": info["type_uid"], **params})
    return f"{info['folder_path']}/@slots?{query}"


class Citizen(Agent):
    def __init__(self, balancer, info, name, days, rng):
        super().__init__(balancer, info)
        self.name, self.days, self.rng = name, days, rng
        self.places = sorted({c["place"] for c in info["counters"]})
        self.place_of = {c["uid"]: c["place"] for c in info["counters"]}
        self.mine: dict[str, dict] = {}  # code -> booking (active ones)
        self.events: list[dict] = []  # every write and its answer

    def free(self, place: str, day: str) -> list[dict]:
        status, content = self.call(
            "slots of a day",
            "GET",
            slots_path(self.info, place=place, start=day, end=day),
        )
        return json.loads(content)["items"] if status == 200 else []

    def step(self) -> None:
        roll = self.rng.random()
        if self.mine and roll < CANCEL_RATE:
            return self.cancel()
        if self.mine and roll < CANCEL_RATE + MOVE_RATE:
            return self.move()
        place = self.rng.choice(self.places)
        status, content = self.call(
            "slots by day",
            "GET",
            slots_path(
                self.info, place=place, start=self.days[0], end=self.days[-1], by="day"
            ),
        )
        if status != 200:
            return
        days = [item["date"] for item in json.loads(content)["items"] if item["free"]]
        if not days:
            return
        items = self.free(place, self.rng.choice(days))
        if not items:
            return
        # Most citizens take one of the day's first free slots: they meet.
        slot = self.rng.choice(items[:EARLIEST])
        number = len(self.events) + 1
        body = {
            "type": self.info["type_uid"],
            "start": slot["start"],
            "counter": slot["counter"],
            "beneficiary": f"Load {self.name} {number}",
            "email": f"load-{self.name}-{number}@example.org",
        }
        status, content = self.call("book", "POST", f"{self.path}", body)
        event = {"op": "book", "status": status, **slot}
        if status == 201:
            reply = json.loads(content)
            event["code"] = reply["code"]
            self.mine[reply["code"]] = {
                "code": reply["code"],
                "token": reply["token"],
                "start": reply["start"],
                "counter": reply["counter"],
            }
        self.events.append(event)

    @property
    def path(self) -> str:
        return f"{self.info['folder_path']}/@bookings"

    def cancel(self) -> None:
        code = self.rng.choice(sorted(self.mine))
        booking = self.mine[code]
        status, _content = self.call(
            "cancel", "POST", f"{self.path}/{code}/cancel", {"token": booking["token"]}
        )
        self.events.append(
            {"op": "cancel", "status": status, "code": code, **_slot(booking)}
        )
        if status == 200 or status == 0:
            # 0: unknown outcome (the process died); checked afterwards.
            del self.mine[code]

    def move(self) -> None:
        code = self.rng.choice(sorted(self.mine))
        booking = self.mine[code]
        place = self.place_of[booking["counter"]]
        items = self.free(place, self.rng.choice(self.days))
        if not items:
            return
        slot = self.rng.choice(items[:EARLIEST])
        status, content = self.call(
            "reschedule",
            "POST",
            f"{self.path}/{code}/reschedule",
            {
                "token": booking["token"],
                "start": slot["start"],
                "counter": slot["counter"],
            },
        )
        event = {
            "op": "reschedule",
            "status": status,
            "code": code,
            "from": _slot(booking),
            **_slot(slot),
        }
        self.events.append(event)
        if status == 200:
            reply = json.loads(content)
            booking["start"], booking["counter"] = reply["start"], reply["counter"]
            event["start"], event["counter"] = reply["start"], reply["counter"]
        elif status == 0:
            del self.mine[code]


def _slot(item: dict) -> dict:
    return {"start": item["start"], "counter": item["counter"]}


class Lister(Agent):
    def __init__(self, balancer, info, auth, days, rng):
        super().__init__(balancer, info, auth)
        self.days, self.rng = days, rng

    def step(self) -> None:
        day = self.rng.choice(self.days)
        query = urllib.parse.urlencode({"start": day, "end": day})
        self.call("list", "GET", f"{self.info['folder_path']}/@bookings?{query}")


def drive(workers: list[Agent], seconds: float, at=None) -> float:
    """Run every worker's ``step`` until time is up; ``at`` = (second, action)."""
    stop = threading.Event()
    failures = []

    def work(worker):
        try:
            while not stop.is_set():
                worker.step()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            worker.close()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    if at is not None:
        time.sleep(at[0])
        at[1]()
        time.sleep(max(0, seconds - at[0]))
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    if failures:
        raise RuntimeError("; ".join(failures[:5]))
    return time.perf_counter() - started


# --- the proof ------------------------------------------------------------------


def expected_state(citizens: list[Citizen]) -> tuple[dict, set, set]:
    """code -> expected (counter, start, state) or None; freed slots; unsure codes."""
    expected: dict[str, tuple | None] = {}
    freed: set[tuple[str, str]] = set()
    unsure: set[str] = set()
    for citizen in citizens:
        for event in citizen.events:
            code, status = event.get("code"), event["status"]
            here = (event["counter"], event["start"])
            if event["op"] == "book" and status == 201:
                expected[code] = (*here, "booked")
            elif event["op"] == "cancel" and status == 200:
                expected[code] = (*here, "cancelled")
                freed.add(here)
            elif event["op"] == "reschedule" and status == 200:
                expected[code] = (*here, "booked")
                freed.add((event["from"]["counter"], event["from"]["start"]))
            elif status == 0 and code:
                unsure.add(code)
                expected[code] = None
    return expected, freed, unsure


def prove(admin: Client, info: dict, citizens, throughput, first, last) -> dict:
    path = f"{info['folder_path']}/@bookings"
    items = admin.get_json(path)["items"]
    by_code = {item["code"]: item for item in items}
    active = [item for item in items if item["state"] == "booked"]
    per_slot = Counter((item["counter"], item["start"]) for item in active)
    held = set(per_slot)
    expected, freed, unsure = expected_state(citizens)
    for answer in throughput:
        if answer["status"] == 201:
            expected[answer["code"]] = (answer["counter"], answer["start"], "booked")
    lost = [code for code, want in expected.items() if code not in by_code and want]
    wrong = [
        code
        for code, want in expected.items()
        if want
        and code in by_code
        and (
            by_code[code]["state"] != want[2]
            or (by_code[code]["counter"], _instant(by_code[code]["start"]))
            != (want[0], _instant(want[1]))
        )
    ]
    extra = [code for code in by_code if code not in expected]
    # What @slots offers, per counter, over the days written to.
    offered: set[tuple[str, datetime.datetime]] = set()
    for counter in {c["uid"] for c in info["counters"]}:
        body = admin.get_json(slots_path(info, counter=counter, start=first, end=last))
        offered |= {(i["counter"], _instant(i["start"])) for i in body["items"]}
    held_at = {(c, _instant(s)) for c, s in held}
    not_freed = [
        slot
        for slot in freed
        if (slot[0], _instant(slot[1])) not in held_at
        and (slot[0], _instant(slot[1])) not in offered
    ]
    active_offered = [slot for slot in held_at if slot in offered]
    return {
        "stored": len(items),
        "active": len(active),
        "doubles": sum(1 for n in per_slot.values() if n > 1),
        "created": sum(1 for want in expected.values() if want),
        "lost": lost,
        "wrong": wrong,
        "extra": extra,
        "unsure": len(unsure),
        "freed": len(freed),
        "freed_rebooked": sum(1 for s in freed if (s[0], _instant(s[1])) in held_at),
        "not_freed": not_freed,
        "active_offered": active_offered,
    }


def _instant(iso: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(iso)


# --- throughput on distinct slots ------------------------------------------------


def throughput(balancer, info, admin_client, today) -> dict:
    counters = [c["uid"] for c in info["counters"]]
    first = today + datetime.timedelta(days=TP_FIRST)
    last = first + datetime.timedelta(days=TP_DAYS)
    rng = random.Random(8)
    queues = []
    share = len(counters) // TP_CLIENTS
    for n in range(TP_CLIENTS):
        slots = []
        for uid in counters[n * share : (n + 1) * share]:
            body = admin_client.get_json(
                slots_path(
                    info, counter=uid, start=first.isoformat(), end=last.isoformat()
                )
            )
            slots += [(i["start"], i["counter"]) for i in body["items"]]
        rng.shuffle(slots)
        queues.append(slots)
    answers: list[dict] = []
    lock = threading.Lock()

    class Booker(Agent):
        def __init__(self, n, slots):
            super().__init__(balancer, info)
            self.n, self.slots = n, iter(slots)

        def step(self):
            start, counter = next(self.slots)
            body = {
                "type": info["type_uid"],
                "start": start,
                "counter": counter,
                "beneficiary": f"Distinct {self.n}",
                "email": f"distinct-{self.n}@example.org",
            }
            status, content = self.call(
                "book", "POST", f"{info['folder_path']}/@bookings", body
            )
            answer = {"status": status, "start": start, "counter": counter}
            if status == 201:
                answer["code"] = json.loads(content)["code"]
            with lock:
                answers.append(answer)

    bookers = [Booker(n, q) for n, q in enumerate(queues)]
    elapsed = drive(bookers, TP_SECONDS)
    return {
        "answers": answers,
        "elapsed": elapsed,
        "records": [r for b in bookers for r in b.records],
    }


# --- the report -------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return math.nan
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


def status_counts(records) -> Counter:
    counts = Counter()
    for _op, status, _s, _port in records:
        if status in (200, 201, 409):
            counts[str(status)] += 1
        elif 400 <= status < 500:
            counts["4xx"] += 1
        elif status >= 500:
            counts["5xx"] += 1
        else:
            counts["none"] += 1
    return counts


def counts_text(counts: Counter) -> str:
    keys = ("200", "201", "409", "4xx", "5xx", "none")
    return ", ".join(f"{counts[k]:,} × {k}" for k in keys if counts[k] or k == "5xx")


def op_rows(records, elapsed: float) -> list[tuple[str, str, str, str]]:
    rows = []
    for op in OPS:
        mine = [r for r in records if r[0] == op]
        if not mine:
            continue
        ordered = sorted(r[2] for r in mine if r[1])
        ports = Counter(r[3] for r in mine)
        rows.append(
            (
                f"  {op}",
                f"{len(mine) / elapsed:.1f}/s; p50 {ms(percentile(ordered, 0.5))}, "
                f"p95 {ms(percentile(ordered, 0.95))}, "
                f"p99 {ms(percentile(ordered, 0.99))}; "
                f"{counts_text(status_counts(mine))}; "
                f"per process {'/'.join(str(ports[p]) for p in sorted(ports))}",
                "",
                "",
            )
        )
    return rows


def proof_rows(proof: dict, label: str) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"{label}: (counter, start) with two active bookings",
            f"{proof['doubles']} ({proof['active']:,} active of {proof['stored']:,})",
            "0",
            yes(proof["doubles"] == 0),
        ),
        (
            "  every 201 stored, in its last answered state",
            f"{proof['created']:,} known; {len(proof['lost'])} lost, "
            f"{len(proof['wrong'])} in another state/slot",
            "0 / 0",
            yes(not proof["lost"] and not proof["wrong"]),
        ),
        (
            "  stored but never answered 201",
            f"{len(proof['extra'])} (booking POSTs left without answer by the "
            f"killed process: {proof['lost_posts']})",
            "≤ unanswered POSTs",
            yes(len(proof["extra"]) <= proof["lost_posts"]),
        ),
        (
            "  cancels/moves left without answer",
            f"{proof['unsure']} (state not checked: either outcome is valid)",
            "",
            "",
        ),
        (
            "  cancelled/moved-from slots freed",
            f"{proof['freed']:,} freed: {proof['freed_rebooked']} rebooked by others, "
            f"{len(proof['not_freed'])} neither offered nor held",
            "0 not freed",
            yes(not proof["not_freed"]),
        ),
        (
            "  active bookings' slots offered by @slots",
            str(len(proof["active_offered"])),
            "0",
            yes(not proof["active_offered"]),
        ),
    ]


def run(seconds: float, citizens_n: int, agents_n: int, kill: bool) -> int:
    load_before = load()
    cluster = None
    try:
        cluster, info, password, built = start_cluster()
        ports = cluster.http_ports
        today = datetime.date.fromisoformat(info["today"])
        days = [
            (today + datetime.timedelta(days=n)).isoformat()
            for n in range(1, MIX_DAYS + 1)
        ]
        auth = (ADMIN, password)
        rows: list[tuple[str, str, str, str]] = []
        retries0 = {n: len(cluster.retries(n)) for n in (1, 2)}

        def crowd(balancer, seed):
            rng = random.Random(seed)
            citizens = [
                Citizen(
                    balancer, info, f"s{seed}c{n}", days, random.Random(rng.random())
                )
                for n in range(citizens_n)
            ]
            listers = [
                Lister(balancer, info, auth, days, random.Random(rng.random()))
                for _n in range(agents_n)
            ]
            return citizens, listers

        log(f"Mix: {citizens_n} citizens + {agents_n} agents, {seconds:.0f} s")
        balancer = Balancer(ports)
        citizens, listers = crowd(balancer, 1)
        elapsed = drive([*citizens, *listers], seconds)
        records = [r for w in [*citizens, *listers] for r in w.records]
        retries1 = {n: len(cluster.retries(n)) for n in (1, 2)}
        counts = status_counts(records)
        rows.append(
            (
                f"Mix, {citizens_n + agents_n} threads, both processes, "
                f"{elapsed:.0f} s",
                f"{len(records) / elapsed:.1f} requests/s ({len(records):,}); "
                f"{counts_text(counts)}",
                "0 5xx",
                yes(counts["5xx"] == 0 and counts["none"] == 0),
            )
        )
        rows += op_rows(records, elapsed)
        rows.append(
            (
                "  ConflictError retries (event.log) per process",
                ", ".join(f"client {n}: {retries1[n] - retries0[n]}" for n in (1, 2)),
                "",
                "",
            )
        )

        log(f"Throughput: {TP_CLIENTS} clients on distinct slots, {TP_SECONDS} s")
        admin = Client(ports[0], auth)
        tp = throughput(Balancer(ports), info, admin, today)
        retries2 = {n: len(cluster.retries(n)) for n in (1, 2)}
        tp_counts = status_counts(tp["records"])
        rate = tp_counts["201"] / tp["elapsed"]
        ordered = sorted(r[2] for r in tp["records"] if r[1] == 201)
        rows += [
            (
                f"{TP_CLIENTS} clients, distinct slots, both processes, "
                f"{tp['elapsed']:.0f} s",
                f"{rate:.1f} bookings/s; {counts_text(tp_counts)}",
                "≥ 15/s, 0 5xx",
                yes(rate >= TP_TARGET and tp_counts["5xx"] == 0),
            ),
            (
                "  latency of a booking",
                f"p50 {ms(percentile(ordered, 0.5))}, "
                f"p95 {ms(percentile(ordered, 0.95))}, "
                f"p99 {ms(percentile(ordered, 0.99))}",
                "",
                "",
            ),
            (
                "  ConflictError retries per process",
                ", ".join(f"client {n}: {retries2[n] - retries1[n]}" for n in (1, 2)),
                "",
                "",
            ),
        ]

        kill_citizens: list[Citizen] = []
        if kill:
            log(f"Fault: the mix for {KILL_SECONDS} s, kill -9 client 2 half-way")
            balancer = Balancer(ports)
            kill_citizens, kill_listers = crowd(balancer, 2)
            killed = {}

            def kill_two():
                process = cluster.processes["client2"]
                killed["pid"] = process.popen.pid
                os.kill(process.popen.pid, signal.SIGKILL)
                killed["at"] = time.perf_counter()
                balancer.drop(ports[1])
                log(f"killed client 2 (pid {killed['pid']})")

            workers = [*kill_citizens, *kill_listers]
            elapsed_k = drive(workers, KILL_SECONDS, at=(KILL_SECONDS / 2, kill_two))
            records_k = [r for w in workers for r in w.records]
            counts_k = status_counts(records_k)
            after_kill = [r for w in workers for r in w.records if r[3] == ports[0]]
            rows += [
                (
                    f"Fault: mix {elapsed_k:.0f} s, kill -9 client 2 at "
                    f"{KILL_SECONDS / 2:.0f} s",
                    f"{len(records_k):,} requests; {counts_text(counts_k)}; "
                    f"client 2 dead: {yes(not cluster.processes['client2'].running)}",
                    "0 5xx",
                    yes(counts_k["5xx"] == 0),
                ),
                (
                    "  client 1 kept serving",
                    f"{len(after_kill):,} answers from client 1, "
                    f"{sum(1 for r in after_kill if r[1] == 0)} without answer",
                    "all answered",
                    yes(all(r[1] for r in after_kill)),
                ),
            ]

        log("Proving: GET @bookings and @slots as admin on client 1")
        last = (today + datetime.timedelta(days=TP_FIRST + TP_DAYS)).isoformat()
        proof = prove(
            admin,
            info,
            [*citizens, *kill_citizens],
            tp["answers"],
            (today + datetime.timedelta(days=1)).isoformat(),
            last,
        )
        proof["lost_posts"] = sum(
            1
            for c in [*citizens, *kill_citizens]
            for e in c.events
            if e["op"] == "book" and e["status"] == 0
        )
        admin.close()
        rows += proof_rows(proof, "After all runs")
        retries_end = {n: len(cluster.retries(n)) for n in (1, 2)}

        print(machine())
        print(
            f"Load average (1, 5, 15 min): {load_before} at start, {load()} at end "
            "(other engineers' processes may be running on this machine)"
        )
        print(
            "ZEO server + 2 Zope clients (runwsgi, 4 waitress threads each, "
            "server-sync), FileStorage behind ZEO; clients are threads of this "
            "script, every request to the two processes in turn."
        )
        print(
            f"Site: {len(info['counters'])} counters (10 places × 4), 15-minute "
            "slots, Monday-Saturday 08h00-18h00, horizon 3m; "
            f"{info['slots']:,} slots. Built in "
            f"{built['site_seconds'] + built['content_seconds']:.0f} s. "
            f"Retries in all: client 1 {retries_end[1] - retries0[1]}, "
            f"client 2 {retries_end[2] - retries0[2]}.\n"
        )
        print(table(rows))
        missed = [row[0].strip() for row in rows if row[3] == "NO"]
        checked = sum(1 for row in rows if row[3])
        print(f"\n{checked - len(missed)} of {checked} checks met.")
        for name in missed:
            print(f"Missed: {name}")
        for key in ("lost", "wrong", "extra", "not_freed", "active_offered"):
            if proof[key]:
                print(f"{key}: {proof[key][:10]}")
        return 0
    finally:
        stop_cluster(cluster)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="the mix (≥ 60)")
    parser.add_argument("--citizens", type=int, default=10)
    parser.add_argument("--agents", type=int, default=2)
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    args = parser.parse_args()

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    return run(args.seconds, args.citizens, args.agents, args.kill)


if __name__ == "__main__":
    sys.exit(main())
