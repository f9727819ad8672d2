"""Dashboard benchmark: a large company generated with COPY, then the dashboard's median and p95 latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench python bench/dashboard.py
    python bench/dashboard.py --reuse            # keep the generated data, only measure
    python bench/dashboard.py --scale 0.05       # a quick run on 5 % of the data

Default size: 10 units, 200 salespeople, 100,000 customers, ~250,000 contracts with 1,000,000 order lines over
three years, shipments, payments (some left unpaid, so receivables age), 300,000 contact-log entries, a year of
daily reports and targets. The data is written with PostgreSQL COPY (every column of every model, including
columns other apps add later, is filled from the model's defaults), then the summary tables are rebuilt (as the
Celery beat task does) and each scenario is requested through the full Django stack (middleware, session,
serialisation) with the test client.

It TRUNCATEs the CRM's tables: it refuses to run unless the database name contains "bench".
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
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench")
os.environ["DEBUG"] = "false"  # no query log, as in production

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, SalesUnit, User  # noqa: E402
from bench.names import customer_name, customer_row_keys  # noqa: E402
from customers.models import ContactLog, Customer  # noqa: E402
from reports.calendar import policy_for, report_deadline  # noqa: E402
from reports.models import DailyReport, Dimension, Target, TargetLine  # noqa: E402
from reports.periods import add_months, month_start  # noqa: E402
from sales.models import Contract, ContractLine, Payment, Product, Shipment  # noqa: E402

TPE = ZoneInfo("Asia/Taipei")
REGIONS = ["台北", "新北", "桃園", "新竹", "台中", "台南", "高雄", "花蓮"]
CATEGORIES = ["馬達", "變頻器", "減速機", "控制器", "感測器"]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Copier:
    """COPY rows into a model's table; columns the generator does not set take the model's defaults."""

    def __init__(self, model: type[models.Model], given: list[str]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.given = given
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if f.attname in given:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()  # the declared default, or "" for text columns, or None
            if value is None and not f.null:
                raise SystemExit(
                    f"bench: no value for required column {model.__name__}.{f.name}; teach bench/dashboard.py"
                )
            self.defaults[f.attname] = f.get_db_prep_save(value, connection)
        self.order = [f.attname for f in self.fields]
        self.positions = [given.index(a) if a in given else None for a in self.order]

    def copy(self, rows) -> int:
        table = self.model._meta.db_table
        cols = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        n = 0
        defaults = [self.defaults.get(a) for a in self.order]
        with connection.cursor() as cur:
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[p] if p is not None else defaults[i] for i, p in enumerate(self.positions)])
                    n += 1
        return n


def reset_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cur:
        for model in models_:
            table = model._meta.db_table
            pk = model._meta.pk.column
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), COALESCE(MAX({pk}), 1)) FROM {table}"
            )


def generate(scale: float, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    n_units, per_unit = 10, max(2, round(20 * min(1, scale * 4) if scale < 0.25 else 20))
    n_customers = int(100_000 * scale)
    n_lines = int(1_000_000 * scale)
    n_logs = int(300_000 * scale)
    tables = [
        DailyReport, TargetLine, Target, Payment, Shipment, ContractLine, Contract, Product, ContactLog, Customer,
        User, SalesUnit,
    ]  # fmt: skip
    with connection.cursor() as cur:
        names = ", ".join(m._meta.db_table for m in tables)
        cur.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    counts: dict[str, int] = {}
    started = time.monotonic()

    # Units, people.
    unit_ids = list(range(1, n_units + 1))
    counts["units"] = Copier(SalesUnit, ["id", "code", "name", "name_en"]).copy(
        (i, f"b{i:02d}", f"業務{i}部", f"Sales {i}") for i in unit_ids
    )
    password = make_password("pw")
    joined = timezone.now() - dt.timedelta(days=3 * 366)
    people = []
    uid = 0
    for unit in unit_ids:
        uid += 1
        people.append((uid, f"bmgr{unit:02d}", f"主管{unit}", Role.MANAGER, unit))
    salespeople = []
    for unit in unit_ids:
        for k in range(per_unit):
            uid += 1
            people.append((uid, f"bsp{unit:02d}{k:02d}", f"業務員{unit}-{k}", Role.SALESPERSON, unit))
            salespeople.append((uid, unit))
    uid += 1
    people.append((uid, "bgm", "總經辦", Role.GM_OFFICE, None))
    gm_id = uid
    uid += 1
    people.append((uid, "bfin", "財務", Role.FINANCE, None))
    finance_id = uid
    counts["users"] = Copier(
        User, ["id", "username", "full_name", "role", "unit_id", "password", "is_active", "date_joined", "language"]
    ).copy((i, u, n, r, un, password, True, joined, "zh-hant") for i, u, n, r, un in people)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {SalesUnit._meta.db_table} SET manager_id = id WHERE id <= %s",
            [n_units],
        )
    owner_unit = dict(salespeople)

    # Products.
    n_products = 500
    prices = {p: Decimal(rng.randrange(500, 60_000, 10)) for p in range(1, n_products + 1)}
    counts["products"] = Copier(Product, ["id", "code", "name", "name_en", "category", "is_active"]).copy(
        (p, f"BP{p:04d}", f"產品{p}", f"Product {p}", CATEGORIES[p % len(CATEGORIES)], True) for p in prices
    )

    # Customers.
    sp_ids = [s for s, _u in salespeople]
    customer_owner = {}

    def customers():
        # Searchable names and keys, as the services store them (bench/names.py; bench/search.py measures them).
        for c in range(1, n_customers + 1):
            owner = sp_ids[c % len(sp_ids)]
            customer_owner[c] = owner
            registered = timezone.now() - dt.timedelta(days=rng.randint(0, 4 * 365), minutes=rng.randint(0, 1440))
            name = customer_name(rng, c)
            phone, digits, text, sound = customer_row_keys(name, c)
            yield (c, name, "", f"{50_000_000 + c:08d}", REGIONS[c % len(REGIONS)],
                   "active", owner, owner_unit[owner], registered, phone, digits, text, sound)  # fmt: skip

    counts["customers"] = Copier(
        Customer,
        ["id", "name", "short_name", "tax_id", "region", "status", "owner_id", "unit_id", "registered_at", "phone",
         "phone_digits", "search_text", "search_phonetic"],
    ).copy(customers())  # fmt: skip
    log(f"people, products, customers: {time.monotonic() - started:.1f}s")

    # Contracts, lines, shipments, payments.
    contracts, lines, shipments, payments = [], [], [], []
    first_day = add_months(month_start(today), -35)
    span = (today - first_day).days
    cid = lid = 0
    while lid < n_lines:
        cid += 1
        customer = rng.randint(1, n_customers)
        owner = customer_owner[customer]
        r = rng.random()
        status = (
            "filed"
            if r < 0.6
            else "signed"
            if r < 0.88
            else "draft"
            if r < 0.93
            else "in_review"
            if r < 0.96
            else "cancelled"
        )
        signed = (
            first_day + dt.timedelta(days=rng.randint(0, span)) if status in ("filed", "signed", "cancelled") else None
        )
        amount = Decimal(0)
        for _ in range(rng.randint(1, 7)):
            lid += 1
            product = rng.randint(1, n_products)
            std = prices[product]
            unit_price = (std * Decimal(rng.randint(90, 120)) / 100).quantize(Decimal("0.01"))
            qty = Decimal(rng.randint(1, 20))
            amount += unit_price * qty
            lines.append((lid, cid, product, qty, unit_price, std))
        retention = (amount * Decimal("0.05")).quantize(Decimal("0.01")) if rng.random() < 0.2 else Decimal(0)
        contracts.append((cid, f"B{cid:08d}", customer, owner, owner_unit[owner], status, signed, amount, retention))
        if status in ("filed", "signed") and signed is not None:
            shipped = signed + dt.timedelta(days=rng.randint(3, 30))
            if shipped <= today:
                shipments.append((len(shipments) + 1, cid, shipped))
                due = amount - retention
                r = rng.random()
                paid_share = Decimal(1) if r < 0.85 else Decimal("0.5") if r < 0.95 else Decimal(0)
                if paid_share:
                    paid_on = shipped + dt.timedelta(days=rng.randint(10, 90))
                    if paid_on <= today:
                        payments.append((len(payments) + 1, cid, paid_on, (due * paid_share).quantize(Decimal("0.01")),
                                         "final", finance_id))  # fmt: skip
                if retention and rng.random() < 0.5:
                    paid_on = shipped + dt.timedelta(days=365)
                    if paid_on <= today:
                        payments.append((len(payments) + 1, cid, paid_on, retention, "retention", finance_id))
    counts["contracts"] = Copier(
        Contract,
        ["id", "number", "customer_id", "owner_id", "unit_id", "status", "signed_on", "amount", "retention_amount"],
    ).copy(contracts)
    counts["order_lines"] = Copier(
        ContractLine, ["id", "contract_id", "product_id", "quantity", "unit_price", "standard_price"]
    ).copy(lines)
    counts["shipments"] = Copier(Shipment, ["id", "contract_id", "shipped_on"]).copy(shipments)
    counts["payments"] = Copier(Payment, ["id", "contract_id", "paid_on", "amount", "kind", "recorded_by_id"]).copy(
        p for p in payments if p[3] > 0
    )
    del contracts, lines, shipments, payments
    log(f"contracts and lines: {time.monotonic() - started:.1f}s")

    # Contact log over the last year.
    kinds = ["visit", "visit", "call", "call", "message"]

    def logs():
        for i in range(1, n_logs + 1):
            customer = rng.randint(1, n_customers)
            when = timezone.now() - dt.timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 600))
            yield (i, customer, customer_owner[customer], rng.choice(kinds), when, "拜訪", "客戶有興趣")

    # The row trigger that keeps customers.last_contact_at updates one customer per log (millions of updates of
    # a table with GIN indexes at scale 10): off during the COPY, then every customer's latest contact in one go.
    log_table, customer_table = ContactLog._meta.db_table, Customer._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {log_table} DISABLE TRIGGER USER")
    counts["contact_logs"] = Copier(
        ContactLog, ["id", "customer_id", "author_id", "kind", "happened_at", "purpose", "outcome"]
    ).copy(logs())
    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {log_table} ENABLE TRIGGER USER")
        cur.execute(
            f"UPDATE {customer_table} c SET last_contact_at = m.latest FROM ("
            f" SELECT customer_id, MAX(happened_at) AS latest FROM {log_table} GROUP BY customer_id) m"
            " WHERE c.id = m.customer_id"
        )
    log(f"contact logs: {time.monotonic() - started:.1f}s")

    # A year of daily reports (about nine in ten working days, a few late).
    policy = policy_for(today)  # read before the COPY: no other query may run on the connection during it

    def reports():
        rid = 0
        day = today - dt.timedelta(days=365)
        while day < today:
            if day.weekday() < 5:
                deadline = report_deadline(day, policy)
                for sp, unit in salespeople:
                    if rng.random() < 0.9:
                        rid += 1
                        late = rng.random() < 0.05
                        submitted = deadline + dt.timedelta(hours=2) if late else deadline - dt.timedelta(hours=15)
                        yield (rid, sp, unit, day, "拜訪客戶 2 家", "取得報價需求", submitted, deadline, 2, 3)
            day += dt.timedelta(days=1)

    counts["daily_reports"] = Copier(
        DailyReport,
        ["id", "author_id", "unit_id", "date", "activities", "results", "submitted_at", "deadline", "visits_count",
         "calls_count"],
    ).copy(reports())  # fmt: skip

    # Targets: each unit's year and month, split by salesperson.
    year = dt.date(today.year, 1, 1)
    tid = tlid = 0
    targets, tlines = [], []
    for unit in unit_ids:
        members = [s for s, u in salespeople if u == unit]
        for ptype, start, per in (("year", year, Decimal(9_000_000)), ("month", month_start(today), Decimal(750_000))):
            tid += 1
            targets.append((tid, unit, ptype, start, per * len(members), unit))
            for sp in members:
                tlid += 1
                tlines.append((tlid, tid, Dimension.SALESPERSON, sp, per))
    Copier(Target, ["id", "unit_id", "period_type", "period_start", "amount", "created_by_id"]).copy(targets)
    Copier(TargetLine, ["id", "target_id", "dimension", "salesperson_id", "amount"]).copy(tlines)
    reset_sequences(SalesUnit, User, Product, Customer, Contract, ContractLine, Shipment, Payment, ContactLog,
                    DailyReport, Target, TargetLine)  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # as autovacuum leaves live tables: visibility map set, no GIN pending list
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["gm_id"] = gm_id
    return counts


def measure(requests: int, cache_seconds: int, only: str = "") -> list[dict]:
    """Each scenario `requests` times. cache_seconds=0 recomputes the figures on every request (the real work);
    otherwise the per-user cache answers after the first request, as in production between two refreshes."""
    results = []
    gm = User.objects.get(username="bgm")
    manager = User.objects.filter(role=Role.MANAGER).order_by("id").first()
    salesperson = User.objects.filter(role=Role.SALESPERSON).order_by("id").first()
    last_year = timezone.localdate().year - 1
    scenarios = [
        ("gm, company, month (API)", gm, "/api/v1/dashboard/?period=month"),
        ("gm, company, year (API)", gm, "/api/v1/dashboard/?period=year"),
        ("manager, unit, month (API)", manager, "/api/v1/dashboard/?period=month"),
        ("salesperson, own, month (API)", salesperson, "/api/v1/dashboard/?period=month"),
        ("gm, company, month (page)", gm, "/reports/?period=month"),
        ("gm, drill to a unit, quarter (page)", gm, f"/reports/?unit={manager.unit_id}&period=quarter"),
        ("manager, unit, year (page)", manager, "/reports/?period=year"),
        ("salesperson, own, month (page)", salesperson, "/reports/"),
        # Statistics over time: a past year (as of its 31 December) beside the year before it, with breakdowns.
        ("gm, company, past year + YoY (API)", gm, f"/api/v1/dashboard/?period=year&on={last_year}"),
        ("gm, company, past year + YoY (page)", gm, f"/reports/?period=year&on={last_year}"),
        ("manager, unit, past quarter + YoY (page)", manager, f"/reports/?period=quarter&on={last_year}-Q2"),
        ("salesperson, own, past month + YoY (API)", salesperson, f"/api/v1/dashboard/?period=month&on={last_year}-03"),
    ]
    scenarios = [s for s in scenarios if only in s[0]]
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages, REPORTS_DASHBOARD_CACHE_SECONDS=cache_seconds):
        for label, user, url in scenarios:
            client = Client()
            client.force_login(user)
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            timings = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            timings.sort()
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            row = {"scenario": label, "cache": bool(cache_seconds), "n": len(timings)}
            row["median_ms"] = round(statistics.median(timings), 1)
            row["p95_ms"], row["max_ms"] = round(p95, 1), round(timings[-1], 1)
            results.append(row)
            mode = "cached" if cache_seconds else "computed"
            log(f"{mode:<9}{label:<40} median {row['median_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the default size (1.0 = 1M lines)")
    parser.add_argument("--requests", type=int, default=60, help="requests per scenario")
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "dashboard.json"))
    parser.add_argument("--only", default="", help="measure only the scenarios whose name contains this text")
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"bench: refusing to TRUNCATE database {name!r}; point DATABASE_URL at a *bench* database")
    log(f"database {name}: migrating")
    call_command("migrate", verbosity=0)
    report: dict = {"database": name}
    if not args.reuse or not ContractLine.objects.exists():
        log(f"generating (scale {args.scale})")
        report["generated"] = generate(args.scale)
        log(f"generated: {report['generated']}")
    from reports.services import summary_refresh

    t0 = time.monotonic()
    state = summary_refresh()
    report["summary_full_refresh_s"] = round(time.monotonic() - t0, 2)
    log(f"summary refresh, all history: {report['summary_full_refresh_s']}s")
    report["sizes"] = {
        "salespeople": User.objects.filter(role=Role.SALESPERSON).count(),
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "order_lines": ContractLine.objects.count(),
    }
    log(f"sizes: {report['sizes']}  (summary refreshed at {state.refreshed_at:%H:%M:%S})")
    report["results"] = measure(args.requests, cache_seconds=0, only=args.only) + measure(
        args.requests, cache_seconds=120, only=args.only
    )
    t0 = time.monotonic()
    summary_refresh(since=add_months(month_start(timezone.localdate()), -1))
    report["summary_recent_refresh_s"] = round(time.monotonic() - t0, 2)
    log(f"summary refresh, current and previous month (Celery every 10 min): {report['summary_recent_refresh_s']}s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    for cached in (False, True):
        worst = max(r["p95_ms"] for r in report["results"] if r["cache"] == cached)
        log(f"worst p95, {'cached' if cached else 'computed'}: {worst:.1f} ms (goal < 150 ms)")
    log(f"written to {out}")


if __name__ == "__main__":
    main()
