"""Every write of the reports app. Keyword-only, typed, atomic; read-then-write takes row locks."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, SalesUnit, User
from core.exceptions import ApplicationError
from core.money import round_money
from customers.models import Customer
from sales.models import Product

from .calendar import WorkingCalendar, local_tz, policy_for, report_deadline
from .models import (
    ComplianceMonthly,
    CustomerSalesMonthly,
    DailyReport,
    Dimension,
    Evaluation,
    Forecast,
    PerformanceMonthly,
    PeriodType,
    Plan,
    PlanKind,
    ReceivableAgeSummary,
    ReceivableSnapshot,
    ReportComment,
    ReportPolicy,
    SettlementMethod,
    SummaryState,
    Target,
    TargetLine,
    TopCustomerSummary,
    VisitRoute,
)
from .periods import normalise_start, period_bounds
from .selectors.prefill import contact_counts

REPORT_TEXT_FIELDS = (
    "activities",
    "results",
    "problems",
    "market_notes",
    "plan_tomorrow",
    "competitor",
    "competitor_product",
    "market_trend",
)


# --------------------------------------------------------------------------------------------------------------
# Daily reports
# --------------------------------------------------------------------------------------------------------------
def _create_row(model, key: dict[str, Any], defaults: dict[str, Any]):
    """Insert the row for `key` and lock it; if a concurrent request inserted it first (unique constraint), lock
    theirs instead. Either way the caller continues with a locked row, and two requests never give a 500."""
    try:
        with transaction.atomic():
            row = model.objects.create(**key, **defaults)
    except IntegrityError:
        pass
    else:
        return model.objects.select_for_update().get(pk=row.pk)
    return model.objects.select_for_update().get(**key)


def can_review(*, actor: User, report: DailyReport) -> bool:
    """Managers review their team's reports; the GM office and admins any; nobody reviews their own."""
    if actor.pk == report.author_id:
        return False
    if actor.is_manager:
        return report.unit_id in actor.team_unit_ids
    return actor.is_superuser or actor.role in (Role.GM_OFFICE, Role.ADMIN)


@transaction.atomic
def daily_report_save(
    *,
    author: User,
    date: dt.date,
    data: dict[str, Any],
    submit: bool,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Create or update `author`'s report of `date`; `submit` files it. Refused after the cut-off.

    The visit and call counts always come from the contact log of that day, never from the form."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    if date > today:
        raise ApplicationError(_("A report cannot be written for a future day."), field="date", code="future")
    if author.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit, so you cannot file reports."), code="no_unit")
    price = data.get("competitor_price")
    if price not in (None, ""):
        try:
            price = round_money(Decimal(str(price)))
        except (InvalidOperation, TypeError, ValueError):
            raise ApplicationError(_("Enter a valid price."), field="competitor_price", code="invalid") from None
        if price < 0:
            raise ApplicationError(_("A price cannot be negative."), field="competitor_price", code="negative")
    else:
        price = None

    report = DailyReport.objects.select_for_update().filter(author=author, date=date).first()
    if report is None:
        deadline = report_deadline(date, policy_for(date))
        if now > deadline:
            raise ApplicationError(
                _("The cut-off for the report of %(date)s has passed (%(deadline)s).")
                % {"date": date, "deadline": timezone.localtime(deadline, local_tz()).strftime("%Y-%m-%d %H:%M")},
                field="date",
                code="locked",
            )
        report = _create_row(
            DailyReport,
            {"author": author, "date": date},
            {"unit_id": author.unit_id, "deadline": deadline},
        )
    elif report.is_locked(now):
        raise ApplicationError(_("This report is locked: the cut-off has passed."), code="locked")
    for name in REPORT_TEXT_FIELDS:
        if name in data:
            setattr(report, name, (data.get(name) or "").strip())
    if "competitor_price" in data:
        report.competitor_price = price
    counts = contact_counts(author=author, day=date)
    report.visits_count, report.calls_count = counts.get("visit", 0), counts.get("call", 0)
    if submit and report.submitted_at is None:
        if not (report.activities or report.results):
            raise ApplicationError(
                _("Write at least your visits and calls or your results before filing."), field="results", code="empty"
            )
        report.submitted_at = now
    report.save()
    return report


@transaction.atomic
def daily_report_review(*, report: DailyReport, actor: User, comment: str = "") -> DailyReport:
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    if not can_review(actor=actor, report=report):
        raise ApplicationError(_("Only the unit's manager can review this report."), code="forbidden")
    if report.submitted_at is None:
        raise ApplicationError(_("The report has not been filed yet."), code="not_submitted")
    if comment.strip():
        ReportComment.objects.create(report=report, author=actor, body=comment.strip())
    if report.reviewed_at is None:
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    return report


@transaction.atomic
def daily_report_comment(*, report: DailyReport, actor: User, body: str) -> ReportComment:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), field="body", code="required")
    if not DailyReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise ApplicationError(_("You cannot comment on this report."), code="forbidden")
    return ReportComment.objects.create(report=report, author=actor, body=body)


