"""Past one database server: the router sends dashboard/report/export reads to a streaming replica, keeps writes and
read-after-write on the primary; summary rebuilds have their own Celery queue.

The replica test starts a PostgreSQL 15 primary and a streaming replica of it (pg_basebackup -R) in a temp
directory, on free ports, and shows that reads inside replica_reads() come from the replica. It is skipped, saying
why, where the binaries are missing or the machine does not allow starting a cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test import RequestFactory, override_settings

from core import db_router
from crm.celery import app as celery_app

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_summary_rebuilds_have_their_own_queue_and_reminders_theirs():
    route = celery_app.amqp.router.route
    assert route({}, "reports.refresh_dashboard_recent")["queue"].name == "summaries"
    assert route({}, "reports.refresh_dashboard_full")["queue"].name == "summaries"
    assert route({}, "reminders.scan")["queue"].name == "reminders"


def test_without_a_replica_everything_reads_the_primary():
    with db_router.replica_reads():
        assert db_router.ReplicaRouter().db_for_read(None) == "default"


REPLICA_PATHS = ["/reports/", "/api/v1/dashboard/", "/customers/export.xlsx", "/sales/contracts/export.csv"]


@pytest.mark.parametrize("path", [*REPLICA_PATHS, "/customers/", "/sales/contracts/1/", "/api/v1/contracts/"])
def test_the_middleware_uses_the_replica_only_for_safe_report_requests(path):
    seen = []

    def view(request):
        seen.append(db_router._use_replica.get())
        from django.http import HttpResponse

        return HttpResponse()

    replica = {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}
    with override_settings(DATABASES={**connections.settings, "replica": replica}):
        middleware = db_router.ReplicaReadsMiddleware(view)
        middleware(RequestFactory().get(path))
        pinned = RequestFactory().get(path)
        pinned.COOKIES[db_router.PIN_COOKIE] = "1"
        middleware(pinned)
        response = middleware(RequestFactory().post(path))
    assert seen == [path in REPLICA_PATHS, False, False]
    assert response.cookies[db_router.PIN_COOKIE]["max-age"] > 0  # a write pins the browser to the primary


def _run_as_postgres(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def streaming_pair():
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_basebackup").exists():
        pytest.skip(f"no PostgreSQL 15 binaries under {PG_BIN}: cannot start a replica")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    base = Path(tempfile.mkdtemp(prefix="crm-pgpair-"))  # not under pytest's 0700 root: postgres must enter it
    primary, replica = base / "primary", base / "replica"
    p_port, r_port = free_port(), free_port()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    started = []
    try:
        out = _run_as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        if out.returncode:
            pytest.skip(f"initdb failed here: {out.stderr.strip()[-300:]}")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(f"port = {p_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n")
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\nshared_buffers = 16MB\n")
        out = _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "p.log"), "-w", "start"])
        if out.returncode:
            pytest.skip(f"the machine does not allow starting a PostgreSQL cluster: {out.stderr.strip()[-300:]}")
        started.append(primary)
        out = _run_as_postgres(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(p_port),
                "-U",
                "postgres",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
            ]
        )
        assert out.returncode == 0, out.stderr
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {r_port}\n")
        out = _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(replica), "-l", str(base / "r.log"), "-w", "start"])
        assert out.returncode == 0, out.stderr
        started.append(replica)
        yield p_port, r_port
    finally:
        for data in reversed(started):
            _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def _alias(name: str, port: int) -> None:
    connections.settings[name] = {
        **connections.settings["default"],
        "NAME": "postgres",
        "HOST": "127.0.0.1",
        "PORT": port,
        "USER": "postgres",
        "TEST": {"MIRROR": None, "NAME": None},
    }


def test_the_router_reads_dashboards_from_the_streaming_replica(streaming_pair, django_db_blocker):
    p_port, r_port = streaming_pair
    _alias("pair_primary", p_port)
    _alias("replica", r_port)
    try:
        with django_db_blocker.unblock(), connections["pair_primary"].cursor() as cur:
            cur.execute("CREATE TABLE probe (id int primary key, note text)")
            cur.execute("INSERT INTO probe VALUES (1, 'written on the primary')")
        deadline = time.monotonic() + 30
        router = db_router.ReplicaRouter()
        with override_settings(DATABASES=dict(connections.settings)), django_db_blocker.unblock():
            assert router.db_for_write(None) == "default"
            assert router.db_for_read(None) == "default"  # not inside replica_reads()
            with db_router.replica_reads():
                alias = router.db_for_read(None)
                assert alias == "replica"
                with connections[alias].cursor() as cur:
                    cur.execute("SELECT pg_is_in_recovery()")
                    assert cur.fetchone()[0] is True, "the replica is a standby"
                    while True:  # streamed from the primary
                        cur.execute("SELECT to_regclass('probe') IS NOT NULL")
                        if cur.fetchone()[0]:
                            cur.execute("SELECT note FROM probe WHERE id = 1")
                            row = cur.fetchone()
                            if row:
                                break
                        assert time.monotonic() < deadline, "the replica never received the row"
                        time.sleep(0.2)
                    assert row[0] == "written on the primary"
    finally:
        for name in ("pair_primary", "replica"):
            if name in connections.settings:
                connections[name].close()
                del connections.settings[name]
