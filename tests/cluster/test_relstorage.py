"""X2 on RelStorage: two Zope clients of one PostgreSQL database, one winner a slot.

The race of ``test_race_zeo.py`` (its helpers are reused), with the ZEO
server replaced by RelStorage on PostgreSQL (issue 8, docs/relstorage.rst):
scripts/cluster.py renders the two clients with ``--storage relstorage``.
RelStorage locks the rows a transaction changes at commit and compares
their transaction ids with the ones the transaction read: the later of two
bookings of a slot gets a ConflictError, its process retries it and the
retry answers 409.

A private PostgreSQL is started for the test (``initdb`` + ``pg_ctl``) in a
temporary directory, listening on 127.0.0.1 only, on a free port, with its
socket in that directory; it runs as the ``postgres`` system user when the
tests run as root (PostgreSQL refuses root), and is stopped (``pg_ctl stop
-m fast``) whatever happens. The clients log in over TCP with a password
(scram-sha-256), as in production; the superuser only over the socket.

The how-to's other recipes are run too: ``zodbconvert`` of a single-process
instance's Data.fs and blobs into PostgreSQL, ``pg_dump``/``pg_restore`` of
that database, ``zodbpack`` with the rendered ``zodbpack.conf`` on the live
database after the race.

Without PostgreSQL (``make pg-deps`` installs it with apt-get, as root) or
RelStorage/psycopg2 the test is skipped, saying why; with ``CI=true`` it
fails instead, as the browser tests do.
"""

from pathlib import Path

# Beside this file; pytest puts tests/cluster on sys.path (no __init__.py).
from test_race_zeo import ADMIN
from test_race_zeo import check_one_booking_each
from test_race_zeo import configure
from test_race_zeo import DAY_RECORD
from test_race_zeo import folder_url
from test_race_zeo import load_cluster_module
from test_race_zeo import race_day
from test_race_zeo import race_rounds
from test_race_zeo import ROOT
from test_race_zeo import ROUNDS
from test_race_zeo import serving
from test_race_zeo import session
from test_race_zeo import SITE_ID
from test_race_zeo import TIMEOUT

import collections
import os
import pytest
import secrets
import shutil
import subprocess
import tempfile
import time
import ZODB
import ZODB.config


PG_OWNER = "postgres"  # the system user that runs PostgreSQL when we are root
DATABASE = USER = "rendezvous"


