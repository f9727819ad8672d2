"""Reads of the sales app for pages, the API, reports and other apps. Never writes."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from accounts.unit_policy import overlay
from core.money import ZERO, round_money

from . import rules
from .models import (
    SOLD_STATUSES,
    ApproverRole,
    Contract,
    ContractApproval,
    ContractEvent,
    ContractLine,
    ContractStatus,
    DiscountAuthority,
    InquiryStatus,
    Payment,
    PaymentKind,
    PriceInquiry,
    PriceListItem,
    Product,
    Quote,
    ReturnStatus,
    SalesLevel,
    SalesMethod,
    SalesPolicy,
    SalesReturn,
    SettlementMethod,
    UnitAuthorityCeiling,
    UnitSalesPolicy,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- policy and authority -------------------------------------------------------------------------------------


def sees_cost(user) -> bool:
    """May this user see cost, margin, the margin threshold and whether the margin rule fires? Managers, GM
    office, finance and admins always (rules.can_see_cost); salespeople only while the admin's setting
    `SalesPolicy.salespeople_see_cost` in force today says so (default: hidden). Remembered on the user object
    for the rest of the request (one query, however many serializers ask)."""
    if rules.can_see_cost(user):
        return True
    if user is None or not user.is_authenticated or not user.is_salesperson:
        return False
    memo = getattr(user, "_sees_cost_memo", None)
    if memo is None:
        memo = bool(policy_in_force().salespeople_see_cost)
        user._sees_cost_memo = memo
    return memo


def policy_in_force(*, on: dt.date | None = None) -> SalesPolicy:
    """The policy row in force on a day; an unsaved row with the rule book's defaults if none exists."""
    on = on or timezone.localdate()
    return SalesPolicy.objects.in_force(on) or SalesPolicy(effective_from=on)


def unit_policy_in_force(*, unit_id: int | None, on: dt.date | None = None) -> UnitSalesPolicy | None:
    """The unit's own policy row in force on a day: the latest *approved* row effective by then (or None)."""
    return UnitSalesPolicy.objects.in_force(unit_id=unit_id, on=on or timezone.localdate())


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
    values = overlay(company, unit, UNIT_OVERRIDABLE)
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


