"""PgBouncer in transaction pooling mode: DISABLE_SERVER_SIDE_CURSORS=true reaches the primary and the replica, and
the lists streamed with .iterator() (the contracts export) then read through a plain cursor — a named server-side
cursor would not survive the transaction PgBouncer hands the connection back after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections

from sales.tests.factories import ContractFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

SHOW = (
    "import json, django; from django.conf import settings; "
    "print(json.dumps({k: v.get('DISABLE_SERVER_SIDE_CURSORS') for k, v in settings.DATABASES.items()}))"
)


def databases_under(**env: str) -> dict:
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings.local", **env}
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_setting_reaches_the_primary_and_the_replica():
    replica = "postgres://postgres@127.0.0.1:5432/crm_replica_probe"
    on = databases_under(DISABLE_SERVER_SIDE_CURSORS="true", DATABASE_REPLICA_URL=replica)
    assert on == {"default": True, "replica": True}
    assert databases_under(DISABLE_SERVER_SIDE_CURSORS="false") == {"default": False}


def test_streamed_lists_use_no_server_side_cursor_when_disabled(gm, client, monkeypatch):
    ContractFactory.create_batch(3)
    opened = []
    wrapper = type(connections["default"])
    real = wrapper.chunked_cursor

    def spy(self):
        cursor = real(self)
        opened.append(getattr(cursor.cursor, "name", None))  # psycopg's server-side cursors have a name
        return cursor

    monkeypatch.setattr(wrapper, "chunked_cursor", spy)
    client.force_login(gm)

    def export() -> None:
        response = client.get("/sales/contracts/export.csv")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.count(b"\n") >= 4  # a header and the three contracts

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", False)
    export()
    assert opened and all(opened), "by default the export streams its rows through a named server-side cursor"
    opened.clear()
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    export()
    assert opened == [], "with the flag no server-side cursor is declared"