# --------------------------------------------------------------------------------------------------------------
# Plans, routes, forecasts
# --------------------------------------------------------------------------------------------------------------
@transaction.atomic
def plan_save(*, author: User, kind: str, period_start: dt.date, data: dict[str, Any]) -> Plan:
    if kind not in PlanKind.values:
        raise ApplicationError(_("Unknown plan kind."), field="kind")
    if author.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit, so you cannot write plans."), code="no_unit")
    start = normalise_start("week" if kind == PlanKind.WEEKLY else "month", period_start)
    goal = data.get("sales_goal")
    if goal not in (None, "") and Decimal(str(goal)) < 0:
        raise ApplicationError(_("A goal cannot be negative."), field="sales_goal", code="negative")
    plan = Plan.objects.select_for_update().filter(author=author, kind=kind, period_start=start).first()
    if plan is None:
        plan = _create_row(Plan, {"author": author, "kind": kind, "period_start": start}, {"unit_id": author.unit_id})
    for name in ("goals", "actions", "key_points_next"):
        if name in data:
            setattr(plan, name, (data.get(name) or "").strip())
    if "sales_goal" in data:
        plan.sales_goal = round_money(Decimal(str(goal))) if goal not in (None, "") else None
    if "visits_goal" in data:
        plan.visits_goal = data.get("visits_goal") or None
    plan.save()
    return plan


@transaction.atomic
def visit_route_set_day(*, owner: User, weekday: int, customer_ids: list[int], actor: User) -> list[VisitRoute]:
    """Replace the customers `owner` visits on `weekday` (in the given order). Only the owner's own customers."""
    if actor.pk != owner.pk and not (actor.is_manager and owner.unit_id in actor.team_unit_ids):
        raise ApplicationError(_("You cannot change this salesperson's routes."), code="forbidden")
    if not 0 <= int(weekday) <= 6:
        raise ApplicationError(_("Unknown weekday."), field="weekday")
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson belongs to no sales unit."), code="no_unit")
    ids = list(dict.fromkeys(int(i) for i in customer_ids))
    own = set(Customer.objects.filter(pk__in=ids, owner=owner).values_list("pk", flat=True))
    foreign = [i for i in ids if i not in own]
    if foreign:
        raise ApplicationError(
            _("Only the salesperson's own customers can be on the route."), field="customers", code="not_owner"
        )
    VisitRoute.objects.filter(owner=owner, weekday=weekday).delete()
    return VisitRoute.objects.bulk_create(
        [
            VisitRoute(owner=owner, unit_id=owner.unit_id, weekday=weekday, customer_id=cid, position=pos)
            for pos, cid in enumerate(ids)
        ]
    )


@transaction.atomic
def forecast_set(
    *, owner: User, month: dt.date, amount: Decimal, confidence: int = 50, note: str = "", actor: User
) -> Forecast:
    if actor.pk != owner.pk:
        raise ApplicationError(_("Only the salesperson keeps their own forecast."), code="forbidden")
    if owner.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit."), code="no_unit")
    amount = round_money(amount)
    if amount < 0:
        raise ApplicationError(_("A forecast cannot be negative."), field="amount", code="negative")
    if not 0 <= confidence <= 100:
        raise ApplicationError(_("Confidence is a percentage from 0 to 100."), field="confidence")
    forecast, _created = Forecast.objects.select_for_update().update_or_create(
        owner=owner,
        month=month.replace(day=1),
        defaults={"amount": amount, "confidence": confidence, "note": note.strip(), "unit_id": owner.unit_id},
    )
    return forecast


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------
def can_manage_targets(*, actor: User, unit: SalesUnit | None) -> bool:
    if actor.is_superuser or actor.role in (Role.ADMIN, Role.GM_OFFICE):
        return True
    return actor.is_manager and unit is not None and unit.pk in actor.team_unit_ids


