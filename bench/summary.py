"""Summary refresh benchmark: the dashboard's summary tables rebuilt in full, then after a day's changes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_summary python bench/summary.py
    python bench/summary.py --reuse            # keep the generated data (a previous run's day stays in it)
    python bench/summary.py --scale 0.05       # a quick run on 5 % of the data
    python bench/summary.py --reuse --verify   # also check the incremental tables equal a full rebuild

The company is bench/dashboard.py's (100,000 customers, ~250,000 contracts, 1,000,000 order lines over three years
at scale 1.0). After a full refresh (the first one ever, or `refresh_dashboard_full` with since="all") it records a
day of work the way the services do (model saves, so `updated_at` moves and customers' history is written): new
contracts with order lines signed today, shipments, payments on older contracts, approved returns of goods sold
months ago, a cancelled contract and a corrected amount in old months, new and edited customers (a few handed to
another salesperson), contact logs and the day's daily reports. Then it times the incremental refresh (the nightly
task; what the ten-minute task runs too) and prints the months it rebuilt.

It TRUNCATEs the CRM's tables when generating: it refuses to run unless the database name contains "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_summary")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.dashboard import generate, log  # noqa: E402
from customers.models import ContactLog, Customer  # noqa: E402
from reports.calendar import policy_for, report_deadline  # noqa: E402
from reports.models import (  # noqa: E402
    ComplianceMonthly,
    CustomerSalesMonthly,
    DailyReport,
    PerformanceMonthly,
    ReceivableAgeSummary,
    ReceivableSnapshot,
    SalesBreakdownMonthly,
    TopCustomerSummary,
)
from reports.periods import add_months, month_start  # noqa: E402
from sales.models import Contract, ContractLine, Payment, Product, SalesReturn, Shipment  # noqa: E402

SUMMARY_MODELS = [
    PerformanceMonthly,
    CustomerSalesMonthly,
    SalesBreakdownMonthly,
    TopCustomerSummary,
    ReceivableSnapshot,
    ReceivableAgeSummary,
    ComplianceMonthly,
]


def ensure_customer_history() -> int:
    """Customers created through the services have a creation row in their history; COPY wrote none."""
    table = Customer.history.model._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if cur.fetchone()[0]:
            return 0
        cols = [f.column for f in Customer.history.model._meta.concrete_fields if not f.name.startswith("history_")]
        names = ", ".join(cols)
        cur.execute(
            f"INSERT INTO {table} ({names}, history_date, history_type) "
            f"SELECT {names}, registered_at, '+' FROM {Customer._meta.db_table}"
        )
        return cur.rowcount


@transaction.atomic
def a_day_of_changes(seed: int) -> dict[str, int]:
    """What a company of this size records in one working day, written as the services write it (saves)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    done: dict[str, int] = {}
    salespeople = list(User.objects.filter(role=Role.SALESPERSON).values_list("id", "unit_id"))
    finance = User.objects.filter(role=Role.FINANCE).values_list("id", flat=True).first()
    manager_of = dict(User.objects.filter(role=Role.MANAGER).values_list("unit_id", "id"))
    max_customer = Customer.objects.order_by("-id").values_list("id", flat=True).first()
    products = list(Product.objects.values_list("id", "code"))

    # New customers registered today, and edits of existing ones (a phone number; a few handed to a colleague).
    for i in range(50):
        owner, unit = rng.choice(salespeople)
        Customer.objects.create(name=f"今日新客戶{seed}-{i}", owner_id=owner, unit_id=unit, status="prospect")
    done["new_customers"] = 50
    for i, customer in enumerate(Customer.objects.filter(id__in=rng.sample(range(1, max_customer), 40))):
        customer.phone = f"02-2{rng.randrange(10**6, 10**7)}"
        if i < 3:
            customer.owner_id, customer.unit_id = rng.choice(salespeople)  # reassigned (公海 or a GM decision)
        customer.save()
    done["edited_customers"], done["reassigned_customers"] = 40, 3

    # Contracts signed today with their order lines; shipments of recent contracts.
    customers = list(
        Customer.objects.filter(id__in=rng.sample(range(1, max_customer), 300)).values_list("id", "owner_id", "unit_id")
    )
    n_lines = 0
    for k, (customer_id, owner, unit) in enumerate(customers):
        if owner is None:
            continue
        contract = Contract.objects.create(
            number=f"D{seed:04d}{k:05d}", customer_id=customer_id, owner_id=owner, unit_id=unit,
            status="signed", signed_on=today, amount=Decimal(0),
        )  # fmt: skip
        amount = Decimal(0)
        lines = []
        for position in range(rng.randint(1, 7)):
            product, _code = rng.choice(products)
            price, qty = Decimal(rng.randrange(500, 60_000, 10)), Decimal(rng.randint(1, 20))
            lines.append(ContractLine(contract=contract, product_id=product, quantity=qty, unit_price=price,
                                      standard_price=price, list_price=price, position=position))  # fmt: skip
            amount += price * qty
        ContractLine.objects.bulk_create(lines)
        n_lines += len(lines)
        contract.amount = amount
        contract.save()
    done["new_contracts"], done["new_order_lines"] = len(customers), n_lines
    recent = list(
        Contract.objects.filter(status__in=["signed", "filed"], signed_on__gte=today - dt.timedelta(days=30))
        .exclude(shipments__isnull=False)
        .values_list("id", flat=True)[:100]
    )
    for contract_id in recent:
        Shipment.objects.create(contract_id=contract_id, shipped_on=today)
    done["shipments"] = len(recent)

    # Payments received today on older contracts that still owe something.
    paid = Payment.objects.filter(contract=models_outer_ref()).values("contract")
    owing = list(
        Contract.objects.filter(status__in=["signed", "filed"], signed_on__lt=today - dt.timedelta(days=60))
        .exclude(id__in=paid)
        .filter(shipments__isnull=False)
        .values_list("id", "amount", "retention_amount")
        .distinct()[:400]
    )
    for contract_id, amount, retention in owing:
        Payment.objects.create(contract_id=contract_id, paid_on=today, amount=max(amount - retention, Decimal(1)),
                               kind="final", recorded_by_id=finance)  # fmt: skip
    done["payments"] = len(owing)

    # Goods sold months ago returned and approved today (a negative sale this month, a credit on the receivable).
    old_lines = list(
        ContractLine.objects.filter(
            contract__status__in=["signed", "filed"],
            contract__signed_on__range=(add_months(today, -14), add_months(today, -2)),
            contract__shipments__isnull=False,
        ).values_list("id", "contract_id", "contract__unit_id", "quantity", "unit_price")[:8]
    )
    for line_id, contract_id, unit_id, qty, price in old_lines:
        SalesReturn.objects.create(contract_id=contract_id, contract_line_id=line_id, quantity=Decimal(1),
                                   amount=min(price, price * qty), reason="瑕疵", returned_on=today,
                                   status="approved", requested_by_id=manager_of.get(unit_id, finance),
                                   decided_by_id=manager_of.get(unit_id, finance), decided_on=today)  # fmt: skip
    done["returns"] = len(old_lines)

    # Corrections in old months: a contract cancelled (signed 14 months ago), an amount corrected (8 months ago).
    for months_back, change in ((14, "cancel"), (8, "amount")):
        start = add_months(month_start(today), -months_back)
        contract = Contract.objects.filter(status="signed", signed_on__gte=start, signed_on__lt=add_months(start, 1))
        contract = contract.order_by("id").first()
        if contract is None:
            continue
        if change == "cancel":
            contract.status = "cancelled"
        else:
            contract.amount += Decimal("100.00")
        contract.save()
    done["old_contract_corrections"] = 2

    # Contact logs of the day, and the day's daily reports.
    logs = list(Customer.objects.filter(id__in=rng.sample(range(1, max_customer), 600)).values_list("id", "owner_id"))
    for customer_id, owner in logs:
        author = owner or rng.choice(salespeople)[0]
        when = now - dt.timedelta(minutes=rng.randint(0, 480))
        ContactLog.objects.create(customer_id=customer_id, author_id=author, kind=rng.choice(["visit", "call"]),
                                  happened_at=when, purpose="拜訪")  # fmt: skip
    done["contact_logs"] = len(logs)
    deadline = report_deadline(today, policy_for(today))
    written = 0
    for sp, unit in salespeople:
        if rng.random() < 0.9 and not DailyReport.objects.filter(author_id=sp, date=today).exists():
            DailyReport.objects.create(author_id=sp, unit_id=unit, date=today, activities="拜訪客戶", submitted_at=now,
                                       deadline=deadline, visits_count=2, calls_count=3)  # fmt: skip
            written += 1
    done["daily_reports"] = written
    return done


