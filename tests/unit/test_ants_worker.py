"""The background worker of the ANTS declarations (issue 14)."""

from collective.rendezvous.ants import declarations

import threading


def job(name):
    # (db, booking_oid, portal_oid, where, url, auth, jobs)
    return (None, None, None, ("service", name), "", "", [])


def test_jobs_run_in_order_in_another_thread(monkeypatch):
    done = []
    release = threading.Event()

    def process(*args):
        release.wait(30)
        done.append((args[3][1], threading.current_thread().name))

    monkeypatch.setattr(declarations, "process", process)
    worker = declarations.Worker()
    worker.submit(job("A"))
    worker.submit(job("B"))
    assert not worker.wait_idle(0.05)  # busy: the first job is blocked
    release.set()
    assert worker.wait_idle(30)
    assert done == [("A", "rendezvous-ants"), ("B", "rendezvous-ants")]
    assert worker.thread.daemon


def test_an_error_is_logged_and_the_worker_goes_on(monkeypatch, caplog):
    done = []

    def process(*args):
        if args[3][1] == "bad":
            raise RuntimeError("boom")
        done.append(args[3][1])

    monkeypatch.setattr(declarations, "process", process)
    worker = declarations.Worker()
    worker.submit(job("bad"))
    worker.submit(job("good"))
    assert worker.wait_idle(30)
    assert done == ["good"]
    assert "boom" in caplog.text


def test_idle_before_any_job():
    assert declarations.Worker().wait_idle(0)


def test_a_forked_child_starts_its_own_worker(monkeypatch):
    monkeypatch.setattr(declarations, "process", lambda *args: None)
    worker = declarations.Worker()
    worker.submit(job("A"))
    assert worker.wait_idle(30)
    parent = worker.thread
    worker.pid = -1  # as seen from a forked child
    worker.submit(job("B"))
    assert worker.wait_idle(30)
    assert worker.thread is not parent
