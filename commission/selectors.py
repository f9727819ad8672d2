"""Reads for commission pages, API and exports. A bounded number of queries, whatever the number of rows.

Statements of a closed month are read back exactly as stored. Statements of an open month are computed from
today's contracts, payments, expenses and rules; the first open month after the last closed one also carries
the adjustments that bring every closed month's frozen amounts in line with today's data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, SalesUnit, User
from core import periods
from core.money import ZERO, percent, round_money
from core.visibility import scope_q
from receivables import selectors as receivables_selectors
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, ContractStatus

from . import rules as p
from .explain import LIABILITY, component_label, describe, describe_many, public_expense_text
from .models import (
    LIABILITY_KINDS,
    ClosedMonth,
    CommissionCorrection,
    CommissionRuleSet,
    CommissionStatement,
    ContractCost,
    CooperationBonus,
    ExpenseClaim,
    ExpenseStatus,
    FundEntryKind,
    FundSpendStatus,
    MarketFundEntry,
    MarketFundSpend,
    UnitCommissionPolicy,
)

TOTAL_KEYS = ("released", "interest", "expenses", "bonus", "adjustments", "net", "held")


def parse_month(value: str | None, *, default: dt.date | None = None) -> dt.date | None:
    """'2026-03' -> date(2026, 3, 1); None or junk -> default."""
    if not value:
        return default
    try:
        return periods.month_start(dt.datetime.strptime(value[:7], "%Y-%m").date())  # noqa: DTZ007 - a calendar month
    except ValueError:
        return default


def current_month() -> dt.date:
    return periods.month_start(timezone.localdate())


def rules_from_model(rs: CommissionRuleSet) -> p.Rules:
    return p.Rules(
        id=rs.id,
        name=rs.name,
        effective_from=rs.effective_from,
        commission_rate=percent(rs.commission_percent),
        retention_hold_rate=percent(rs.retention_hold_percent),
        margin_threshold=percent(rs.expense_margin_threshold_percent),
        low_margin_rate=percent(rs.expense_low_margin_percent),
        high_margin_rate=percent(rs.expense_high_margin_percent),
        market_fund_rate=percent(rs.market_fund_percent),
    )


# UnitCommissionPolicy field -> the Rules rate it overrides.
UNIT_FIELDS = {
    "commission_percent": "commission_rate",
    "retention_hold_percent": "retention_hold_rate",
    "expense_margin_threshold_percent": "margin_threshold",
    "expense_low_margin_percent": "low_margin_rate",
    "expense_high_margin_percent": "high_margin_rate",
}


def unit_rules_from_model(row: UnitCommissionPolicy) -> p.UnitRules:
    return p.UnitRules(
        id=row.id,
        unit_id=row.unit_id,
        effective_from=row.effective_from,
        rates={UNIT_FIELDS[name]: percent(value) for name, value in row.overrides().items()},
    )


def rule_book(*, units: bool = True) -> p.RuleBook:
    """The commission rule sets, with the interest numbers of the receivables policies (one value each) and the
    units' own approved rates (`UnitCommissionPolicy`, laid over the rule set by `RuleBook.for_month`)."""
    # No rule set at all (never after migrate: one is seeded): the model's defaults, so the numbers stay the
    # policy's and never the pure module's.
    rule_sets = list(CommissionRuleSet.objects.all()) or [
        CommissionRuleSet(name=str(_("Rule book defaults")), effective_from=dt.date.min)
    ]
    return p.RuleBook(
        (rules_from_model(rs) for rs in rule_sets),
        interest_terms=receivables_selectors.interest_terms(),
        # units=False: the company's numbers only (the market service fund), one query fewer.
        unit_rules=(unit_rules_from_model(u) for u in UnitCommissionPolicy.objects.approved()) if units else (),
    )


def closed_months() -> list[dt.date]:
    return list(ClosedMonth.objects.order_by("month").values_list("month", flat=True))


def last_closed_month() -> dt.date | None:
    return ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _contract_cost(*, override: Decimal | None, lines: list, cost_total: Decimal | None) -> Decimal | None:
    """The confidential cost of goods of a contract, or None when nobody has recorded one.

    1. A ContractCost entered by finance (an explicit override);
    2. else Σ quantity × ContractLine.unit_cost, when the sales app keeps unit costs on the lines;
    3. else Contract.cost_total, when the sales app keeps one (e.g. engineering quotes).
    A cost of 0 from the sales app is its default for "unknown", so it counts as not recorded.
    `lines` holds (quantity, unit_cost or None) pairs.
    """
    if override is not None:
        return override
    if lines and all(c is not None for _q, c in lines):
        total = sum((q * c for q, c in lines), ZERO)
        if total > 0:
            return round_money(total)
    if cost_total is not None and cost_total > 0:
        return cost_total
    return None