@functools.cache
def _paid_annotations() -> dict[str, Coalesce]:
    """with_paid's three subquery expressions, built once (profiled: building them was a tenth of a contracts
    list request's Python time). Django copies an expression when a queryset resolves it, so one instance serves
    every queryset."""
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
    returned = (
        SalesReturn.objects.filter(contract=OuterRef("pk"), status=ReturnStatus.APPROVED)
        .order_by()
        .values("contract")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return {
        name: Coalesce(Subquery(sub, output_field=MONEY), Value(ZERO), output_field=MONEY)
        for name, sub in (("paid_total", paid), ("paid_retention", paid_ret), ("returned_total", returned))
    }


def with_paid(qs, *, retention: bool = True):
    """Annotate contracts with `paid_total`, `paid_retention` and `returned_total` (approved returns credited to
    the customer) as subqueries: no row multiplication; lists that show only the amount paid leave the other two
    subqueries out (retention=False)."""
    sums = _paid_annotations()
    qs = qs.annotate(paid_total=sums["paid_total"])
    if not retention:
        return qs
    return qs.annotate(paid_retention=sums["paid_retention"], returned_total=sums["returned_total"])


def customer_open_receivables(*, customer_id: int, exclude_contract_id: int | None = None) -> Decimal:
    """What the customer still owes on signed contracts (amount minus everything paid)."""
    qs = with_paid(Contract.objects.filter(customer_id=customer_id, status__in=SOLD_STATUSES))
    if exclude_contract_id:
        qs = qs.exclude(pk=exclude_contract_id)
    total = ZERO
    for amount, paid, returned in qs.values_list("amount", "paid_total", "returned_total"):
        total += max(ZERO, amount - paid - returned)
    return total


def contract_balance(*, contract: Contract) -> tuple[Decimal, Decimal]:
    """(balance, retention paid) of a contract: its amount less every payment and approved return (a credit), and
    the retention money received. What is due when, and what is overdue, is the receivables app's."""
    row = with_paid(Contract.objects.filter(pk=contract.pk)).values_list(
        "amount", "paid_total", "paid_retention", "returned_total"
    )
    amount, paid, retention_paid, returned = row.get()
    return max(ZERO, amount - paid - returned), retention_paid


# --- returns (退貨) ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnFact:
    """An approved return as the other apps read it: counted on `on` (the day it was approved)."""

    id: int
    contract_id: int
    owner_id: int
    unit_id: int
    customer_id: int
    product_id: int
    on: dt.date
    quantity: Decimal
    amount: Decimal  # credited to the customer
    unit_price: Decimal
    standard_price: Decimal
    product_code: str

    @property
    def above_standard(self) -> Decimal:
        """Σ max(0, unit price − standard price) × quantity of the goods returned (unrounded)."""
        return max(ZERO, self.unit_price - self.standard_price) * self.quantity


def approved_returns():
    """Approved returns (every app reads returns from here): filter further by contract or `decided_on`."""
    return SalesReturn.objects.filter(status=ReturnStatus.APPROVED)


def return_facts(*, contract_ids=None, start: dt.date | None = None, end: dt.date | None = None) -> list[ReturnFact]:
    """Approved returns of some contracts and/or approved from `start` to `end`, oldest first (one query)."""
    qs = approved_returns()
    if contract_ids is not None:
        qs = qs.filter(contract_id__in=list(contract_ids))
    if start is not None:
        qs = qs.filter(decided_on__gte=start)
    if end is not None:
        qs = qs.filter(decided_on__lte=end)
    rows = qs.order_by("decided_on", "id").values_list(
        "id",
        "contract_id",
        "contract__owner_id",
        "contract__unit_id",
        "contract__customer_id",
        "contract_line__product_id",
        "decided_on",
        "quantity",
        "amount",
        "contract_line__unit_price",
        "contract_line__standard_price",
        "contract_line__product__code",
    )
    return [ReturnFact(*row) for row in rows]


def returns_of(*, contract: Contract):
    """Every return recorded on a contract (any status), newest first, for its page."""
    return (
        SalesReturn.objects.filter(contract=contract)
        .select_related("contract__owner", "contract_line__product", "requested_by", "decided_by")
        .order_by("-created_at", "-id")
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
    is_quote: bool = False,
) -> list[rules.RuleHit]:
    """The rules that would fire for an unsaved contract or quote (the form's live preview); nothing is written."""
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
        open_receivables=ZERO if is_quote else customer_open_receivables(customer_id=customer.pk),
        is_quote=is_quote,
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
        .select_related("customer", "owner", "unit", "po_consent_by", "quote", "settlement_method", "sales_method")
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


def customer_contracts(*, user, customer_id: int, limit: int = 20) -> list[tuple[Contract, Decimal]]:
    """Contracts of one customer visible to the user, with their balance (amount − payments; one query).
    What is due or overdue is the receivables app's statement of account."""
    contracts = list(
        with_paid(Contract.objects.visible_to(user))
        .filter(customer_id=customer_id)
        .exclude(status=ContractStatus.CANCELLED)
        .select_related("owner")
        .order_by("-created_at")[:limit]
    )
    return [(c, max(ZERO, c.amount - c.paid_total)) for c in contracts]


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


# --- settlement and sales methods (結算方式、銷售方式) ------------------------------------------------------------


def settlement_methods(*, active_only: bool = True):
    qs = SettlementMethod.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def sales_methods(*, active_only: bool = True):
    qs = SalesMethod.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def method_labels(kind: str) -> dict[str, str]:
    """code -> name in the active language, for "settlement" or "sales" (one query; inactive entries included, so
    old records and targets keep their labels)."""
    model = SettlementMethod if kind == "settlement" else SalesMethod
    return {m.code: m.label for m in model.objects.all()}


def find_method(kind: str, key) -> SettlementMethod | SalesMethod | None:
    """The active method whose code or name (either language) is `key`, case-insensitive (imports, split forms)."""
    model = SettlementMethod if kind == "settlement" else SalesMethod
    text = str(key or "").strip()
    if not text:
        return None
    return (
        model.objects.filter(is_active=True)
        .filter(Q(code__iexact=text) | Q(name=text) | Q(name_en__iexact=text))
        .order_by("position")
        .first()
    )


# --- written price inquiries (書面詢價) ------------------------------------------------------------------------------


def inquiries_visible_to(user):
    """Price inquiries the user may see (see sales.permissions.may_see_inquiry), in SQL."""
    if user.is_company_wide:
        return PriceInquiry.objects.all()
    q = Q(requested_by=user)
    if user.unit_id:
        q |= Q(requesting_unit_id=user.unit_id)
    if user.is_manager:
        units = list(user.team_unit_ids)
        q |= Q(requesting_unit_id__in=units) | Q(producing_unit_id__in=units)
    return PriceInquiry.objects.filter(q)


def inquiry_in_force(*, product_id: int, unit_id: int | None, on: dt.date | None = None) -> PriceInquiry | None:
    """The answer a quote of `unit_id` prices `product_id` from on a day: the latest answered inquiry of that unit
    still valid that day (valid_until is the last valid day)."""
    if unit_id is None:
        return None
    on = on or timezone.localdate()
    return (
        PriceInquiry.objects.filter(
            product_id=product_id, requesting_unit_id=unit_id, status=InquiryStatus.ANSWERED, valid_until__gte=on
        )
        .order_by("-answered_at", "-id")
        .first()
    )


def inquiry_missing_reason(*, product_id: int, unit_id: int | None, on: dt.date | None = None) -> str:
    """Why a product has no answered price in force for the unit: for the error naming the line."""
    from django.utils.translation import gettext as _

    on = on or timezone.localdate()
    latest = (
        PriceInquiry.objects.filter(product_id=product_id, requesting_unit_id=unit_id)
        .exclude(status=InquiryStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
        if unit_id
        else None
    )
    if latest is None:
        return _("no price inquiry has been sent")
    if latest.status == InquiryStatus.OPEN:
        return _("inquiry %(number)s still awaits the producing unit's answer") % {"number": latest.number}
    return _("the answer to inquiry %(number)s was valid until %(date)s") % {
        "number": latest.number,
        "date": latest.valid_until.isoformat() if latest.valid_until else "—",
    }


# --- confidential rules: who tried what ----------------------------------------------------------------------


def hidden_rule_trips(*, viewer):
    """Submissions that tripped a rule hidden from their submitter (the margin rule, for a salesperson who may not
    see cost), newest first. Submitting is the only way such a salesperson learns of the rule, so every try is
    here: for their manager (their units), the GM office, finance and admins; for nobody else."""
    if not rules.can_see_cost(viewer):
        return ContractEvent.objects.none()
    return (
        ContractEvent.objects.visible_to(viewer)
        .filter(action="submitted", data__has_key="hidden_rules")
        .select_related("contract", "actor")
        .order_by("-at", "-id")
    )


def hidden_rule_trip_counts(*, viewer, since: dt.datetime) -> list[dict]:
    """Per submitter: how many such submissions since a moment (the page's summary), most first."""
    rows = (
        hidden_rule_trips(viewer=viewer)
        .filter(at__gte=since)
        .order_by()
        .values("actor_id", "actor__full_name", "actor__username")
        .annotate(tries=Count("id"), contracts=Count("contract_id", distinct=True))
        .order_by("-tries", "actor__full_name")
    )
    return list(rows)


def find_documents(*, user, query: str, limit: int = 8) -> tuple[list[Quote], list[Contract]]:
    """The navbar search's quotes and contracts: by number (the start of it, any case: "c2026-0001")."""
    token = (query or "").strip().upper()
    if len(token) < 3 or " " in token:
        return [], []
    quotes = Quote.objects.visible_to(user).filter(number__startswith=token).select_related("customer")
    contracts = Contract.objects.visible_to(user).filter(number__startswith=token).select_related("customer")
    return list(quotes.order_by("number")[:limit]), list(contracts.order_by("number")[:limit])