@transaction.atomic
def target_save(
    *,
    actor: User,
    unit: SalesUnit | None,
    period_type: str,
    period_start: dt.date,
    amount: Decimal,
    quantity: Decimal | None = None,
    note: str = "",
) -> Target:
    """Create or update the target of a unit (or the company) for a period."""
    if period_type not in PeriodType.values:
        raise ApplicationError(_("Unknown period."), field="period_type")
    if not can_manage_targets(actor=actor, unit=unit):
        raise ApplicationError(_("You cannot set targets for this unit."), field="unit", code="forbidden")
    amount = round_money(amount)
    if amount < 0:
        raise ApplicationError(_("A target cannot be negative."), field="amount", code="negative")
    start = normalise_start(period_type, period_start)
    target = (
        Target.objects.select_for_update(of=("self",))
        .filter(unit=unit, period_type=period_type, period_start=start)
        .order_by()
        .first()
    )
    if target is None:
        target = _create_row(
            Target,
            {"unit": unit, "period_type": period_type, "period_start": start},
            {"created_by": actor, "amount": amount},
        )
    else:
        split = (
            TargetLine.objects.filter(target=target)
            .values("dimension")
            .annotate(total=Sum("amount"))
            .order_by("-total")
            .first()
        )
        if split and split["total"] > amount:
            raise ApplicationError(
                _("The split by %(dimension)s already adds up to %(total)s, more than %(amount)s.")
                % {"dimension": Dimension(split["dimension"]).label, "total": split["total"], "amount": amount},
                field="amount",
                code="below_split",
            )
    target.amount = amount
    target.quantity = quantity
    target.note = note
    target.save()
    return target


@dataclass(frozen=True)
class LineInput:
    key: str | int | None  # product code / region / customer id / salesperson id / settlement method
    amount: Decimal
    quantity: Decimal | None = None


