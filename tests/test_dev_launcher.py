"""`make run` on a bare machine: with nothing on port 5432 the launcher starts an embedded PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys, environ, psycopg
sys.path.insert(0, "scripts")
import dev
from pathlib import Path
dev.VAR = Path(sys.argv[1])
real_port_open = dev.port_open
dev.port_open = lambda host, port: False if port == 5432 else real_port_open(host, port)
env = {}
dev.ensure_postgres(env)
db = environ.Env.db_url_config(env["DATABASE_URL"])
with psycopg.connect(dbname=db["NAME"], user=db["USER"], **db["OPTIONS"]) as conn:
    print(conn.execute("SELECT current_database(), current_setting('server_version_num')").fetchone())
"""


def stop_server(pgdata: Path) -> None:
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, signal.SIGINT)  # fast shutdown
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def test_embedded_postgresql_when_no_server_answers(tmp_path):
    try:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    finally:
        stop_server(tmp_path / "pg")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "('crm', '18" in result.stdout
    assert (tmp_path / "pg" / "PG_VERSION").exists()