def pg_bindir() -> Path | None:
    """Where initdb and pg_ctl are: $PG_BIN, Debian's newest, or the PATH."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return directory
    return None


def _missing() -> str | None:
    if pg_bindir() is None:
        return (
            "PostgreSQL's initdb/pg_ctl not found (/usr/lib/postgresql/*/bin, "
            "PATH or $PG_BIN): run `make pg-deps` (apt-get install postgresql, "
            "as root)"
        )
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            return "running as root without runuser: cannot start PostgreSQL"
        try:
            import pwd

            pwd.getpwnam(PG_OWNER)
        except KeyError:
            return f"running as root and there is no {PG_OWNER!r} system user"
    try:
        import psycopg2  # noqa: F401
        import relstorage  # noqa: F401
    except ImportError as error:
        return f"{error.name} is missing: run `make install`"
    return None


MISSING = _missing()


def need_postgresql() -> None:
    if MISSING is None:
        return
    reason = f"RELSTORAGE TEST NOT RUN: {MISSING}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: CI must run it)")
    pytest.skip(reason)


class PostgreSQL:
    """A throw-away PostgreSQL server in ``directory`` (127.0.0.1, one port)."""

    def __init__(self, bindir: Path, directory: Path, port: int):
        self.bindir, self.directory, self.port = bindir, directory, port
        self.data = directory / "data"
        self.log = directory / "postgresql.log"

    def _run(self, *command, timeout: float = 60) -> str:
        command = [str(self.bindir / command[0]), *map(str, command[1:])]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_OWNER, "--", *command]
        done = subprocess.run(
            command,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}"
            )
        return done.stdout

    def start(self) -> None:
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        # Appended as root: the file stays the owner's. No durability is
        # needed for a test database.
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# tests/cluster/test_relstorage.py\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.directory}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            )
        self._run(
            "pg_ctl",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--wait",
            "--timeout",
            "60",
            "start",
            timeout=90,
        )

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        try:
            self._run("pg_ctl", "--pgdata", str(self.data), "-m", "fast", "-w", "stop")
        except RuntimeError:
            self._run("pg_ctl", "--pgdata", str(self.data), "-m", "immediate", "stop")

    def dump(self, database: str, path: Path) -> None:
        """``pg_dump --format=custom``, as the superuser over the socket."""
        self._run(*self._client("pg_dump", database), "--format=custom", "--file", path)

    def restore(self, path: Path, database: str, owner: str) -> None:
        """``pg_restore`` into an empty database, the objects owned by ``owner``."""
        self._run(
            *self._client("pg_restore", database), "--no-owner", "--role", owner, path
        )

    def _client(self, program: str, database: str) -> list[str]:
        return [
            program,
            "--host",
            str(self.directory),
            "--port",
            str(self.port),
            "--username",
            "postgres",
            "--dbname",
            database,
        ]

    def create_database(self, name: str, user: str, password: str) -> str:
        """A login role owning a new database; returns the role's TCP DSN."""
        import psycopg2

        connection = psycopg2.connect(
            host=str(self.directory), port=self.port, user="postgres", dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE ROLE "{user}" LOGIN PASSWORD %s', (password,))
                cursor.execute(f'CREATE DATABASE "{name}" OWNER "{user}"')
        finally:
            connection.close()
        return (
            f"host=127.0.0.1 port={self.port} dbname={name} user={user} "
            f"password={password}"
        )


# As in test_race_zeo.py: this module does not use the pytest-plone layers.
@pytest.fixture(scope="session")
def _keep_functional_session():
    return None


@pytest.fixture(scope="session")
def _keep_integration_session():
    return None


@pytest.fixture(scope="module")
def postgresql():
    """(server, DSN of the ``rendezvous`` role and database)."""
    need_postgresql()
    clusters = load_cluster_module()
    # Not under pytest's temporary directory: root's is closed to postgres.
    directory = Path(tempfile.mkdtemp(prefix="rendezvous-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, PG_OWNER, PG_OWNER)
    server = PostgreSQL(pg_bindir(), directory, clusters.free_port())
    try:
        started = time.monotonic()
        server.start()
        dsn = server.create_database(DATABASE, USER, secrets.token_urlsafe(16))
        print(f"\nPostgreSQL up in {time.monotonic() - started:.1f} s ({directory})")
        yield server, dsn
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def relstorage_cluster(postgresql, tmp_path_factory):
    """(cluster, admin password): two RelStorage clients serving ``/Plone``."""
    _server, dsn = postgresql
    clusters = load_cluster_module()
    directory = tmp_path_factory.mktemp("relstorage-cluster")
    cluster = clusters.render(
        directory, clients=2, threads=6, storage="relstorage", dsn=dsn
    )
    # No ZEO server: zconsole opens the database itself (and creates
    # RelStorage's schema), before the HTTP clients start.
    yield from serving(cluster, directory, zeo=False)


def test_rendered_configuration(tmp_path):
    """Cheap, without PostgreSQL: what --storage relstorage writes."""
    clusters = load_cluster_module()
    dsn = "host=127.0.0.1 port=5432 dbname=zodb user=zodb password=a$b"
    cluster = clusters.render(tmp_path, clients=2, storage="relstorage", dsn=dsn)
    conf = cluster.zope_conf(2).read_text(encoding="utf-8")
    assert "%import relstorage\n<zodb_db main>" in conf
    assert "<postgresql>\n      dsn " + dsn.replace("$", "$$") + "\n" in conf
    assert f"blob-dir {tmp_path}/client2/var/blobcache\n" in conf
    assert "shared-blob-dir false" in conf and "keep-history false" in conf
    assert "clientstorage" not in conf and "%import ZEO" not in conf
    assert not (tmp_path / "zeo").exists() and cluster.zeo_port == 0
    assert (cluster.zope_conf(1).stat().st_mode & 0o777) == 0o600
    assert "<relstorage>" in cluster.zodbpack_conf.read_text(encoding="utf-8")
    assert clusters.load(tmp_path) == cluster
    with pytest.raises(RuntimeError, match="no ZEO server"):
        cluster.start_zeo()
    with pytest.raises(ValueError, match="DSN"):
        clusters.render(tmp_path / "x", storage="relstorage")


@pytest.mark.slow
def test_relstorage_one_winner_per_slot(relstorage_cluster):
    cluster, password = relstorage_cluster
    auth = (ADMIN, password)
    site = configure(f"{cluster.url(1)}/{SITE_ID}", auth)

    # Client 2 reads at once what client 1 configured: RelStorage polls the
    # database when a transaction begins.
    day, before = race_day(cluster, site)
    starts = before[:ROUNDS]

    rounds = race_rounds(cluster, site, starts)
    check_one_booking_each(cluster, site, auth, day, before, starts)

    # The evidence that RelStorage refused the later commits: the processes
    # retried requests after a ConflictError on the counter's day record,
    # also in the process that lost the round (a conflict across processes).
    print(f"\nRelStorage cluster in {cluster.directory}")
    cross = total = 0
    classes, errors = collections.Counter(), collections.Counter()
    for start, winner, retried, _refused in rounds:
        loser = 3 - winner
        cross += len(retried[loser])
        total += len(retried[1]) + len(retried[2])
        for n in (1, 2):
            errors.update(error for error, _path, _cls in retried[n])
            classes.update(cls for _error, _path, cls in retried[n])
        print(
            f"  {start}: 201 from client {winner}; retried: client 1 "
            f"{len(retried[1])}, client 2 {len(retried[2])} (loser: "
            f"{len(retried[loser])})"
        )
    print(f"  retries: {total} ({cross} in the losing process), {dict(errors)}")
    print(f"  objects: {dict(classes)}")
    assert total > 0, "no request was retried: the race was not run"
    assert cross > 0, "no conflict across the two processes"
    assert set(errors) == {"ConflictError"}, errors
    assert DAY_RECORD in classes, "the guard's record was not the one in conflict"

    # The rendered zodbpack.conf packs the live database (history-free:
    # garbage collection only) and the bookings are still there.
    zodbpack = load_cluster_module().BIN / "zodbpack"
    packed = subprocess.run(
        [str(zodbpack), str(cluster.zodbpack_conf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert packed.returncode == 0, packed.stdout + packed.stderr
    with session(auth) as admin:
        response = admin.get(
            folder_url(cluster, 1, site) + "/@bookings",
            params={"start": day.isoformat(), "end": day.isoformat()},
            timeout=TIMEOUT,
        )
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == ROUNDS


# scripts/create_site.py, then a blob (one Zope start-up instead of two).
SITE_AND_BLOB = """
from ZODB.blob import Blob

import runpy
import transaction

runpy.run_path({create_site!r}, init_globals={{"app": app}})
blob = Blob()
with blob.open("w") as data:
    data.write(b"rendezvous blob")
app._p_jar.root()["rendezvous-blob"] = blob
transaction.commit()
"""

CHECK = """
from collective.rendezvous.interfaces import IBrowserLayer
from plone.browserlayer.utils import registered_layers
from zope.component.hooks import setSite

site = app["{site}"]
setSite(site)
print("site:", site.portal_type, IBrowserLayer in registered_layers())
with app._p_jar.root()["rendezvous-blob"].open() as data:
    print("blob:", data.read().decode())
"""

ZODBCONVERT_CONF = """\
%import relstorage
<filestorage source>
  read-only true
  path {instance}/var/filestorage/Data.fs
  blob-dir {instance}/var/blobstorage
</filestorage>
{destination}
"""


@pytest.mark.slow
def test_zodbconvert_filestorage_to_relstorage(postgresql, tmp_path):
    """docs/relstorage.rst's migration: a site's Data.fs and its blobs."""
    server, _dsn = postgresql
    clusters = load_cluster_module()
    dsn = server.create_database("migrated", "migrated", secrets.token_urlsafe(16))
    # The single-process instance of `make start`, with a site and a blob.
    instance = tmp_path / "instance"
    subprocess.run(
        [str(clusters.BIN / "python"), str(ROOT / "scripts" / "instance.py"), instance],
        check=True,
    )
    script = tmp_path / "site_and_blob.py"
    script.write_text(
        SITE_AND_BLOB.format(create_site=str(ROOT / "scripts" / "create_site.py")),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            str(clusters.BIN / "zconsole"),
            "run",
            str(instance / "etc" / "zope.conf"),
            str(script),
        ],
        env=dict(
            os.environ,
            SITE_ID=SITE_ID,
            DEMO="0",
            ADMIN_PASSWORD_FILE=str(tmp_path / "admin-password"),
        ),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    # The destination: the <relstorage> section of a rendered cluster.
    cluster = clusters.render(
        tmp_path / "cluster", clients=1, storage="relstorage", dsn=dsn
    )
    destination = (
        cluster.zodbpack_conf.read_text(encoding="utf-8")
        .split("%import relstorage\n", 1)[1]
        .replace("<relstorage>", "<relstorage destination>", 1)
    )
    conf = tmp_path / "zodbconvert.conf"
    conf.write_text(
        ZODBCONVERT_CONF.format(instance=instance, destination=destination),
        encoding="utf-8",
    )
    converted = subprocess.run(
        [str(clusters.BIN / "zodbconvert"), str(conf)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert converted.returncode == 0, converted.stdout + converted.stderr

    # The copy, opened by a Zope client on RelStorage.
    check = tmp_path / "check.py"
    check.write_text(CHECK.format(site=SITE_ID), encoding="utf-8")
    output = cluster.zconsole(check).stdout
    assert "site: Plone Site True" in output, output
    assert "blob: rendezvous blob" in output, output

    # docs/relstorage.rst's backup: pg_dump (blobs are large objects, in the
    # dump), pg_restore into a new database, the copy opened again (here,
    # with ZODB alone: no Zope start-up).
    dump = server.directory / "migrated.dump"
    server.dump("migrated", dump)
    dsn = server.create_database("restored", "restored", secrets.token_urlsafe(16))
    server.restore(dump, "restored", "restored")
    copy = clusters.render(
        tmp_path / "restored", clients=1, storage="relstorage", dsn=dsn
    )
    storage = ZODB.config.storageFromFile(copy.zodbpack_conf.open())
    database = ZODB.DB(storage)
    try:
        with database.transaction() as connection:
            root = connection.root()
            assert SITE_ID in root["Application"].objectIds()
            with root["rendezvous-blob"].open() as data:
                assert data.read() == b"rendezvous blob"
    finally:
        database.close()
