"""Reads of the sales app for pages, the API, reports and other apps. Never writes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from core.money import ZERO, round_money

from . import rules
from .models import (
    SOLD_STATUSES,
    ApproverRole,
    Contract,
    ContractApproval,
    ContractLine,
    ContractStatus,
    DiscountAuthority,
    Payment,
    PaymentKind,
    PriceListItem,
    Product,
    Quote,
    SalesLevel,
    SalesPolicy,
    Shipment,
    UnitAuthorityCeiling,
    UnitSalesPolicy,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- policy and authority -------------------------------------------------------------------------------------


def policy_in_force(*, on: dt.date | None = None) -> SalesPolicy:
    """The policy row in force on a day; an unsaved row with the rule book's defaults if none exists."""
    on = on or timezone.localdate()
    return SalesPolicy.objects.in_force(on) or SalesPolicy(effective_from=on)


def unit_policy_in_force(*, unit_id: int | None, on: dt.date | None = None) -> UnitSalesPolicy | None:
    """The unit's own policy row in force on a day: the latest *approved* row effective by then (or None)."""
    if unit_id is None:
        return None
    on = on or timezone.localdate()
    return (
        UnitSalesPolicy.objects.filter(unit_id=unit_id, effective_from__lte=on, approved_at__isnull=False)
        .order_by("-effective_from", "-id")
        .first()
    )


@dataclass(frozen=True)
class EffectivePolicy:
    """The thresholds of sales/rules.py for one unit on one day: the unit's approved values over the company's."""

    margin_review_percent: Decimal
    prepayment_threshold: Decimal
    default_discount_percent: Decimal
    review_waiver_below: Decimal | None
    company: SalesPolicy
    unit: UnitSalesPolicy | None


UNIT_OVERRIDABLE = ("margin_review_percent", "prepayment_threshold", "default_discount_percent")


def effective_policy(*, unit_id: int | None, on: dt.date | None = None) -> EffectivePolicy:
    on = on or timezone.localdate()
    company = policy_in_force(on=on)
    unit = unit_policy_in_force(unit_id=unit_id, on=on)
    values = {
        name: (getattr(unit, name) if unit and getattr(unit, name) is not None else getattr(company, name))
        for name in UNIT_OVERRIDABLE
    }
    return EffectivePolicy(
        **values, review_waiver_below=unit.review_waiver_below if unit else None, company=company, unit=unit
    )