# Long on purpose: eight flat queries and the joins between them in one place; a split would scatter the query budget.
def load_facts(contracts) -> list[p.ContractFacts]:
    """Facts of the given contracts in nine flat queries (no model instances: this runs over whole companies)."""
    from sales.models import ContractLine, Invoice, Payment, Shipment

    has_unit_cost = _has_field(ContractLine, "unit_cost")
    has_cost_total = _has_field(Contract, "cost_total")
    fields = [
        "id",
        "number",
        "owner_id",
        "unit_id",
        "status",
        "signed_on",
        "amount",
        "retention_amount",
        "retention_due_on",
        "customer__short_name",
        "customer__name",
        "commission_cost__cost",
    ]
    if has_cost_total:
        fields.append("cost_total")
    rows = list(contracts.order_by("number").values(*fields))
    ids = [r["id"] for r in rows]
    lines: dict[int, list] = defaultdict(list)
    line_fields = ["contract_id", "quantity", "unit_price", "standard_price"]
    if has_unit_cost:
        line_fields.append("unit_cost")
    for row in ContractLine.objects.filter(contract_id__in=ids).values_list(*line_fields):
        lines[row[0]].append(row[1:])
    payments: dict[int, list] = defaultdict(list)
    for pid, cid, paid_on, amount, kind, invoice_id in Payment.objects.filter(contract_id__in=ids).values_list(
        "id", "contract_id", "paid_on", "amount", "kind", "invoice_id"
    ):
        payments[cid].append(p.PaymentFact(pid, paid_on, amount, kind, invoice_id))
    write_offs = receivables_selectors.write_off_credits(ids)
    shipments: dict[int, list] = defaultdict(list)
    for sid, cid, shipped_on, value in (
        Shipment.objects.filter(contract_id__in=ids)
        .order_by("shipped_on", "id")
        .values_list("id", "contract_id", "shipped_on", "amount")
    ):
        shipments[cid].append(p.ShipmentFact(sid, shipped_on, value))
    invoices: dict[int, list] = defaultdict(list)
    for iid, cid, issued_on, amount in Invoice.objects.filter(contract_id__in=ids).values_list(
        "id", "contract_id", "issued_on", "amount"
    ):
        invoices[cid].append(p.InvoiceFact(iid, issued_on, amount))
    expenses: dict[int, list] = defaultdict(list)
    for eid, cid, decided_on, amount in (
        ExpenseClaim.objects.filter(contract_id__in=ids, status=ExpenseStatus.APPROVED)
        .order_by("decided_on", "id")
        .values_list("id", "contract_id", "decided_on", "amount")
    ):
        expenses[cid].append(p.ExpenseFact(eid, decided_on, amount))
    bonuses: dict[int, list] = defaultdict(list)
    for cid, staff_id, rate, basis in CooperationBonus.objects.filter(contract_id__in=ids).values_list(
        "contract_id", "staff_id", "rate_percent", "basis"
    ):
        bonuses[cid].append(p.BonusFact(staff_id, percent(rate), basis))
    returns: dict[int, list] = defaultdict(list)
    for r in sales_selectors.return_facts(contract_ids=ids):
        returns[r.contract_id].append(
            p.ReturnFact(r.id, r.on, r.amount, r.quantity, r.unit_price, r.standard_price, r.product_code)
        )
    out = []
    for r in rows:
        cid = r["id"]
        contract_lines = lines.get(cid, [])
        out.append(
            p.ContractFacts(
                id=cid,
                number=r["number"],
                customer=r["customer__short_name"] or r["customer__name"],
                owner_id=r["owner_id"],
                unit_id=r["unit_id"],
                sold=r["status"] in SOLD_STATUSES,
                signed_on=r["signed_on"],
                amount=r["amount"],
                retention=r["retention_amount"],
                above_standard=p.above_standard((ln[0], ln[1], ln[2]) for ln in contract_lines),
                payments=tuple(payments.get(cid, ())),
                first_shipped_on=shipments[cid][0].shipped_on if shipments.get(cid) else None,
                shipments=tuple(shipments.get(cid, ())),
                invoices=tuple(invoices.get(cid, ())),
                write_offs=tuple(write_offs.get(cid, ())),
                retention_due_on=r["retention_due_on"],
                cost=_contract_cost(
                    override=r["commission_cost__cost"],
                    lines=[(ln[0], ln[3] if has_unit_cost else None) for ln in contract_lines],
                    cost_total=r.get("cost_total"),
                ),
                expenses=tuple(expenses.get(cid, ())),
                bonuses=tuple(bonuses.get(cid, ())),
                returns=tuple(returns.get(cid, ())),
            )
        )
    return out


def can_see_cost(user) -> bool:
    """The sales app's answer (role, or the admin's "salespeople may see cost" setting): one rule for both apps."""
    return sales_selectors.sees_cost(user)


