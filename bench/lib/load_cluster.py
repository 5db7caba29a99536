"""The cluster of ``bench/load.py``: ZEO + 2 Zope clients in a temporary directory.

``start_cluster`` renders it with ``scripts/cluster.py``, builds the site of
``bench/booking.py`` through the ZEO server (``bench/lib/booking_site.py``,
phase ``build``, run by the cluster's ``zconsole``), then starts both
clients; ``stop_cluster`` stops every process and removes the directory.
"""

from pathlib import Path

import importlib.util
import json
import secrets
import shutil
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[2]
SITE_HELPER = ROOT / "bench" / "lib" / "booking_site.py"
THREADS = 4


def cluster_module():
    """scripts/cluster.py as a module (scripts/ is not a package)."""
    name = "rendezvous_cluster"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "scripts" / "cluster.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def start_cluster(clients: int = 2):
    """(cluster, site info, admin password, build timings); serving."""
    directory = Path(tempfile.mkdtemp(prefix="rendezvous-bench-load-"))
    cluster = cluster_module().render(directory, clients=clients, threads=THREADS)
    try:
        from lib.harness import log

        password = secrets.token_urlsafe(16)
        output = directory / "build.json"
        log(f"ZEO server and site in {directory}")
        cluster.start_zeo()
        cluster.zconsole(
            SITE_HELPER,
            client=1,
            env={
                "BENCH_PHASE": "build",
                "BENCH_OUTPUT": str(output),
                "BENCH_ADMIN_PASSWORD": password,
            },
            timeout=900,
        )
        built = json.loads(output.read_text())
        log(f"Starting {clients} Zope clients ({THREADS} threads each)")
        cluster.start_clients(timeout=180)
        return cluster, built["info"], password, built
    except BaseException:
        stop_cluster(cluster)
        raise


def stop_cluster(cluster) -> None:
    if cluster is None:
        return
    try:
        cluster.stop()
    finally:
        shutil.rmtree(cluster.directory, ignore_errors=True)
