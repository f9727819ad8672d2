"""Targets: the whole of a period, its split by dimension, and the workbook import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import SalesUnit, User
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from customers.models import Customer
from sales import selectors as sales_selectors
from sales.models import Product

from ..models import Dimension, PeriodType, Target, TargetKind, TargetLine
from ..periods import normalise_start
from ._common import _create_row


def can_manage_targets(*, actor: User, unit: SalesUnit | None) -> bool:
    if actor.is_admin_role or actor.is_gm_office:
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
    kind: str = TargetKind.SALES,
) -> Target:
    """Create or update the sales or collection target (回款目標) of a unit (or the company) for a period."""
    if period_type not in PeriodType.values:
        raise ApplicationError(_("Unknown period."), field="period_type")
    if kind not in TargetKind.values:
        raise ApplicationError(_("Unknown target kind."), field="kind")
    if not can_manage_targets(actor=actor, unit=unit):
        raise PermissionDenied(_("You cannot set targets for this unit."), field="unit")
    amount = round_money(amount)
    if amount < 0:
        raise ApplicationError(_("A target cannot be negative."), field="amount", code="negative")
    start = normalise_start(period_type, period_start)
    target = (
        Target.objects.select_for_update(of=("self",))
        .filter(unit=unit, kind=kind, period_type=period_type, period_start=start)
        .order_by()
        .first()
    )
    if target is None:
        target = _create_row(
            Target,
            {"unit": unit, "kind": kind, "period_type": period_type, "period_start": start},
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


def _find(qs, key, *fields: str):
    """The row of `qs` whose id is `key` when it is a number, else the first whose `fields` (in order) equal it."""
    found = None
    if isinstance(key, int) or (str(key).isascii() and str(key).isdigit()):
        found = qs.filter(pk=int(key)).first()
    for name in fields:
        if found is None:
            found = qs.filter(**{name: str(key).strip()}).first()
    return found


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
        customer = _find(qs, key, "tax_id", "name")
        if customer is None:
            raise ApplicationError(
                _("%(row)s: no customer %(key)s in this unit.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"customer": customer}
    if dimension == Dimension.SALESPERSON:
        qs = User.objects.filter(is_active=True)
        if unit is not None:
            qs = qs.filter(unit=unit)
        person = _find(qs, key, "username")
        if person is None:
            raise ApplicationError(
                _("%(row)s: no salesperson %(key)s in this unit.") % {"row": row_label, "key": key}, field="lines"
            )
        return {"salesperson": person}
    if dimension in (Dimension.SETTLEMENT, Dimension.SALES_METHOD):
        kind = "settlement" if dimension == Dimension.SETTLEMENT else "sales"
        method = sales_selectors.find_method(kind, key)
        if method is None:
            message = (
                _("%(row)s: unknown settlement method %(key)s.")
                if kind == "settlement"
                else _("%(row)s: unknown sales method %(key)s.")
            )
            raise ApplicationError(message % {"row": row_label, "key": key}, field="lines")
        return {"settlement_method" if kind == "settlement" else "sales_method": method.code}
    raise ApplicationError(_("Unknown split dimension."), field="dimension")


@transaction.atomic
def target_set_split(*, actor: User, target: Target, dimension: str, lines: list[LineInput]) -> list[TargetLine]:
    """Replace the target's split along one dimension. The parts may not exceed the whole; what is left over
    is shown as the unassigned remainder."""
    target = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
    if not can_manage_targets(actor=actor, unit=target.unit):
        raise PermissionDenied(_("You cannot set targets for this unit."))
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
    """Import targets from a workbook: columns period_type, period_start, unit (code, empty = company), an optional
    kind (sales, the default, or collection), dimension (total / product / region / customer / salesperson /
    settlement), key, amount, quantity.
    'total' rows set the whole; the other rows replace that dimension's split. All or nothing: every error is
    collected and reported together, and nothing is saved."""
    rows = _workbook_rows(file)
    col = _target_columns(rows[0])
    units = {u.code: u for u in SalesUnit.objects.all()}
    totals, splits = _read_target_rows(rows, col=col, units=units)
    created = lines = 0
    errors: list[str] = []
    for key in list(totals) + [k for k in splits if k not in totals]:
        code, kind, period_type, start = key
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
                    kind=kind,
                )
                created += 1
            else:
                target = Target.objects.filter(
                    unit=unit, kind=kind, period_type=period_type, period_start=start
                ).first()
                if target is None:
                    raise ApplicationError(_("no total row and no existing target"))
            for dimension, items in splits.get(key, {}).items():
                lines += len(target_set_split(actor=actor, target=target, dimension=dimension, lines=items))
        except (ApplicationError, PermissionDenied) as exc:  # a row for a unit one may not set is a row error
            errors.append(f"{code or _('Company')} {kind} {period_type} {start}: {exc.message}")
    if errors:
        transaction.set_rollback(True)
        raise ApplicationError(" ".join(errors), field="file", code="rows", extra={"errors": errors})
    return {"targets": created, "lines": lines}


TARGET_COLUMNS = ["period_type", "period_start", "unit", "dimension", "key", "amount"]


def _workbook_rows(file) -> list[tuple]:
    """The rows of the workbook's active sheet, the header first; ApplicationError when it is not one."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(file, read_only=True, data_only=True).active
    except Exception as exc:
        raise ApplicationError(_("This is not an XLSX workbook."), field="file", code="bad_file") from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ApplicationError(_("The workbook is empty."), field="file")
    return rows


def _target_columns(first_row: tuple) -> dict[str, int]:
    """Column index by name from the header row; ApplicationError naming the missing columns."""
    header = [str(c or "").strip().lower() for c in first_row]
    missing = [c for c in TARGET_COLUMNS if c not in header]
    if missing:
        raise ApplicationError(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}, field="file", code="columns"
        )
    return {name: header.index(name) for name in header if name}


def _read_target_rows(
    rows: list[tuple], *, col: dict[str, int], units: dict[str, SalesUnit]
) -> tuple[dict[tuple, tuple[Decimal, Decimal | None]], dict[tuple, dict[str, list[LineInput]]]]:
    """The 'total' rows and the split rows of the workbook by (unit code, period type, start); ApplicationError
    with every bad row when any is bad."""
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
            kind = str(cell("kind") or TargetKind.SALES).strip().lower()
            if kind not in TargetKind.values:
                raise ValueError(_("unknown target kind %(k)s") % {"k": kind})
            dimension = str(cell("dimension") or "").strip().lower()
            if dimension != "total" and dimension not in Dimension.values:
                raise ValueError(_("unknown dimension %(d)s") % {"d": dimension})
            amount = Decimal(str(cell("amount")).strip())
            qty = cell("quantity")
            quantity = Decimal(str(qty)) if qty not in (None, "") else None
        except (ValueError, InvalidOperation, TypeError) as exc:
            errors.append(_("Row %(n)s: %(err)s") % {"n": n, "err": exc})
            continue
        key = (code, kind, period_type, start)
        if dimension == "total":
            totals[key] = (amount, quantity)
        else:
            splits[key][dimension].append(LineInput(key=cell("key"), amount=amount, quantity=quantity))
    if errors:
        raise ApplicationError(" ".join(errors), field="file", code="rows", extra={"errors": errors})
    return totals, splits
