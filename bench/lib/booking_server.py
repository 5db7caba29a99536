"""``runwsgi`` with a ConflictError counter, for ``bench/booking.py``.

Usage: ``python bench/lib/booking_server.py <instance>/etc/zope.ini`` (the
arguments of ``runwsgi``). It is Zope's own ``runwsgi`` command; once the
application is loaded it adds, in this process only:

- a ``ZPublisher.interfaces.IPubFailure`` handler that counts the failed
  publications by exception class, and for ConflictErrors whether the
  publisher retries the request, the class and oid of the conflicting object
  (``ConflictError.class_name`` and ``.oid``) and a few messages;
- a WSGI middleware around the pipeline answering, on 127.0.0.1 only,
  ``GET /__bench__/counts`` (the counts as JSON), ``POST /__bench__/profile/
  start`` and ``POST /__bench__/profile/stop`` (cProfile of every request
  served in between, in whichever waitress thread; the answer is the top
  functions as text). Everything else goes to Zope unchanged.

The add-on is not changed: the handler and the middleware exist only in the
benchmark's server process.
"""

from collections import Counter
from Zope2.Startup import serve

import cProfile
import io
import json
import pstats
import sys
import threading


PREFIX = "/__bench__/"


class Counts:
    """What the IPubFailure handler saw since the server started."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = Counter()  # exception class name -> publications
        self.conflicts = 0  # ConflictErrors (and subclasses)
        self.retried = 0  # ... after which the publisher retried the request
        self.objects = Counter()  # "class oid" -> ConflictErrors
        self.messages: list[str] = []

    def on_failure(self, event) -> None:
        from ZODB.POSException import ConflictError

        error = event.exc_info[1]
        with self.lock:
            self.failures[type(error).__name__] += 1
            if not isinstance(error, ConflictError):
                return
            self.conflicts += 1
            self.retried += bool(event.retry)
            oid = getattr(error, "oid", None)
            name = getattr(error, "class_name", None) or "?"
            where = f"{name} {'0x' + oid.hex() if oid else '?'}"
            self.objects[where] += 1
            if len(self.messages) < 20:
                self.messages.append(f"{type(error).__name__}: {error}")

    def as_dict(self) -> dict:
        with self.lock:
            return {
                "failures": dict(self.failures),
                "conflicts": self.conflicts,
                "retried": self.retried,
                "objects": dict(self.objects),
                "messages": list(self.messages),
            }


class Profiler:
    """cProfile of the requests served while it is on, summed over threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.on = False
        self.stats: pstats.Stats | None = None
        self.requests = 0

    def run(self, call):
        if not self.on:
            return call()
        profile = cProfile.Profile()
        try:
            return profile.runcall(call)
        finally:
            profile.create_stats()
            with self.lock:
                if self.on:
                    self.requests += 1
                    if self.stats is None:
                        self.stats = pstats.Stats(profile)
                    else:
                        self.stats.add(profile)

    def start(self) -> str:
        with self.lock:
            self.on, self.stats, self.requests = True, None, 0
        return "profiling\n"

    def stop(self, lines: int = 40) -> str:
        with self.lock:
            self.on = False
            stats, requests = self.stats, self.requests
        if stats is None:
            return "no request was profiled\n"
        out = io.StringIO()
        out.write(f"{requests} requests profiled\n")
        stats.stream = out
        for order in ("cumulative", "tottime"):
            out.write(f"\n--- by {order}\n")
            stats.sort_stats(order).print_stats(lines)
        return out.getvalue()


COUNTS = Counts()
PROFILER = Profiler()


def middleware(application):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX) and environ.get("REMOTE_ADDR") == "127.0.0.1":
            action = path[len(PREFIX) :]
            if action == "counts":
                body = json.dumps(COUNTS.as_dict()).encode()
                kind = "application/json"
            elif action == "profile/start":
                body, kind = PROFILER.start().encode(), "text/plain"
            elif action == "profile/stop":
                body, kind = PROFILER.stop().encode(), "text/plain"
            else:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"unknown bench action\n"]
            start_response(
                "200 OK",
                [("Content-Type", kind), ("Content-Length", str(len(body)))],
            )
            return [body]
        if not PROFILER.on:
            return application(environ, start_response)

        def whole():
            # Consume the iterable inside the profile: Zope's answer is built
            # before it is returned, but be exact.
            return list(application(environ, start_response))

        return PROFILER.run(whole)

    return app


class Command(serve.ServeCommand):
    def loadapp(self, app_spec, name, relative_to, **kw):
        from zope.component import provideHandler
        from ZPublisher.interfaces import IPubFailure

        application = super().loadapp(app_spec, name, relative_to, **kw)
        provideHandler(COUNTS.on_failure, (IPubFailure,))
        return middleware(application)


def main() -> int:
    return Command(sys.argv).run() or 0


if __name__ == "__main__":
    sys.exit(main())