def authority_ceiling_for(*, unit_id: int | None, on: dt.date | None = None) -> UnitAuthorityCeiling | None:
    """The discount-authority ceiling the admin set for a unit, in force on a day (None: none set)."""
    if unit_id is None:
        return None
    on = on or timezone.localdate()
    return (
        UnitAuthorityCeiling.objects.filter(unit_id=unit_id, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )


@dataclass(frozen=True)
class Authority:
    percent: Decimal
    source: str  # "personal", "level", "default"
    row: DiscountAuthority | None


def discount_authority_for(*, user, on: dt.date | None = None) -> Authority:
    """The maximum discount in force for a salesperson: their own row, else their level's, else the default."""
    on = on or timezone.localdate()
    own = DiscountAuthority.objects.filter(user=user).in_force(on)
    if own:
        return Authority(own.max_discount_percent, "personal", own)
    level = DiscountAuthority.objects.filter(level__members=user).in_force(on)
    if level:
        return Authority(level.max_discount_percent, "level", level)
    return Authority(effective_policy(unit_id=user.unit_id, on=on).default_discount_percent, "default", None)


def authorities_for(*, users, on: dt.date | None = None) -> dict[int, Authority]:
    """discount_authority_for() for many people in three queries (for the admin page)."""
    on = on or timezone.localdate()
    users = list(users)
    rows = list(
        DiscountAuthority.objects.filter(effective_from__lte=on)
        .filter(Q(user__in=users) | Q(level__members__in=users))
        .order_by("-effective_from", "-id")
        .distinct()
    )
    level_of = dict(SalesLevel.members.through.objects.filter(user__in=users).values_list("user_id", "saleslevel_id"))
    default = policy_in_force(on=on).default_discount_percent
    result = {}
    for user in users:
        own = next((r for r in rows if r.user_id == user.pk), None)
        level = next((r for r in rows if r.level_id and r.level_id == level_of.get(user.pk)), None)
        if own:
            result[user.pk] = Authority(own.max_discount_percent, "personal", own)
        elif level:
            result[user.pk] = Authority(level.max_discount_percent, "level", level)
        else:
            result[user.pk] = Authority(default, "default", None)
    return result


def price_in_force(*, product: Product, on: dt.date | None = None) -> PriceListItem | None:
    """The price-list item in force for a product on a day: from the latest list effective by then."""
    on = on or timezone.localdate()
    return (
        PriceListItem.objects.filter(product=product, price_list__effective_from__lte=on)
        .select_related("price_list")
        .order_by("-price_list__effective_from", "-price_list_id")
        .first()
    )


def current_price_subquery(*, on: dt.date, column: str = "standard_price") -> Subquery:
    items = PriceListItem.objects.filter(product=OuterRef("pk"), price_list__effective_from__lte=on).order_by(
        "-price_list__effective_from", "-price_list_id"
    )
    return Subquery(items.values(column)[:1])


def products_with_prices(*, on: dt.date | None = None, with_cost: bool = False):
    on = on or timezone.localdate()
    qs = Product.objects.annotate(current_price=current_price_subquery(on=on))
    if with_cost:
        qs = qs.annotate(current_cost=current_price_subquery(on=on, column="cost"))
    return qs.order_by("code")


# --- receivables -------------------------------------------------------------------------------------------------


def with_paid(qs):
    """Annotate contracts with `paid_total` and `paid_retention` (subqueries: no row multiplication)."""
    paid = (
        Payment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    paid_ret = (
        Payment.objects.filter(contract=OuterRef("pk"), kind=PaymentKind.RETENTION)
        .order_by()
        .values("contract")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return qs.annotate(
        paid_total=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        paid_retention=Coalesce(Subquery(paid_ret, output_field=MONEY), Value(ZERO), output_field=MONEY),
    )


def customer_open_receivables(*, customer_id: int, exclude_contract_id: int | None = None) -> Decimal:
    """What the customer still owes on signed contracts (amount minus everything paid)."""
    qs = with_paid(Contract.objects.filter(customer_id=customer_id, status__in=SOLD_STATUSES))
    if exclude_contract_id:
        qs = qs.exclude(pk=exclude_contract_id)
    total = ZERO
    for amount, paid in qs.values_list("amount", "paid_total"):
        total += max(ZERO, amount - paid)
    return total


BUCKETS = ("0-30", "31-60", "61-90", "90+")


def bucket_for(days: int) -> str:
    if days <= 30:
        return "0-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


@dataclass
class Receivable:
    """A contract's receivable on a day. `balance` = amount - paid; `retention_outstanding` is the part of it that
    is retention money (due on retention_due_on, not aged); the rest is aged from the shipment dates, paid oldest
    first; `unshipped` is the part of the rest not yet shipped (not yet due)."""

    contract_id: int
    amount: Decimal
    paid: Decimal
    balance: Decimal
    retention_amount: Decimal
    retention_paid: Decimal
    retention_outstanding: Decimal
    retention_due_on: dt.date | None
    retention_overdue: bool
    aging: dict[str, Decimal] = field(default_factory=dict)
    unshipped: Decimal = ZERO
    oldest_unpaid_shipment: dt.date | None = None

    @property
    def fully_paid(self) -> bool:
        return self.balance <= 0

    @property
    def collected_except_retention(self) -> bool:
        return self.balance - self.retention_outstanding <= 0


def compute_receivable(
    *,
    contract_id: int,
    amount: Decimal,
    retention_amount: Decimal,
    retention_due_on: dt.date | None,
    payments: list[tuple[Decimal, str]],
    shipments: list[tuple[dt.date, Decimal]],
    as_of: dt.date,
) -> Receivable:
    """Pure computation behind receivable_for(); shipments are (shipped_on, value) in date order."""
    paid = sum((a for a, _ in payments), ZERO)
    retention_paid = sum((a for a, k in payments if k == PaymentKind.RETENTION), ZERO)
    balance = max(ZERO, amount - paid)
    retention_outstanding = min(balance, max(ZERO, retention_amount - retention_paid))
    non_retention_due = balance - retention_outstanding
    aging = dict.fromkeys(BUCKETS, ZERO)
    # Shipments recorded without value (legacy rows) count as shipping the whole contract at the first date.
    if shipments and sum((v for _, v in shipments), ZERO) <= 0:
        shipments = [(shipments[0][0], amount)]
    share = (amount - retention_amount) / amount if amount > 0 else Decimal("1")
    # Receivable (retention excluded) created by each shipment; payments other than retention clear them oldest first.
    remaining_credit = paid - retention_paid
    oldest = None
    shipped_total = ZERO
    for shipped_on, value in shipments:
        due = round_money(value * share)
        shipped_total += due
        cleared = min(due, max(ZERO, remaining_credit))
        remaining_credit -= cleared
        open_part = due - cleared
        if open_part > 0:
            aging[bucket_for((as_of - shipped_on).days)] += open_part
            oldest = oldest or shipped_on
    aged_total = sum(aging.values(), ZERO)
    # Anything still due beyond what shipments account for has not been shipped yet.
    unshipped = max(ZERO, non_retention_due - aged_total)
    if aged_total > non_retention_due:  # rounding of shares: trim the newest bucket
        excess = aged_total - non_retention_due
        for key in reversed(BUCKETS):
            cut = min(excess, aging[key])
            aging[key] -= cut
            excess -= cut
    return Receivable(
        contract_id=contract_id,
        amount=amount,
        paid=paid,
        balance=balance,
        retention_amount=retention_amount,
        retention_paid=retention_paid,
        retention_outstanding=retention_outstanding,
        retention_due_on=retention_due_on,
        retention_overdue=bool(retention_outstanding > 0 and retention_due_on and retention_due_on < as_of),
        aging=aging,
        unshipped=unshipped,
        oldest_unpaid_shipment=oldest,
    )


@dataclass(frozen=True)
class _Terms:
    """The contract fields a receivable needs (so large books are read as tuples, not model instances)."""

    pk: int
    amount: Decimal
    retention_amount: Decimal
    retention_due_on: dt.date | None


def _receivables(terms: list, *, as_of: dt.date, payments_qs, shipments_qs) -> dict[int, Receivable]:
    pays: dict[int, list] = defaultdict(list)
    for cid, amount, kind in payments_qs.values_list("contract_id", "amount", "kind"):
        pays[cid].append((amount, kind))
    ships: dict[int, list] = defaultdict(list)
    for cid, on, value in shipments_qs.order_by("shipped_on", "id").values_list("contract_id", "shipped_on", "amount"):
        ships[cid].append((on, value))
    return {
        c.pk: compute_receivable(
            contract_id=c.pk,
            amount=c.amount,
            retention_amount=c.retention_amount,
            retention_due_on=c.retention_due_on,
            payments=pays[c.pk],
            shipments=ships[c.pk],
            as_of=as_of,
        )
        for c in terms
    }


def receivables_for(*, contracts, as_of: dt.date | None = None) -> dict[int, Receivable]:
    """Receivables of many contracts in three queries (contracts, payments, shipments), keyed by contract id.
    `contracts` is a queryset (already filtered with visible_to) or a list of Contract rows."""
    as_of = as_of or timezone.localdate()
    rows = list(contracts)
    ids = [c.pk for c in rows]
    return _receivables(
        rows,
        as_of=as_of,
        payments_qs=Payment.objects.filter(contract_id__in=ids),
        shipments_qs=Shipment.objects.filter(contract_id__in=ids),
    )


def receivable_for(*, contract: Contract, as_of: dt.date | None = None) -> Receivable:
    return receivables_for(contracts=[contract], as_of=as_of)[contract.pk]


@dataclass
class AgingSummary:
    """Open receivables of a set of contracts, oldest signing first. `receivables` covers every open contract
    (for the totals); `rows_for()` loads the contracts of a slice of them (one query) for display."""

    as_of: dt.date
    receivables: list[Receivable]
    totals: dict[str, Decimal]
    balance: Decimal
    retention: Decimal
    unshipped: Decimal

    def rows_for(self, receivables: list[Receivable]) -> list[tuple[Contract, Receivable]]:
        ids = [r.contract_id for r in receivables]
        contracts = Contract.objects.select_related("customer", "owner").in_bulk(ids)
        return [(contracts[r.contract_id], r) for r in receivables]

    @property
    def rows(self) -> list[tuple[Contract, Receivable]]:
        """Every open contract with its receivable (loads all of them: prefer rows_for() on a page)."""
        return self.rows_for(self.receivables)


def receivables_aging(*, user, as_of: dt.date | None = None, customer_id: int | None = None) -> AgingSummary:
    """Open receivables of the contracts the user may see, with 0-30/31-60/61-90/90+ buckets from shipment dates.
    The public selector other apps call (reports, reminders). Three queries however large the book."""
    as_of = as_of or timezone.localdate()
    qs = with_paid(Contract.objects.visible_to(user).filter(status__in=SOLD_STATUSES)).filter(
        amount__gt=F("paid_total")  # only contracts with something still open, filtered in SQL
    )
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    terms = [
        _Terms(*row)
        for row in qs.order_by("signed_on", "id").values_list("pk", "amount", "retention_amount", "retention_due_on")
    ]
    open_ids = qs.values("pk")
    recs = _receivables(
        terms,
        as_of=as_of,
        payments_qs=Payment.objects.filter(contract__in=open_ids),
        shipments_qs=Shipment.objects.filter(contract__in=open_ids),
    )
    receivables = [recs[t.pk] for t in terms if recs[t.pk].balance > 0]
    totals = dict.fromkeys(BUCKETS, ZERO)
    for r in receivables:
        for k in BUCKETS:
            totals[k] += r.aging[k]
    return AgingSummary(
        as_of=as_of,
        receivables=receivables,
        totals=totals,
        balance=sum((r.balance for r in receivables), ZERO),
        retention=sum((r.retention_outstanding for r in receivables), ZERO),
        unshipped=sum((r.unshipped for r in receivables), ZERO),
    )


# --- rule facts --------------------------------------------------------------------------------------------------


def _line_facts(lines) -> tuple[rules.LineFacts, ...]:
    return tuple(
        rules.LineFacts(
            product=line.product.code,
            quantity=line.quantity,
            # Lines written without a list price (other apps' fixtures, old rows) were sold at their unit price.
            list_price=line.list_price or line.unit_price,
            discount_percent=line.discount_percent,
            unit_price=line.unit_price,
            standard_price=line.standard_price,
            unit_cost=line.unit_cost,
        )
        for line in lines
    )


def deal_facts_for_contract(*, contract: Contract, on: dt.date | None = None) -> rules.DealFacts:
    on = on or timezone.localdate()
    policy = effective_policy(unit_id=contract.unit_id, on=on)
    customer = contract.customer
    return rules.DealFacts(
        lines=_line_facts(contract.lines.select_related("product").all()),
        amount=contract.amount,
        cost_total=contract.cost_total,
        prepayment_amount=contract.prepayment_amount,
        prepayment_exception_reason=contract.prepayment_exception_reason,
        review_waiver_below=policy.review_waiver_below,
        discount_authority=discount_authority_for(user=contract.owner, on=on).percent,
        margin_review_percent=policy.margin_review_percent,
        prepayment_threshold=policy.prepayment_threshold,
        purchase_order_basis=contract.basis == "purchase_order",
        customer_trusted=customer.is_trusted,
        credit_limit=customer.credit_limit,
        open_receivables=customer_open_receivables(customer_id=customer.pk, exclude_contract_id=contract.pk),
    )


def deal_facts_for_quote(*, quote: Quote, on: dt.date | None = None) -> rules.DealFacts:
    on = on or timezone.localdate()
    policy = effective_policy(unit_id=quote.unit_id, on=on)
    return rules.DealFacts(
        lines=_line_facts(quote.lines.select_related("product").all()),
        amount=quote.amount,
        cost_total=quote.cost_total,
        discount_authority=discount_authority_for(user=quote.owner, on=on).percent,
        margin_review_percent=policy.margin_review_percent,
        prepayment_threshold=policy.prepayment_threshold,
        is_quote=True,
    )


def preview_rule_hits(
    *,
    owner,
    customer,
    priced_lines,
    prepayment_amount: Decimal = ZERO,
    basis: str = "contract",
    prepayment_exception_reason: str = "",
    on: dt.date | None = None,
) -> list[rules.RuleHit]:
    """The rules that would fire for an unsaved contract (the form's live preview); nothing is written."""
    on = on or timezone.localdate()
    policy = effective_policy(unit_id=owner.unit_id, on=on)
    amount = round_money(sum((p.quantity * p.unit_price for p in priced_lines), ZERO))
    cost = round_money(sum((p.quantity * p.unit_cost for p in priced_lines), ZERO))
    facts = rules.DealFacts(
        lines=tuple(
            rules.LineFacts(
                product=p.product.code,
                quantity=p.quantity,
                list_price=p.list_price,
                discount_percent=p.discount_percent,
                unit_price=p.unit_price,
                standard_price=p.standard_price,
                unit_cost=p.unit_cost,
            )
            for p in priced_lines
        ),
        amount=amount,
        cost_total=cost,
        prepayment_amount=prepayment_amount or ZERO,
        prepayment_exception_reason=prepayment_exception_reason or "",
        review_waiver_below=policy.review_waiver_below,
        discount_authority=discount_authority_for(user=owner, on=on).percent,
        margin_review_percent=policy.margin_review_percent,
        prepayment_threshold=policy.prepayment_threshold,
        purchase_order_basis=basis == "purchase_order",
        customer_trusted=customer.is_trusted,
        credit_limit=customer.credit_limit,
        open_receivables=customer_open_receivables(customer_id=customer.pk),
    )
    return rules.evaluate(facts)


def contract_rule_hits(*, contract: Contract) -> list[rules.RuleHit]:
    return rules.evaluate(deal_facts_for_contract(contract=contract))


def quote_rule_hits(*, quote: Quote) -> list[rules.RuleHit]:
    return rules.evaluate(deal_facts_for_quote(quote=quote))


# --- lists and details -------------------------------------------------------------------------------------------


def contract_list(*, user, filters: dict | None = None):
    filters = filters or {}
    qs = Contract.objects.visible_to(user).select_related("customer", "owner", "unit")
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if q := filters.get("q"):
        qs = qs.filter(Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(title__icontains=q))
    if filters.get("overdue_filing"):
        qs = qs.filter(status=ContractStatus.SIGNED, filing_due_on__lt=timezone.localdate())
    if filters.get("awaiting_me"):
        qs = qs.filter(pk__in=awaiting_approval_ids(user=user))
    return with_paid(qs).order_by("-created_at", "-id")


def awaiting_approval_ids(*, user):
    """Contracts in review with a pending approval (of the current round) this user may decide."""
    in_review = Contract.objects.visible_to(user).filter(status=ContractStatus.IN_REVIEW).exclude(owner=user)
    if user.is_manager:
        steps = Q(approver_role=ApproverRole.MANAGER) & ~Q(contract__owner__role=Role.MANAGER)
    elif user.is_gm_office:
        steps = Q(approver_role=ApproverRole.GM_OFFICE) | (
            Q(approver_role=ApproverRole.MANAGER) & Q(contract__owner__role=Role.MANAGER)
        )
    else:
        return Contract.objects.none().values("pk")
    return (
        ContractApproval.objects.filter(steps, contract__in=in_review, decision="pending")
        .filter(round=F("contract__review_round"))
        .values("contract_id")
    )


def contract_detail(*, user, pk: int) -> Contract:
    return (
        Contract.objects.visible_to(user)
        .select_related("customer", "owner", "unit", "po_consent_by", "quote")
        .prefetch_related(
            Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
            Prefetch("approvals", queryset=ContractApproval.objects.select_related("decided_by")),
            "events__actor",
            "shipments__lines__contract_line__product",
            "payments__recorded_by",
            "invoices",
        )
        .get(pk=pk)
    )


def customer_contracts(*, user, customer_id: int, limit: int = 20) -> list[tuple[Contract, Receivable]]:
    """Contracts of one customer visible to the user, with their receivable (bounded queries)."""
    contracts = list(
        Contract.objects.visible_to(user)
        .filter(customer_id=customer_id)
        .exclude(status=ContractStatus.CANCELLED)
        .select_related("owner")
        .order_by("-created_at")[:limit]
    )
    recs = receivables_for(contracts=contracts)
    return [(c, recs[c.pk]) for c in contracts]


def contracts_filing_overdue(*, today: dt.date | None = None):
    """Signed contracts not filed by their deadline (for reminders and the GM office's list). Not user-scoped:
    callers narrow it with .visible_to(user) or by owner."""
    today = today or timezone.localdate()
    return Contract.objects.filter(status=ContractStatus.SIGNED, filing_due_on__lt=today).select_related("owner")


def contracts_filing_due(*, on: dt.date):
    """Signed contracts whose filing deadline is `on` (remind the owner the day it falls due)."""
    return Contract.objects.filter(status=ContractStatus.SIGNED, filing_due_on=on).select_related("owner")


def is_filing_overdue(contract: Contract, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(contract.status == ContractStatus.SIGNED and contract.filing_due_on and contract.filing_due_on < today)


def find_documents(*, user, query: str, limit: int = 8) -> tuple[list[Quote], list[Contract]]:
    """The navbar search's quotes and contracts: by number (the start of it, any case: "c2026-0001")."""
    token = (query or "").strip().upper()
    if len(token) < 3 or " " in token:
        return [], []
    quotes = Quote.objects.visible_to(user).filter(number__startswith=token).select_related("customer")
    contracts = Contract.objects.visible_to(user).filter(number__startswith=token).select_related("customer")
    return list(quotes.order_by("number")[:limit]), list(contracts.order_by("number")[:limit])
