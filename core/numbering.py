"""Sequential document numbers per prefix (Q2026-00001, C2026-00001, CS2026-00001 …)."""

from __future__ import annotations

import zlib
from typing import Any

from django.db import connection


def next_number(*, prefix: str, model: Any) -> str:
    """The next number after the highest one with `prefix`; an advisory lock (held until the transaction ends)
    serialises concurrent creators of the same prefix."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"{model._meta.label}:{prefix}".encode())])
    last = model.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = 1
    if last:
        try:
            seq = int(last[len(prefix) :]) + 1
        except ValueError:
            seq = model.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{seq:05d}"