def _resolve_key(*, target: Target, dimension: str, key, row_label: str) -> dict[str, Any]:
    unit = target.unit
    if dimension == Dimension.PRODUCT:
        product = Product.objects.filter(code=str(key).strip()).first()
        if product is None:
            raise ApplicationError(
                _("%(row)s: no product with code %(key)s.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"product": product}
    if dimension == Dimension.REGION:
        region = str(key or "").strip()
        if not region:
            raise ApplicationError(_("%(row)s: the region is empty.") % {"row": row_label}, field="lines")
        return {"region": region}
    if dimension == Dimension.CUSTOMER:
        qs = Customer.objects.all() if unit is None else Customer.objects.filter(unit=unit)
        customer = None
        if isinstance(key, int) or (str(key).isascii() and str(key).isdigit()):
            customer = qs.filter(pk=int(key)).first()
        if customer is None:
            customer = qs.filter(tax_id=str(key).strip()).first() or qs.filter(name=str(key).strip()).first()
        if customer is None:
            raise ApplicationError(
                _("%(row)s: no customer %(key)s in this unit.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"customer": customer}
    if dimension == Dimension.SALESPERSON:
        qs = User.objects.filter(is_active=True)
        if unit is not None:
            qs = qs.filter(unit=unit)
        person = None
        if isinstance(key, int) or (str(key).isascii() and str(key).isdigit()):
            person = qs.filter(pk=int(key)).first()
        if person is None:
            person = qs.filter(username=str(key).strip()).first()
        if person is None:
            raise ApplicationError(
                _("%(row)s: no salesperson %(key)s in this unit.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"salesperson": person}
    if dimension == Dimension.SETTLEMENT:
        method = str(key or "").strip()
        if method not in SettlementMethod.values:
            labels = {str(label): value for value, label in SettlementMethod.choices}
            method = labels.get(method, "")
        if not method:
            raise ApplicationError(
                _("%(row)s: unknown settlement method %(key)s.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"settlement_method": method}
    raise ApplicationError(_("Unknown split dimension."), field="dimension")


@transaction.atomic
def target_set_split(*, actor: User, target: Target, dimension: str, lines: list[LineInput]) -> list[TargetLine]:
    """Replace the target's split along one dimension. The parts may not exceed the whole; what is left over
    is shown as the unassigned remainder."""
    target = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
    if not can_manage_targets(actor=actor, unit=target.unit):
        raise ApplicationError(_("You cannot set targets for this unit."), code="forbidden")
    if dimension not in Dimension.values:
        raise ApplicationError(_("Unknown split dimension."), field="dimension")
    rows, seen, total = [], set(), Decimal("0")
    for n, line in enumerate(lines, start=1):
        label = _("Line %(n)s") % {"n": n}
        try:
            amount = round_money(Decimal(str(line.amount)))
        except (InvalidOperation, TypeError, ValueError):
            raise ApplicationError(_("%(row)s: enter a valid amount.") % {"row": label}, field="lines") from None
        if amount < 0:
            raise ApplicationError(_("%(row)s: an amount cannot be negative.") % {"row": label}, field="lines")
        fields = _resolve_key(target=target, dimension=dimension, key=line.key, row_label=label)
        ident = tuple((k, getattr(v, "pk", v)) for k, v in fields.items())
        if ident in seen:
            raise ApplicationError(_("%(row)s: listed twice.") % {"row": label}, field="lines", code="duplicate")
        seen.add(ident)
        total += amount
        rows.append(TargetLine(target=target, dimension=dimension, amount=amount, quantity=line.quantity, **fields))
    if total > target.amount:
        raise ApplicationError(
            _("The split adds up to %(total)s, more than the target %(amount)s.")
            % {"total": total, "amount": target.amount},
            field="lines",
            code="over_target",
        )
    TargetLine.objects.filter(target=target, dimension=dimension).delete()
    return TargetLine.objects.bulk_create(rows)


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


@transaction.atomic
def targets_import_xlsx(*, actor: User, file) -> dict[str, int]:
    """Import targets from a workbook: columns period_type, period_start, unit (code, empty = company),
    dimension (total / product / region / customer / salesperson / settlement), key, amount, quantity.
    'total' rows set the whole; the other rows replace that dimension's split. All or nothing: every error is
    collected and reported together, and nothing is saved."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(file, read_only=True, data_only=True).active
    except Exception as exc:
        raise ApplicationError(_("This is not an XLSX workbook."), field="file", code="bad_file") from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ApplicationError(_("The workbook is empty."), field="file")
    header = [str(c or "").strip().lower() for c in rows[0]]
    needed = ["period_type", "period_start", "unit", "dimension", "key", "amount"]
    missing = [c for c in needed if c not in header]
    if missing:
        raise ApplicationError(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}, field="file", code="columns"
        )
    col = {name: header.index(name) for name in header if name}
    units = {u.code: u for u in SalesUnit.objects.all()}
    totals: dict[tuple, tuple[Decimal, Decimal | None]] = {}
    splits: dict[tuple, dict[str, list[LineInput]]] = defaultdict(lambda: defaultdict(list))
    errors: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue

        def cell(name, row=row):
            i = col.get(name)
            return row[i] if i is not None and i < len(row) else None

        try:
            period_type = str(cell("period_type") or "").strip().lower()
            if period_type not in PeriodType.values:
                raise ValueError(_("unknown period %(p)s") % {"p": period_type})
            start = normalise_start(period_type, _parse_date(cell("period_start")))
            code = str(cell("unit") or "").strip()
            if code and code not in units:
                raise ValueError(_("unknown unit %(u)s") % {"u": code})
            dimension = str(cell("dimension") or "").strip().lower()
            if dimension != "total" and dimension not in Dimension.values:
                raise ValueError(_("unknown dimension %(d)s") % {"d": dimension})
            amount = Decimal(str(cell("amount")).strip())
            qty = cell("quantity")
            quantity = Decimal(str(qty)) if qty not in (None, "") else None
        except (ValueError, InvalidOperation, TypeError) as exc:
            errors.append(_("Row %(n)s: %(err)s") % {"n": n, "err": exc})
            continue
        key = (code, period_type, start)
        if dimension == "total":
            totals[key] = (amount, quantity)
        else:
            splits[key][dimension].append(LineInput(key=cell("key"), amount=amount, quantity=quantity))
    if errors:
        raise ApplicationError(" ".join(errors), field="file", code="rows", extra={"errors": errors})
    created = lines = 0
    for key in list(totals) + [k for k in splits if k not in totals]:
        code, period_type, start = key
        unit = units.get(code) if code else None
        try:
            if key in totals:
                amount, quantity = totals[key]
                target = target_save(
                    actor=actor,
                    unit=unit,
                    period_type=period_type,
                    period_start=start,
                    amount=amount,
                    quantity=quantity,
                )
                created += 1
            else:
                target = Target.objects.filter(unit=unit, period_type=period_type, period_start=start).first()
                if target is None:
                    raise ApplicationError(_("no total row and no existing target"))
            for dimension, items in splits.get(key, {}).items():
                lines += len(target_set_split(actor=actor, target=target, dimension=dimension, lines=items))
        except ApplicationError as exc:
            errors.append(f"{code or _('Company')} {period_type} {start}: {exc.message}")
    if errors:
        transaction.set_rollback(True)
        raise ApplicationError(" ".join(errors), field="file", code="rows", extra={"errors": errors})
    return {"targets": created, "lines": lines}


# --------------------------------------------------------------------------------------------------------------
# Evaluation feedback
# --------------------------------------------------------------------------------------------------------------
@transaction.atomic
def evaluation_give_feedback(
    *, actor: User, salesperson: User, period_type: str, period_start: dt.date, feedback: str
) -> Evaluation:
    """The manager's feedback on a salesperson's period; the figures of that moment are frozen with it."""
    from .selectors.evaluation import evaluation_figures

    if period_type not in PeriodType.values:
        raise ApplicationError(_("Unknown period."), field="period_type")
    allowed = (
        (actor.is_manager and salesperson.unit_id in actor.team_unit_ids)
        or actor.is_superuser
        or (actor.role in (Role.GM_OFFICE, Role.ADMIN))
    )
    if not allowed or actor.pk == salesperson.pk:
        raise ApplicationError(_("Only the salesperson's manager can give feedback."), code="forbidden")
    if not feedback.strip():
        raise ApplicationError(_("Write the feedback."), field="feedback", code="required")
    if salesperson.unit_id is None:
        raise ApplicationError(_("The salesperson belongs to no sales unit."), code="no_unit")
    start = normalise_start(period_type, period_start)
    figures = evaluation_figures(user_ids=[salesperson.pk], period_type=period_type, period_start=start)[salesperson.pk]
    evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
        salesperson=salesperson, period_type=period_type, period_start=start, defaults={"unit_id": salesperson.unit_id}
    )
    evaluation.feedback = feedback.strip()
    evaluation.feedback_by = actor
    evaluation.feedback_at = timezone.now()
    evaluation.figures = figures.as_json()
    evaluation.save()
    return evaluation


# --------------------------------------------------------------------------------------------------------------
# Summary tables
# --------------------------------------------------------------------------------------------------------------
SOLD_STATUSES = ("signed", "filed")
SUMMARY_LOCK_KEY = 7_246_001  # pg advisory lock id of the dashboard summary refresh


def _tables() -> dict[str, str]:
    from customers.models import ContactLog
    from sales.models import Contract, ContractLine, Payment, Shipment

    return {
        "perf": PerformanceMonthly._meta.db_table,
        "cust": CustomerSalesMonthly._meta.db_table,
        "recv": ReceivableSnapshot._meta.db_table,
        "top": TopCustomerSummary._meta.db_table,
        "age": ReceivableAgeSummary._meta.db_table,
        "comp": ComplianceMonthly._meta.db_table,
        "report": DailyReport._meta.db_table,
        "contract": Contract._meta.db_table,
        "line": ContractLine._meta.db_table,
        "payment": Payment._meta.db_table,
        "shipment": Shipment._meta.db_table,
        "log": ContactLog._meta.db_table,
        "customer": Customer._meta.db_table,
    }


@transaction.atomic
def summary_refresh(*, since: dt.date | None = None, today: dt.date | None = None) -> SummaryState:
    """Rebuild the dashboard's summary tables: every month from `since` (all history when None), and the open
    receivables. Runs in one transaction, so readers see either the old or the new figures, never half."""
    started = time.monotonic()
    t = _tables()
    since = (since or dt.date(1900, 1, 1)).replace(day=1)
    tz = str(local_tz())
    since_dt = dt.datetime.combine(since, dt.time()).replace(tzinfo=local_tz())
    overdue_months = policy_for(timezone.localdate()).overdue_after_months
    params = {"since": since, "since_dt": since_dt, "tz": tz, "sold": list(SOLD_STATUSES), "months": overdue_months}
    with connection.cursor() as cur:
        # One refresh at a time (the 10-minute and the nightly task may overlap): a second one waits here, then
        # starts from a fresh snapshot, so rows are never deleted by one and inserted twice.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SUMMARY_LOCK_KEY])
        cur.execute(f"DELETE FROM {t['perf']} WHERE month >= %(since)s", params)  # noqa: S608 - table names are ours
        cur.execute(f"DELETE FROM {t['cust']} WHERE month >= %(since)s", params)  # noqa: S608
        cur.execute(
            f"""
            WITH sold AS (
                SELECT c.id, c.owner_id, c.unit_id, c.customer_id, c.amount,
                       date_trunc('month', c.signed_on)::date AS month
                FROM {t["contract"]} c
                WHERE c.status = ANY(%(sold)s) AND c.signed_on >= %(since)s
            ), qty AS (
                SELECT l.contract_id, SUM(l.quantity) AS quantity
                FROM {t["line"]} l JOIN sold ON sold.id = l.contract_id GROUP BY l.contract_id
            ), cust AS (
                INSERT INTO {t["cust"]} (month, owner_id, unit_id, customer_id, amount, quantity)
                SELECT sold.month, sold.owner_id, sold.unit_id, sold.customer_id, SUM(sold.amount),
                       COALESCE(SUM(qty.quantity), 0)
                FROM sold LEFT JOIN qty ON qty.contract_id = sold.id
                GROUP BY 1, 2, 3, 4
                RETURNING month, owner_id, unit_id, amount, quantity
            ), facts AS (
                SELECT month, owner_id, unit_id, amount AS sa, quantity AS sq, 0 AS nc_contracts,
                       0::numeric AS col, 0 AS v, 0 AS ca, 0 AS nc
                FROM cust
                UNION ALL
                SELECT month, owner_id, unit_id, 0, 0, COUNT(*), 0, 0, 0, 0 FROM sold GROUP BY 1, 2, 3
                UNION ALL
                SELECT date_trunc('month', p.paid_on)::date, c.owner_id, c.unit_id, 0, 0, 0, SUM(p.amount), 0, 0, 0
                FROM {t["payment"]} p JOIN {t["contract"]} c ON c.id = p.contract_id
                WHERE p.paid_on >= %(since)s GROUP BY 1, 2, 3
                UNION ALL
                SELECT date_trunc('month', l.happened_at AT TIME ZONE %(tz)s)::date, l.author_id, cu.unit_id,
                       0, 0, 0, 0, COUNT(*) FILTER (WHERE l.kind = 'visit'), COUNT(*) FILTER (WHERE l.kind = 'call'), 0
                FROM {t["log"]} l JOIN {t["customer"]} cu ON cu.id = l.customer_id
                WHERE l.happened_at >= %(since_dt)s GROUP BY 1, 2, 3
                UNION ALL
                SELECT date_trunc('month', cu.registered_at AT TIME ZONE %(tz)s)::date, cu.owner_id, cu.unit_id,
                       0, 0, 0, 0, 0, 0, COUNT(*)
                FROM {t["customer"]} cu
                WHERE cu.owner_id IS NOT NULL AND cu.registered_at >= %(since_dt)s GROUP BY 1, 2, 3
            )
            INSERT INTO {t["perf"]} (month, owner_id, unit_id, sales_amount, sales_quantity, contracts, collected,
                                     visits, calls, new_customers)
            SELECT month, owner_id, unit_id, SUM(sa), SUM(sq), SUM(nc_contracts), SUM(col), SUM(v), SUM(ca), SUM(nc)
            FROM facts GROUP BY 1, 2, 3
            """,  # noqa: S608
            params,
        )
        cur.execute(f"DELETE FROM {t['recv']}")  # noqa: S608
        cur.execute(
            f"""
            INSERT INTO {t["recv"]} (contract_id, owner_id, unit_id, customer_id, due_on, outstanding)
            SELECT c.id, c.owner_id, c.unit_id, c.customer_id,
                   (s.first_ship + make_interval(months => %(months)s))::date,
                   c.amount - c.retention_amount - COALESCE(p.paid, 0)
            FROM {t["contract"]} c
            JOIN (SELECT contract_id, MIN(shipped_on) AS first_ship FROM {t["shipment"]} GROUP BY contract_id) s
                 ON s.contract_id = c.id
            LEFT JOIN (SELECT contract_id, SUM(amount) AS paid FROM {t["payment"]}
                       WHERE kind <> 'retention' GROUP BY contract_id) p ON p.contract_id = c.id
            WHERE c.status = ANY(%(sold)s) AND c.amount - c.retention_amount - COALESCE(p.paid, 0) > 0
            """,  # noqa: S608
            params,
        )
        # Top ten customers of the current month, quarter and year per company, unit and salesperson.
        today = today or timezone.localdate()
        periods = {
            "month": period_bounds("month", today),
            "quarter": period_bounds("quarter", today),
            "year": period_bounds("year", today),
        }
        cur.execute(f"DELETE FROM {t['top']}")  # noqa: S608
        values = ", ".join(f"(%(pt_{k})s, %(ps_{k})s::date, %(pe_{k})s::date)" for k in periods)
        for k, (start, end) in periods.items():
            params[f"pt_{k}"], params[f"ps_{k}"], params[f"pe_{k}"] = k, start, end
        for unit_col, owner_col in (("NULL", "NULL"), ("c.unit_id", "NULL"), ("NULL", "c.owner_id")):
            keys = [col for col in (unit_col, owner_col) if col != "NULL"]
            group = ", ".join(["p.period_type", "p.start", *keys, "c.customer_id"])
            partition = ", ".join(["p.period_type", *keys])
            cur.execute(
                f"""
                INSERT INTO {t["top"]} (period_type, period_start, unit_id, owner_id, rank, customer_id, amount,
                                        quantity)
                SELECT period_type, start, unit_id, owner_id, rn, customer_id, amount, quantity FROM (
                    SELECT p.period_type, p.start, {unit_col}::bigint AS unit_id, {owner_col}::bigint AS owner_id,
                           c.customer_id, SUM(c.amount) AS amount, SUM(c.quantity) AS quantity,
                           row_number() OVER (PARTITION BY {partition}
                                              ORDER BY SUM(c.amount) DESC, c.customer_id) AS rn
                    FROM {t["cust"]} c
                    JOIN (VALUES {values}) AS p(period_type, start, "end") ON c.month BETWEEN p.start AND p."end"
                    GROUP BY {group}
                ) ranked WHERE rn <= 10
                """,  # noqa: S608
                params,
            )
        # Open receivables per salesperson and age bucket, aged today.
        params["today"] = today
        cur.execute(f"DELETE FROM {t['age']}")  # noqa: S608
        cur.execute(
            f"""
            INSERT INTO {t["age"]} (as_of, owner_id, unit_id, bucket, amount, contracts)
            SELECT %(today)s, owner_id, unit_id,
                   CASE WHEN due_on >= %(today)s THEN 'current'
                        WHEN due_on >= %(today)s::date - 30 THEN '1-30'
                        WHEN due_on >= %(today)s::date - 60 THEN '31-60'
                        WHEN due_on >= %(today)s::date - 90 THEN '61-90'
                        WHEN due_on >= %(today)s::date - 180 THEN '91-180'
                        ELSE '180+' END,
                   SUM(outstanding), COUNT(*)
            FROM {t["recv"]} GROUP BY 2, 3, 4
            """,  # noqa: S608
            params,
        )
        # On-time reports on working days per person and month, for the days that can no longer change.
        margin = max([p.cutoff_days for p in ReportPolicy.objects.all()] or [1]) + 2
        stable_before = today - dt.timedelta(days=margin)
        cur.execute(f"DELETE FROM {t['comp']}")  # noqa: S608
        first = DailyReport.objects.order_by("date").values_list("date", flat=True).first()
        if first is not None and first < stable_before:
            days = WorkingCalendar(first, stable_before - dt.timedelta(days=1)).working_days()
            cur.execute(
                f"""
                INSERT INTO {t["comp"]} (month, author_id, on_time, first_date)
                SELECT date_trunc('month', r.date)::date, r.author_id, COUNT(*), MIN(r.date)
                FROM {t["report"]} r JOIN unnest(%(days)s::date[]) AS w(day) ON w.day = r.date
                WHERE r.date < %(stable)s AND r.submitted_at IS NOT NULL
                  AND (r.deadline IS NULL OR r.submitted_at <= r.deadline)
                GROUP BY 1, 2
                """,  # noqa: S608
                {"days": days, "stable": stable_before},
            )
    state, _created = SummaryState.objects.update_or_create(
        name="dashboard",
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "stable_before": stable_before,
        },
    )
    return state
