"""Search benchmark: the navbar search (Find anything) and the customers API search on N generated customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_search python bench/search.py     # 100,000 customers
    BENCH_SEARCH_CUSTOMERS=1000000 python bench/search.py --reuse

Names come from bench/names.py: realistic Chinese company names plus, first, the customers of
tests/data/search_misspellings.json. Every misspelt query is run as the GM office (everything visible) and as a
salesperson; the report gives p50/p95 per kind of query and the recall (the intended customer among the 8 shown).
It TRUNCATEs the CRM's tables: it refuses to run unless the database name contains "bench".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_search")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from bench.dashboard import Copier, reset_sequences  # noqa: E402
from bench.names import MISSPELLINGS, customer_name, customer_row_keys  # noqa: E402
from customers.models import Customer  # noqa: E402
from workspace.search import find_anything  # noqa: E402


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def generate(n: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {Customer._meta.db_table}, {User._meta.db_table}, {SalesUnit._meta.db_table} CASCADE")
    Copier(SalesUnit, ["id", "code", "name", "name_en"]).copy((i, f"s{i}", f"業務{i}部", f"Sales {i}") for i in (1, 2))
    password = make_password("pw")
    people = [(1, "sgm", "總經辦", Role.GM_OFFICE, None)] + [
        (i, f"ssp{i}", f"業務員{i}", Role.SALESPERSON, 1 + i % 2) for i in range(2, 102)
    ]
    Copier(User, ["id", "username", "full_name", "role", "unit_id", "password", "is_active", "language"]).copy(
        (i, u, f, r, un, password, True, "zh-hant") for i, u, f, r, un in people
    )

    def rows():
        for c in range(1, n + 1):
            name = customer_name(rng, c)
            phone, digits, text, sound = customer_row_keys(name, c)
            owner = 2 + c % 100
            yield (c, name, f"{60_000_000 + c:08d}", owner, 1 + owner % 2, timezone.now(), phone, digits, text, sound)

    t0 = time.monotonic()
    Copier(
        Customer,
        ["id", "name", "tax_id", "owner_id", "unit_id", "registered_at", "phone", "phone_digits", "search_text",
         "search_phonetic"],
    ).copy(rows())  # fmt: skip
    reset_sequences(SalesUnit, User, Customer)
    with connection.cursor() as cur:
        # As autovacuum leaves a live table: visibility map set (index-only scans), no GIN pending list.
        cur.execute(f"VACUUM ANALYZE {Customer._meta.db_table}")
    log(f"generated {n:,} customers in {time.monotonic() - t0:.1f}s")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[max(0, round(q * len(values)) - 1)], 1)


def measure(repeat: int = 3) -> dict:
    gm = User.objects.get(username="sgm")
    salesperson = User.objects.get(username="ssp2")
    ids = dict(Customer.objects.filter(pk__lte=len(MISSPELLINGS)).values_list("name", "pk"))
    timings: dict[str, list[float]] = {}
    hits = found = 0
    by_kind: dict[str, list[int]] = {}
    for case in MISSPELLINGS:
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = find_anything(user=gm, query=case["query"])
            timings.setdefault("navbar search, GM (all customers)", []).append((time.perf_counter() - t0) * 1000)
        hit = ids.get(case["name"]) in [c.pk for c in result.customers]
        hits += hit
        found += bool(result.customers)
        by_kind.setdefault(case["kind"], [0, 0])[0] += hit
        by_kind[case["kind"]][1] += 1
        for _ in range(repeat):
            t0 = time.perf_counter()
            find_anything(user=salesperson, query=case["query"])
            timings.setdefault("navbar search, salesperson (own)", []).append((time.perf_counter() - t0) * 1000)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages):
        client = Client()
        client.force_login(gm)
        for case in MISSPELLINGS:
            t0 = time.perf_counter()
            assert client.get("/search/", {"q": case["query"]}).status_code == 200
            timings.setdefault("search page (full stack), GM", []).append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            assert client.get("/api/v1/customers/", {"search": case["query"]}).status_code == 200
            timings.setdefault("customers API ?search=, GM", []).append((time.perf_counter() - t0) * 1000)
    rows = []
    for label, values in timings.items():
        rows.append({"scenario": label, "n": len(values), "p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95)})
        log(f"{label:<40} p50 {rows[-1]['p50_ms']:7.1f} ms   p95 {rows[-1]['p95_ms']:7.1f} ms")
    recall = round(hits / len(MISSPELLINGS), 3)
    log(f"recall@8 on {len(MISSPELLINGS)} misspellings: {recall:.1%}  " + ", ".join(
        f"{k} {h}/{t}" for k, (h, t) in sorted(by_kind.items())))  # fmt: skip
    return {"results": rows, "recall_at_8": recall, "recall_by_kind": by_kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=int(os.environ.get("BENCH_SEARCH_CUSTOMERS", 100_000)))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "search.json"))
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to TRUNCATE database {name!r}; point DATABASE_URL at a *bench* database")
    call_command("migrate", verbosity=0)
    if not args.reuse or Customer.objects.count() != args.customers:
        generate(args.customers)
    report = {"customers": Customer.objects.count(), **measure()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    log(f"written to {out}")


if __name__ == "__main__":
    main()
