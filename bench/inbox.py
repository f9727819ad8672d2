"""Inbox benchmark: the navbar badges (inbox count + unread notifications) and the inbox page on the dashboard
benchmark's data, plus what the inbox reads that the dashboard does not (quotes awaiting approval, filed daily
reports, open reminders, notifications).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench python bench/inbox.py
    python bench/inbox.py --reuse               # keep the inbox's data already generated
    python bench/inbox.py --regenerate          # also regenerate the dashboard's data (else reused if present)
    python bench/inbox.py --scale 0.1           # a quick run on 10 % of the data

It reuses bench/dashboard.py's generator (100,000 customers, 1,000,000 order lines, 300,000 contact logs, a year of
daily reports at scale 1) and adds, per scale 1: 50,000 quotes (3 % awaiting approval), 200,000 open reminders due
within ±60 days and 400,000 notifications (10 % unread). Then it measures, per role (GM office, manager,
salesperson): `navbar_counts` called directly, the badge endpoint the navbar polls, and the inbox page, each through
the full Django stack for the HTTP ones; it prints p50 and p95 and the number of SQL queries of each. Goal: badge
p95 <= 50 ms.

It TRUNCATEs the CRM's tables (through bench/dashboard.py): it refuses to run unless the database name contains
"bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ["DEBUG"] = "false"  # no query log, as in production

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.dashboard import ROOT, Copier, generate, log, reset_sequences  # noqa: E402
from customers.models import Customer  # noqa: E402
from reminders.models import Notification, Reminder  # noqa: E402
from sales.models import Contract, ContractLine, Quote, QuoteLine, QuoteStatus  # noqa: E402
from workspace.inbox import navbar_counts  # noqa: E402


def generate_inbox(scale: float, seed: int = 11) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cur:
        names = ", ".join(m._meta.db_table for m in (Notification, Reminder))
        cur.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        # Not TRUNCATE ... CASCADE on quotes: contracts refer to quotes, so it emptied the contracts, their lines and
        # payments, and the inbox was measured on a company without contracts.
        cur.execute(f"UPDATE {Contract._meta.db_table} SET quote_id = NULL WHERE quote_id IS NOT NULL")
        cur.execute(f"TRUNCATE {QuoteLine._meta.db_table}")
        cur.execute(f"DELETE FROM {Quote._meta.db_table}")
    owners = list(Customer.objects.exclude(owner=None).values_list("id", "owner_id", "unit_id"))
    users = list(User.objects.values_list("id", flat=True))
    counts = {}
    n_quotes = int(50_000 * scale)
    statuses = [QuoteStatus.DRAFT, QuoteStatus.APPROVED, QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED]

    def quotes():
        for i in range(1, n_quotes + 1):
            cid, owner, unit = owners[rng.randrange(len(owners))]
            status = QuoteStatus.IN_REVIEW if rng.random() < 0.03 else rng.choice(statuses)
            amount = rng.randrange(10_000, 2_000_000, 100)
            yield (i, f"BQ{i:07d}", cid, owner, unit, status, amount, now - dt.timedelta(days=rng.randrange(400)))

    counts["quotes"] = Copier(
        Quote, ["id", "number", "customer_id", "owner_id", "unit_id", "status", "amount", "created_at"]
    ).copy(quotes())
    n_reminders = int(200_000 * scale)

    def reminders():
        for i in range(1, n_reminders + 1):
            cid, owner, unit = owners[rng.randrange(len(owners))]
            due = today + dt.timedelta(days=rng.randrange(-60, 60))
            send = dt.datetime.combine(due, dt.time(9), tzinfo=timezone.get_current_timezone())
            yield (i, "follow_up", f"bench:{i}", owner, unit, cid, due, send, "sent", send)

    counts["reminders"] = Copier(
        Reminder,
        ["id", "kind", "dedup_key", "owner_id", "unit_id", "customer_id", "due_on", "send_after", "status", "sent_at"],
    ).copy(reminders())
    n_notes = int(400_000 * scale)

    def notes():
        for i in range(1, n_notes + 1):
            read = None if rng.random() < 0.1 else now
            yield (
                i,
                users[rng.randrange(len(users))],
                f"通知 {i}",
                read,
                now - dt.timedelta(minutes=rng.randrange(10**5)),
            )

    counts["notifications"] = Copier(Notification, ["id", "user_id", "title", "read_at", "created_at"]).copy(notes())
    reset_sequences(Quote, Reminder, Notification)
    with connection.cursor() as cur:
        for m in (Quote, Reminder, Notification):
            cur.execute(f"VACUUM ANALYZE {m._meta.db_table}")  # as autovacuum leaves them (index-only scans)
    return counts


def _percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return round(statistics.median(timings), 1), round(timings[max(0, round(0.95 * len(timings)) - 1)], 1)


def database_time(role: str, user: User, runs: int) -> dict:
    """The badge's one statement timed by PostgreSQL itself (planning + execution): what the query costs without
    the Python side, which a loaded machine slows down most."""
    statements: list[str] = []

    def keep(execute, sql, params, many, context):
        statements.append(connection.ops.compose_sql(sql, params) if params else sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        navbar_counts(user=User.objects.get(pk=user.pk))
    sql = statements[-1]
    timings = []
    with connection.cursor() as cur:
        for _ in range(runs):
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cur.fetchone()[0][0]
            timings.append(plan["Planning Time"] + plan["Execution Time"])
    p50, p95 = _percentiles(timings)
    log(f"{role:<12}{'badge statement (PostgreSQL)':<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    return {"role": role, "scenario": "badge statement, database time", "n": runs, "p50_ms": p50, "p95_ms": p95}


def measure(requests: int) -> list[dict]:
    roles = [
        ("gm office", User.objects.get(username="bgm")),
        ("manager", User.objects.filter(role=Role.MANAGER).order_by("id").first()),
        ("salesperson", User.objects.filter(role=Role.SALESPERSON).order_by("id").first()),
    ]
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    results = []
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages):
        for role, user in roles:
            client = Client()
            client.force_login(user)
            scenarios = [
                ("navbar_counts()", lambda u=user: navbar_counts(user=User.objects.get(pk=u.pk))),
                ("badge (GET /inbox/badge/)", lambda c=client: c.get("/inbox/badge/")),
                ("inbox page (GET /inbox/)", lambda c=client: c.get("/inbox/")),
            ]
            for label, call in scenarios:
                for _ in range(3):
                    call()
                counted: list[str] = []

                def count(execute, sql, params, many, context, counted=counted):
                    counted.append(sql)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    call()  # counted by a wrapper: the test client's request_started resets the query log
                timings = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    response = call()
                    timings.append((time.perf_counter() - t0) * 1000)
                    if hasattr(response, "status_code"):
                        assert response.status_code == 200, (label, response.status_code)
                p50, p95 = _percentiles(timings)
                row = {"role": role, "scenario": label, "n": requests, "p50_ms": p50, "p95_ms": p95}
                row["queries"] = len(counted)
                results.append(row)
                log(f"{role:<12}{label:<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {row['queries']:3d} queries")
            results.append(database_time(role, user, requests))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the default size (1.0 = 1M lines)")
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the dashboard's data too")
    parser.add_argument("--reuse", action="store_true", help="keep the inbox's data already generated")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "inbox.json"))
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to TRUNCATE database {name!r}; point DATABASE_URL at a *bench* database")
    log(f"database {name}: migrating")
    call_command("migrate", verbosity=0)
    report: dict = {"database": name}
    if args.regenerate or not ContractLine.objects.exists():
        log(f"generating the dashboard's data (scale {args.scale})")
        report["generated"] = generate(args.scale)
    if not args.reuse or not Quote.objects.exists():
        log("generating the inbox's data")
        report["generated_inbox"] = generate_inbox(args.scale)
        log(f"generated: {report['generated_inbox']}")
    report["load_average"] = os.getloadavg()
    log(f"load average {report['load_average'][0]:.1f} on {os.cpu_count()} cores (timings include waiting for a CPU)")
    report["results"] = measure(args.requests)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    badge = [r for r in report["results"] if r["scenario"].startswith("badge")]
    log(f"worst badge p95: {max(r['p95_ms'] for r in badge):.1f} ms (goal <= 50 ms)")
    log(f"written to {out}")


if __name__ == "__main__":
    main()