def visible_people(viewer):
    """People whose statements the viewer sees, with the same reach as core.visibility.scope_q."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return User.objects.none()
    if viewer.is_company_wide:
        return User.objects.all()
    if viewer.is_manager:
        return User.objects.filter(Q(pk=viewer.pk) | Q(unit_id__in=viewer.team_unit_ids))
    # scope_q's "own rows" for a person row: the viewer themself (salespeople and non-sales staff).
    if scope_q(viewer) != Q(pk__in=[]):
        return User.objects.filter(pk=viewer.pk)
    return User.objects.none()


@dataclass
class _Scope:
    people: dict[int, User]
    facts: list[p.ContractFacts]
    frozen: dict[tuple[int, int, str], Decimal]
    frozen_numbers: dict[int, str]


def _scope(*, people_qs, month: dt.date, adjust_through: dt.date | None) -> _Scope:
    people = {u.id: u for u in people_qs.select_related("unit")}
    ids = list(people)
    frozen: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    frozen_numbers: dict[int, str] = {}
    if adjust_through is not None:
        for st in CommissionStatement.objects.filter(salesperson_id__in=ids, month__lte=adjust_through).only(
            "salesperson_id", "data"
        ):
            for block in st.data["contracts"]:
                frozen_numbers[block["id"]] = block["number"]
                for line in block["lines"]:
                    if not line["info"]:
                        frozen[(st.salesperson_id, block["id"], line["component"])] += Decimal(line["amount"])
    wanted = Contract.objects.filter(
        Q(owner_id__in=ids, status__in=SOLD_STATUSES, signed_on__lte=periods.month_end(month))
        | Q(cooperation_bonuses__staff_id__in=ids)
        | Q(id__in=list(frozen_numbers))
    ).values("id")
    contracts = Contract.objects.filter(id__in=wanted)
    return _Scope(people=people, facts=load_facts(contracts), frozen=frozen, frozen_numbers=frozen_numbers)


def _line(entry: p.Entry, words: dict) -> dict:
    return {
        "component": entry.component,
        "label": component_label(entry.component),
        "rule": entry.rule,
        "amount": str(entry.amount),
        "info": entry.info,
        "params": entry.params,
        "confidential": entry.confidential,
        "text": words["text"],
        "text_full": words["text_full"],
    }


def _totals(blocks: list[dict]) -> dict:
    t = dict.fromkeys(TOTAL_KEYS, ZERO)
    key = {
        p.RELEASE: "released",
        p.RETENTION_RELEASE: "released",
        p.INTEREST: "interest",
        p.EXPENSE: "expenses",
        p.BONUS: "bonus",
        p.RETURN: "released",  # commission taken back for returned goods lowers what is released
    }
    for block in blocks:
        for line in block["lines"]:
            amount = Decimal(line["amount"])
            if line["info"]:
                t["held"] += amount
            elif line["rule"] == "adjustment":
                t["adjustments"] += amount
                t["net"] += amount
            else:
                t[key.get(line["component"], "adjustments")] += amount
                t["net"] += amount
    return {k: str(v) for k, v in t.items()}


# Long (TODO split with selectors/ as a package): scope, entries, adjustments and totals of a month in one pass.
def build_statements(*, people_qs, month: dt.date, closed_at: dt.datetime | None = None) -> list[dict]:
    """Compute the statements of `month` for the given people (open-month view, or the data to freeze)."""
    last_closed = last_closed_month()
    adjust_through = last_closed if last_closed and month == periods.add_months(last_closed, 1) else None
    scope = _scope(people_qs=people_qs, month=month, adjust_through=adjust_through)
    book = rule_book()
    by_person: dict[int, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    numbers = dict(scope.frozen_numbers)
    customers: dict[int, str] = {}
    ideal: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: ZERO)
    pending: list[p.Entry] = []
    since = None if adjust_through is not None else month
    for facts in scope.facts:
        numbers[facts.id] = facts.number
        customers[facts.id] = facts.customer
        entries = p.contract_entries(facts, book, month, since=since)
        for e in entries:
            if adjust_through is not None and e.month <= adjust_through:
                ideal[(e.user_id, e.contract_id, e.component)] += e.amount
            if e.month == month and e.user_id in scope.people:
                pending.append(e)
        pending.extend(e for e in p.held_entries(facts, book, month) if e.user_id in scope.people)
    corrections = CommissionCorrection.objects.filter(salesperson_id__in=list(scope.people), month__lte=month)
    for c in corrections.select_related("recorded_by", "contract").order_by("month", "id"):
        contract_id = c.contract_id or 0
        if c.contract_id:
            numbers.setdefault(c.contract_id, c.contract.number)
        # A write-off's joint liability (posted by services.liability) is its own component, with its inputs.
        component = LIABILITY if c.kind in LIABILITY_KINDS else "correction"
        if adjust_through is not None and c.month <= adjust_through:
            ideal[(c.salesperson_id, contract_id, component)] += c.amount
        if c.month == month:
            params = {
                "reason": c.reason,
                "by": c.recorded_by.get_full_name(),
                "on": f"{timezone.localtime(c.created_at):%Y-%m-%d}",
                "correction_id": c.id,
            }
            if component == LIABILITY:
                params = {**c.inputs, "amount": str(-c.amount), "correction_id": c.id}
            pending.append(p.Entry(c.salesperson_id, contract_id, month, component, c.amount, c.kind, params))
    words = describe_many([(e.rule, e.params, e.confidential) for e in pending])
    for e, w in zip(pending, words, strict=True):
        by_person[e.user_id][e.contract_id].append(_line(e, w))
    if adjust_through is not None:
        for key in sorted(set(ideal) | set(scope.frozen)):
            user_id, contract_id, component = key
            if user_id not in scope.people:
                continue
            diff = ideal[key] - scope.frozen[key]
            if diff:
                params = {
                    "component": component,
                    "through": f"{adjust_through:%Y-%m}",
                    "expected": str(ideal[key]),
                    "frozen": str(scope.frozen[key]),
                }
                words = describe(rule="adjustment", params=params, confidential={})
                by_person[user_id][contract_id].append(
                    {
                        "component": component,
                        "label": component_label("adjustment"),
                        "rule": "adjustment",
                        "amount": str(diff),
                        "info": False,
                        "params": params,
                        "confidential": {},
                        "text": words["text"],
                        "text_full": None,
                    }
                )
    out = []
    for user_id, blocks_by_contract in by_person.items():
        user = scope.people[user_id]
        blocks = [
            {
                "id": cid,
                "number": numbers.get(cid, str(cid)),
                "customer": customers.get(cid, ""),
                "lines": lines,
            }
            for cid, lines in sorted(blocks_by_contract.items(), key=lambda kv: numbers.get(kv[0], ""))
        ]
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "closed": closed_at is not None,
                "closed_at": closed_at.isoformat() if closed_at else None,
                "salesperson": {
                    "id": user.id,
                    "username": user.username,
                    "name": user.get_full_name(),
                    "unit_id": user.unit_id,
                    "unit": user.unit.name if user.unit else "",
                },
                "rules": book.for_month(month, unit_id=user.unit_id).snapshot(),
                "contracts": blocks,
                "totals": _totals(blocks),
            }
        )
    out.sort(key=lambda s: (s["salesperson"]["name"], s["salesperson"]["id"]))
    return out


# The rule book's numbers from which, with an expense line, the gross profit (so cost and margin) would follow.
HIDDEN_RULE_KEYS = ("margin_threshold", "low_margin_rate", "high_margin_rate")


def _public_line(line: dict) -> dict:
    line = {**line, "confidential": {}, "text_full": None}
    if line["component"] == p.EXPENSE and line["rule"] != "adjustment":
        # Neither the allowance, the rates nor the branch (low or high margin): only what is deducted.
        line.update(rule=p.EXPENSE, params={"amount": line["amount"]}, text=public_expense_text(line["amount"]))
    return line


def for_viewer(data: dict, viewer) -> dict:
    """A statement as this viewer may see it. Whoever may not see cost gets neither cost, gross profit nor margin,
    nor the expense-allowance parameters (allowance, rates, rule branch, the rule book's threshold and rates)
    from which they follow: an expense line says only what is deducted (docs/confidentiality.md)."""
    if can_see_cost(viewer):
        return data
    blocks = [{**b, "lines": [_public_line(ln) for ln in b["lines"]]} for b in data["contracts"]]
    rules = {k: v for k, v in data["rules"].items() if k not in HIDDEN_RULE_KEYS}
    return {**data, "rules": rules, "contracts": blocks}


def statements_for_month(*, viewer, month: dt.date, salesperson_id: int | None = None) -> list[dict]:
    people = visible_people(viewer)
    if salesperson_id is not None:
        people = people.filter(pk=salesperson_id)
    if ClosedMonth.objects.filter(month=month).exists():
        stored = (
            CommissionStatement.objects.visible_to(viewer)
            .filter(month=month)
            .filter(salesperson_id__in=people.values("pk"))
            .order_by("salesperson__full_name", "salesperson_id")
        )
        data = [st.data for st in stored]
    else:
        data = build_statements(people_qs=people, month=month)
    return [for_viewer(d, viewer) for d in data]


def statement_for(*, viewer, month: dt.date, salesperson_id: int) -> dict | None:
    found = statements_for_month(viewer=viewer, month=month, salesperson_id=salesperson_id)
    return found[0] if found else None


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    closed: ClosedMonth | None
    ended: bool
    closable: bool  # the next month to close, once it has ended


def month_rows(*, count: int = 24, today: dt.date | None = None) -> list[MonthRow]:
    """The last `count` commission months, newest first, each open or closed (one query)."""
    today = today or timezone.localdate()
    newest = periods.month_start(today)
    months = [periods.add_months(newest, -n) for n in range(count)]
    closed = {c.month: c for c in ClosedMonth.objects.filter(month__gte=months[-1]).select_related("closed_by")}
    last = max(closed) if closed else last_closed_month()
    next_to_close = periods.add_months(last, 1) if last else None
    rows = []
    for month in months:
        ended = periods.month_end(month) < today
        rows.append(
            MonthRow(
                month=month,
                closed=closed.get(month),
                ended=ended,
                closable=ended and month not in closed and (next_to_close is None or month == next_to_close),
            )
        )
    return rows


def rule_sets(*, today: dt.date | None = None) -> list[tuple[CommissionRuleSet, str]]:
    """Every commission rule set, newest first, with its state: "scheduled" (starts after today, may still be
    changed or withdrawn), "in_force" (the one applying today) or "past"."""
    today = today or timezone.localdate()
    rows = list(CommissionRuleSet.objects.order_by("-effective_from"))
    in_force = next((rs for rs in rows if rs.effective_from <= today), None)
    return [(rs, "scheduled" if rs.effective_from > today else "in_force" if rs is in_force else "past") for rs in rows]


def month_status(month: dt.date) -> ClosedMonth | None:
    return ClosedMonth.objects.filter(month=month).select_related("closed_by").first()


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int | None
    unit: str
    sales: Decimal
    market_fund: Decimal
    released: Decimal
    interest: Decimal
    expenses: Decimal
    bonus: Decimal
    adjustments: Decimal
    net: Decimal
    held: Decimal
    people: int


def company_summary(*, viewer, month: dt.date) -> tuple[list[UnitSummary], UnitSummary, p.Rules]:
    """Sales signed in the month, the market service fund and the commission totals, per unit and overall."""
    rules = rule_book(units=False).for_month(month)  # the market service fund's rate: the company's
    statements = statements_for_month(viewer=viewer, month=month)
    units = {u.id: u.name for u in SalesUnit.objects.all()}
    sales = dict(
        Contract.objects.visible_to(viewer)
        .filter(status__in=SOLD_STATUSES, signed_on__gte=month, signed_on__lte=periods.month_end(month))
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    acc: dict[int | None, dict] = defaultdict(lambda: dict.fromkeys(TOTAL_KEYS, ZERO) | {"people": 0})
    for st in statements:
        row = acc[st["salesperson"]["unit_id"]]
        row["people"] += 1
        for k in TOTAL_KEYS:
            row[k] += Decimal(st["totals"][k])
    for unit_id in sales:
        acc.setdefault(unit_id, dict.fromkeys(TOTAL_KEYS, ZERO) | {"people": 0})
    rows = []
    for unit_id, row in acc.items():
        s = sales.get(unit_id, ZERO) or ZERO
        rows.append(
            UnitSummary(
                unit_id=unit_id,
                unit=units.get(unit_id) or _("No sales unit (non-sales staff)"),
                sales=s,
                market_fund=round_money(s * rules.market_fund_rate),
                people=row["people"],
                **{k: row[k] for k in TOTAL_KEYS},
            )
        )
    rows.sort(key=lambda r: r.unit)
    total_sales = sum((r.sales for r in rows), ZERO)
    total = UnitSummary(
        unit_id=None,
        unit="",
        sales=total_sales,
        market_fund=sum((r.market_fund for r in rows), ZERO),
        people=sum(r.people for r in rows),
        **{k: sum((getattr(r, k) for r in rows), ZERO) for k in TOTAL_KEYS},
    )
    return rows, total, rules


def expenses_visible(viewer):
    return (
        ExpenseClaim.objects.visible_to(viewer)
        .select_related("contract", "contract__customer", "claimant", "decided_by")
        .order_by("-incurred_on", "-id")
    )


def expenses_to_decide(viewer):
    """Pending claims this viewer may approve: a manager's own units, or everything for admins."""
    qs = expenses_visible(viewer).filter(status=ExpenseStatus.PENDING)
    if viewer.is_admin_role:
        return qs
    if viewer.is_manager:
        return qs.filter(contract__unit_id__in=viewer.team_unit_ids).exclude(claimant=viewer)
    return qs.none()


def staff_users():
    return User.objects.filter(role=Role.STAFF, is_active=True)


def cost_of(contract: Contract) -> ContractCost | None:
    return ContractCost.objects.filter(contract=contract).first()


@dataclass(frozen=True)
class ExpenseBudget:
    contract_id: int
    number: str
    customer: str
    allowance: Decimal | None  # None for a viewer who may not see cost (see expense_budgets)
    branch: str  # "low_margin", "high_margin" or "no_cost"; "" when the allowance is hidden
    approved: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.allowance is None else self.allowance - self.approved - self.pending


def expense_budgets(viewer, *, limit: int = 100) -> list[ExpenseBudget]:
    """The expense allowance of the viewer's most recent live contracts and how much of it is used or asked for.

    The allowance is a share of the gross profit below the margin threshold and a share of sales above it, so for
    a draft contract it would give the cost in one request: hidden (None) from whoever may not see cost."""
    open_statuses = [s for s in ContractStatus.values if s not in (ContractStatus.CANCELLED, ContractStatus.REJECTED)]
    recent = list(
        Contract.objects.visible_to(viewer)
        .filter(status__in=open_statuses)
        .order_by("-created_at")
        .values_list("id", flat=True)[:limit]
    )
    facts = load_facts(Contract.objects.filter(id__in=recent))
    pending = dict(
        ExpenseClaim.objects.filter(contract_id__in=recent, status=ExpenseStatus.PENDING)
        .values_list("contract_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    book, month = rule_book(), current_month()
    see_cost = can_see_cost(viewer)
    out = []
    for f in facts:
        allowance = p.expense_allowance(f, book.for_month(month, unit_id=f.unit_id))
        out.append(
            ExpenseBudget(
                contract_id=f.id,
                number=f.number,
                customer=f.customer,
                allowance=allowance.amount if see_cost else None,
                branch=allowance.branch if see_cost else "",
                approved=sum((e.amount for e in f.expenses), ZERO),
                pending=pending.get(f.id) or ZERO,
            )
        )
    order = {cid: i for i, cid in enumerate(recent)}
    out.sort(key=lambda b: order[b.contract_id])
    return out


# ---------------------------------------------------------------------------------------------------------------
# Expense control per salesperson and period (read by the reports app's evaluation)


@dataclass(frozen=True)
class ExpenseControl:
    """A salesperson's expense control for a period: expense claims approved in the period (on contracts they own)
    against the expense allowance (`rules.expense_allowance`) of the contracts they sold in the period."""

    approved: Decimal = ZERO
    allowance: Decimal = ZERO
    contracts: int = 0

    @property
    def excess(self) -> Decimal:
        return max(ZERO, self.approved - self.allowance)

    @property
    def used(self) -> Decimal | None:
        """Approved expenses ÷ allowance (1 = all of it), None without an allowance."""
        return self.approved / self.allowance if self.allowance > 0 else None


def expense_control_by_owner(*, owner_ids, start: dt.date, end: dt.date) -> dict[int, ExpenseControl]:
    """Expense control of many people at once, in five queries whatever the number of people and contracts:
    sold contracts, their lines' costs, rule sets, cost overrides come with the contracts, approved claims."""
    from sales.models import ContractLine

    ids = list(owner_ids)
    has_unit_cost = _has_field(ContractLine, "unit_cost")
    has_cost_total = _has_field(Contract, "cost_total")
    sold = Contract.objects.filter(owner_id__in=ids, status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=end)
    fields = ["id", "owner_id", "unit_id", "signed_on", "amount", "commission_cost__cost"]
    if has_cost_total:
        fields.append("cost_total")
    rows = list(sold.order_by().values(*fields))
    lines: dict[int, list] = defaultdict(list)
    if has_unit_cost and rows:
        for cid, qty, cost in (
            ContractLine.objects.filter(contract__in=sold)
            .order_by()
            .values_list("contract_id", "quantity", "unit_cost")
        ):
            lines[cid].append((qty, cost))
    book = rule_book() if rows else None
    allowance: dict[int, Decimal] = defaultdict(lambda: ZERO)
    contracts: dict[int, int] = defaultdict(int)
    for r in rows:
        facts = p.ContractFacts(
            id=r["id"],
            number="",
            owner_id=r["owner_id"],
            unit_id=r["unit_id"],
            sold=True,
            signed_on=r["signed_on"],
            amount=r["amount"],
            retention=ZERO,
            above_standard=ZERO,
            cost=_contract_cost(
                override=r["commission_cost__cost"],
                lines=lines.get(r["id"], []) if has_unit_cost else [],
                cost_total=r.get("cost_total"),
            ),
        )
        rules = book.for_month(periods.month_start(r["signed_on"]), unit_id=r["unit_id"])
        allowance[r["owner_id"]] += p.expense_allowance(facts, rules).amount
        contracts[r["owner_id"]] += 1
    approved = dict(
        ExpenseClaim.objects.filter(
            contract__owner_id__in=ids, status=ExpenseStatus.APPROVED, decided_on__gte=start, decided_on__lte=end
        )
        .values_list("contract__owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return {
        owner_id: ExpenseControl(
            approved=approved.get(owner_id) or ZERO,
            allowance=allowance.get(owner_id, ZERO),
            contracts=contracts.get(owner_id, 0),
        )
        for owner_id in ids
    }


# --------------------------------------------------------------------------------------------------------------
# Market service fund (市場服務基金)
# --------------------------------------------------------------------------------------------------------------
def sales_by_unit(*, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Sales signed (sold contracts) from `start` to `end` per unit: the base of the fund's accrual (one query)."""
    return {
        unit_id: amount or ZERO
        for unit_id, amount in Contract.objects.filter(
            status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=end
        )
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .order_by()
    }


def _fund_units_q(viewer, field: str = "unit_id") -> Q:
    if viewer.is_company_wide:
        return Q()
    if viewer.is_manager:
        return Q(**{f"{field}__in": viewer.team_unit_ids})
    return Q(pk__in=[])


def fund_entries_visible(viewer):
    """Ledger lines the viewer may read: a manager's units, everything for the company-wide roles, nothing else."""
    return (
        MarketFundEntry.objects.filter(_fund_units_q(viewer))
        .select_related("unit", "recorded_by", "spend", "spend__recipient")
        .order_by("-recorded_at", "-id")
    )


def fund_spends_visible(viewer):
    return (
        MarketFundSpend.objects.filter(_fund_units_q(viewer))
        .select_related("unit", "recipient", "requested_by", "decided_by")
        .order_by("-created_at", "-id")
    )


def fund_spends_to_decide(viewer):
    """Pending requests waiting for this viewer (the GM office or an admin; never their own)."""
    if not (viewer.is_gm_office or viewer.is_admin_role):
        return MarketFundSpend.objects.none()
    return fund_spends_visible(viewer).filter(status=FundSpendStatus.PENDING).exclude(requested_by=viewer)


@dataclass(frozen=True)
class FundBalance:
    unit_id: int | None
    unit: str
    accrued: Decimal
    visits: Decimal
    awards: Decimal
    pending: Decimal

    @property
    def spent(self) -> Decimal:
        return self.visits + self.awards

    @property
    def balance(self) -> Decimal:
        return self.accrued - self.spent


def fund_balance_of(unit_id: int) -> Decimal:
    """A unit's balance now: the sum of its ledger lines (one query)."""
    return MarketFundEntry.objects.filter(unit_id=unit_id).aggregate(s=Sum("amount"))["s"] or ZERO


def fund_balances(*, viewer, until: dt.date | None = None) -> tuple[list[FundBalance], FundBalance]:
    """Accrued, spent (visits, awards), pending requests and balance per unit the viewer may see, and their total
    (the company's, for the company-wide roles), up to the month of `until` (three queries)."""
    entries = MarketFundEntry.objects.filter(_fund_units_q(viewer))
    if until is not None:
        entries = entries.filter(month__lte=periods.month_start(until))
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for unit_id, kind, amount in entries.values_list("unit_id", "kind").annotate(s=Sum("amount")).order_by():
        sums[unit_id][kind] = amount or ZERO
    for unit_id, amount in (
        MarketFundSpend.objects.filter(_fund_units_q(viewer), status=FundSpendStatus.PENDING)
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        sums[unit_id]["pending"] = amount or ZERO
    units = SalesUnit.objects.filter(_fund_units_q(viewer, "pk")).order_by("code")
    rows = [
        FundBalance(
            unit_id=u.pk,
            unit=u.name,
            accrued=sums[u.pk][FundEntryKind.ACCRUAL],
            visits=-sums[u.pk][FundEntryKind.VISIT],
            awards=-sums[u.pk][FundEntryKind.AWARD],
            pending=sums[u.pk]["pending"],
        )
        for u in units
    ]
    total = FundBalance(
        unit_id=None,
        unit=_("Company") if viewer.is_company_wide else _("Your units"),
        accrued=sum((r.accrued for r in rows), ZERO),
        visits=sum((r.visits for r in rows), ZERO),
        awards=sum((r.awards for r in rows), ZERO),
        pending=sum((r.pending for r in rows), ZERO),
    )
    return rows, total


def fund_accrued_in(*, start: dt.date, end: dt.date, unit_ids=None) -> Decimal:
    """What the fund accrued from the months of `start` to `end` (all units, or the given ones)."""
    qs = MarketFundEntry.objects.filter(
        kind=FundEntryKind.ACCRUAL, month__gte=periods.month_start(start), month__lte=periods.month_start(end)
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


# --------------------------------------------------------------------------------------------------------------
# Profit contribution (利潤貢獻) — managers and above only (it shows cost)
# --------------------------------------------------------------------------------------------------------------
PROFIT_DIMENSIONS = ("salesperson", "customer", "product", "unit")


@dataclass
class ProfitRow:
    key: int | None
    label: str
    sales: Decimal = ZERO
    cost: Decimal = ZERO
    expenses: Decimal = ZERO
    uncosted_sales: Decimal = ZERO
    contracts: int = 0

    @property
    def gross_profit(self) -> Decimal:
        """Sales with a recorded cost, less that cost."""
        return self.sales - self.uncosted_sales - self.cost

    @property
    def contribution(self) -> Decimal:
        """Gross profit less the approved business expenses of the same contracts."""
        return self.gross_profit - self.expenses

    @property
    def margin(self) -> Decimal | None:
        """Contribution ÷ costed sales, in % with one decimal (None without costed sales)."""
        base = self.sales - self.uncosted_sales
        return (self.contribution * 100 / base).quantize(Decimal("0.1")) if base else None


def _profit_key(by: str, contract: dict, line: dict | None) -> tuple[int | None, str]:
    if by == "salesperson":
        return contract["owner_id"], contract["owner__full_name"] or contract["owner__username"]
    if by == "customer":
        return contract["customer_id"], contract["customer__short_name"] or contract["customer__name"]
    if by == "unit":
        return contract["unit_id"], contract["unit__name"] or ""
    assert line is not None
    return line["product_id"], f"{line['product__code']} {line['product__name']}"


def profit_contribution(*, viewer, start: dt.date, end: dt.date, by: str = "salesperson") -> list[ProfitRow]:
    """Profit contribution of the contracts sold from `start` to `end` that the viewer may see, grouped by
    salesperson, customer, product or unit, in three queries: sales − cost of goods − approved expenses on them.
    Cost is `_contract_cost` (finance's override, else the lines' unit costs, else the contract's cost total);
    a contract with no recorded cost counts in `uncosted_sales` and adds nothing to profit. By product, a
    contract-level cost and the contract's expenses are shared among its lines in proportion to the line amounts.
    PermissionDenied unless the viewer may see cost (managers and above)."""
    from core.exceptions import PermissionDenied
    from sales.models import ContractLine

    from .permissions import can_see_profit

    if not can_see_profit(viewer):
        raise PermissionDenied(_("Only managers and above see profit contribution."))
    by = by if by in PROFIT_DIMENSIONS else "salesperson"
    sold = Contract.objects.visible_to(viewer).filter(
        status__in=SOLD_STATUSES, signed_on__gte=start, signed_on__lte=end
    )
    contracts = list(
        sold.order_by().values(
            "id",
            "amount",
            "cost_total",
            "commission_cost__cost",
            "owner_id",
            "owner__full_name",
            "owner__username",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "unit_id",
            "unit__name",
        )
    )
    lines: dict[int, list[dict]] = defaultdict(list)
    for ln in (
        ContractLine.objects.filter(contract__in=sold)
        .order_by()
        .values("contract_id", "product_id", "product__code", "product__name", "quantity", "unit_price", "unit_cost")
    ):
        lines[ln["contract_id"]].append(ln)
    expenses = dict(
        ExpenseClaim.objects.filter(contract__in=sold, status=ExpenseStatus.APPROVED)
        .values_list("contract_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    rows: dict[int | None, ProfitRow] = {}

    def add(key_label, *, sales, cost, expense, costed: bool, contract_count: int) -> None:
        key, label = key_label
        row = rows.setdefault(key, ProfitRow(key=key, label=label))
        row.sales += sales
        row.contracts += contract_count
        row.expenses += expense
        if costed:
            row.cost += cost
        else:
            row.uncosted_sales += sales

    for c in contracts:
        mine = lines.get(c["id"], [])
        cost = _contract_cost(
            override=c["commission_cost__cost"],
            lines=[(ln["quantity"], ln["unit_cost"]) for ln in mine],
            cost_total=c["cost_total"],
        )
        expense = expenses.get(c["id"]) or ZERO
        if by != "product":
            add(
                _profit_key(by, c, None),
                sales=c["amount"],
                cost=cost or ZERO,
                expense=expense,
                costed=cost is not None,
                contract_count=1,
            )
            continue
        total = sum((ln["quantity"] * ln["unit_price"] for ln in mine), ZERO)
        line_costs = sum((ln["quantity"] * (ln["unit_cost"] or ZERO) for ln in mine), ZERO)
        by_lines = c["commission_cost__cost"] is None and cost is not None and line_costs > 0
        for ln in mine:
            amount = ln["quantity"] * ln["unit_price"]
            share = amount / total if total else ZERO
            line_cost = ln["quantity"] * (ln["unit_cost"] or ZERO) if by_lines else (cost or ZERO) * share
            add(
                _profit_key(by, c, ln),
                sales=amount,
                cost=round_money(line_cost),
                expense=round_money(expense * share),
                costed=cost is not None,
                contract_count=0,
            )
    out = sorted(rows.values(), key=lambda r: (-r.contribution, r.label))
    return out