def models_outer_ref():
    from django.db.models import OuterRef

    return OuterRef("pk")


def snapshot() -> dict[str, list]:
    """Every summary row (without ids), sorted, to compare two refreshes."""
    rows = {}
    for model in SUMMARY_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return rows


class StepLog(logging.Handler):
    """Keeps the steps of each summary refresh (reports.services.summaries logs them)."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.steps.append(record.args[1] if isinstance(record.args, tuple) else record.getMessage())


def main() -> None:
    steps = StepLog()
    logging.getLogger("reports.services.summaries").addHandler(steps)
    logging.getLogger("reports.services.summaries").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the default size (1.0 = 1M lines)")
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated")
    parser.add_argument("--verify", action="store_true", help="compare the incremental tables to a full rebuild")
    parser.add_argument("--skip-full", action="store_true", help="start from the last refresh (a --reuse rerun)")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "summary.json"))
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
    log(f"customer history rows written: {ensure_customer_history()}")
    from reports.services import summary_refresh, summary_refresh_incremental
    from reports.services.summaries import cells_touched

    if not args.skip_full:
        t0 = time.monotonic()
        summary_refresh()
        report["full_refresh_s"] = round(time.monotonic() - t0, 2)
        report["full_refresh_steps"] = steps.steps[-1]
        log(f"full refresh (all history): {report['full_refresh_s']} s {report['full_refresh_steps']}")
    # What autovacuum does after a rebuild rewrote the tables (it is off on some benchmark machines: without it the
    # dead rows of every full rebuild slow each later scan).
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {', '.join(m._meta.db_table for m in SUMMARY_MODELS)}")
    report["sizes"] = {
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "order_lines": ContractLine.objects.count(),
        "payments": Payment.objects.count(),
        "contact_logs": ContactLog.objects.count(),
        "daily_reports": DailyReport.objects.count(),
    }
    log(f"sizes: {report['sizes']}")

    time.sleep(1)  # the day's changes come after the refresh (its time is the change-tracking mark)
    seed = int(time.time()) % 10_000
    report["day"] = a_day_of_changes(seed)
    log(f"a day's changes: {report['day']}")
    t0 = time.monotonic()
    cells = cells_touched()
    plan = None if cells is None else {m for m, _owner in cells}
    report["cells_rebuilt"] = None if cells is None else len(cells)
    report["months_touched_s"] = round(time.monotonic() - t0, 2)
    report["months_rebuilt"] = [str(m) for m in sorted(plan)] if plan is not None else "all"
    t0 = time.monotonic()
    summary_refresh_incremental()
    report["incremental_refresh_s"] = round(time.monotonic() - t0, 2)
    report["incremental_refresh_steps"] = steps.steps[-1]
    log(f"incremental refresh after the day: {report['incremental_refresh_s']} s {steps.steps[-1]}")
    log(f"months rebuilt: {report['months_rebuilt']}, {report['cells_rebuilt']} (month, salesperson) cells")
    log(f"  (found in {report['months_touched_s']} s)")
    if args.verify:
        incremental = snapshot()
        summary_refresh()
        full = snapshot()
        report["incremental_equals_full"] = incremental == full
        diff = [k for k in full if incremental[k] != full[k]]
        log(f"incremental == full rebuild: {incremental == full} {diff or ''}")
    t0 = time.monotonic()
    summary_refresh(since=add_months(month_start(timezone.localdate()), -1))
    report["recent_refresh_s"] = round(time.monotonic() - t0, 2)
    report["recent_refresh_steps"] = steps.steps[-1]
    log(f"current and previous month (since the previous month's start): {report['recent_refresh_s']} s")
    log(f"  steps: {steps.steps[-1]}")
    with open("/proc/loadavg") as f:
        report["loadavg"] = f.read().split()[:3]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    log(f"written to {out}")


if __name__ == "__main__":
    main()
