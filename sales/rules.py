"""The rule book's approval rules, one small named pure function each (no ORM access, no writes).

Each rule looks at a `DealFacts` (a contract or a quote, with the thresholds in force) and returns the
`RuleHit`s it fires, each saying who must approve (or which condition must be met) and why, with the numbers.
`evaluate()` runs them all and returns every hit, not only the first. Services build the facts
(`sales.selectors.deal_facts_for_contract`) and act on the hits; pages and the API show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext_lazy as _

from core.money import round_money

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

MANAGER = "manager"
GM_OFFICE = "gm_office"

HUNDRED = Decimal("100")


def margin_percent(amount: Decimal, cost: Decimal) -> Decimal | None:
    """Profit margin as a percentage of the amount, unrounded; None when there is no amount."""
    if amount <= 0:
        return None
    return (amount - cost) * HUNDRED / amount


@dataclass(frozen=True)
class LineFacts:
    product: str
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    unit_price: Decimal
    standard_price: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class DealFacts:
    lines: tuple[LineFacts, ...]
    amount: Decimal
    cost_total: Decimal
    _: KW_ONLY
    # The thresholds come from the policy in force for the deal's unit (`sales.selectors.effective_policy`): no
    # number of the rule book is written here.
    margin_review_percent: Decimal
    prepayment_threshold: Decimal
    prepayment_amount: Decimal = Decimal("0")
    discount_authority: Decimal = Decimal("0")
    purchase_order_basis: bool = False
    customer_trusted: bool = False
    credit_limit: Decimal | None = None
    open_receivables: Decimal = Decimal("0")
    is_quote: bool = False
    # 契約評審: contracts of at least this amount go to the unit's department review; None = every contract.
    review_waiver_below: Decimal | None = None
    prepayment_exception_reason: str = ""

    @property
    def margin_percent(self) -> Decimal | None:
        return margin_percent(self.amount, self.cost_total)


# Each rule's explanation, rendered in the viewer's language from the numbers stored with the hit.
MESSAGES = {
    "department_review": _("contract review (契約評審): the unit's department manager reviews every contract"),
    "price_below_standard": _("%(product)s: net price %(price)s is below the standard price %(standard)s"),
    "discount_beyond_authority": _("%(product)s: discount %(discount)s %% exceeds your %(authority)s %% authority"),
    "margin_below_threshold": _("margin %(margin)s %% is below %(threshold)s %%: the GM office must review"),
    "prepayment_required": _("amount %(amount)s is at least %(threshold)s: state a prepayment before it can be signed"),
    "prepayment_exception": _(
        "amount %(amount)s is at least %(threshold)s and has no prepayment: the GM office must approve the "
        "exception (reason: %(reason)s)"
    ),
    "purchase_order_untrusted": _("only trusted existing customers may order on a purchase order: use a full contract"),
    "purchase_order_consent": _("order on the customer's purchase order: needs the department's consent"),
    "credit_limit_exceeded": _(
        "open receivables %(open)s plus this contract %(amount)s exceed the customer's credit limit %(limit)s"
    ),
}
# What salespeople read instead, for rules whose numbers are confidential (cost, margin).
PUBLIC_MESSAGES = {
    "margin_below_threshold": _("the profit margin is below the company threshold: the GM office must review"),
}


def render(code: str, params: Mapping[str, Any], *, public: bool = False) -> str:
    template = (PUBLIC_MESSAGES.get(code) if public else None) or MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % params if params else str(template)


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired. `approver` is the role that must approve (None for a condition that must be met
    before the deal can go on); `blocking` hits cannot be approved away. `confidential` hits carry cost or
    margin figures: salespeople read the public message instead. `params` are the formatted numbers of the
    message, `data` the raw ones."""

    code: str
    params: dict[str, str] = field(default_factory=dict)
    approver: str | None = None
    blocking: bool = False
    confidential: bool = False
    data: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render(self.code, self.params)

    @property
    def public_message(self) -> str:
        return render(self.code, self.params, public=self.confidential)

    def message_for(self, see_cost: bool) -> str:
        return self.public_message if self.confidential and not see_cost else self.message

    def as_dict(self) -> dict[str, Any]:
        """Stored with approvals: the code and numbers (re-rendered in each reader's language) and, for the
        record, the text as it read when stored."""
        return {
            "code": self.code,
            "params": self.params,
            "message": self.message,
            "public_message": self.public_message,
            "approver": self.approver,
            "blocking": self.blocking,
            "confidential": self.confidential,
            "data": self.data,
        }


def stored_message(hit: Mapping[str, Any], see_cost: bool | None) -> str:
    """The message of a stored hit (see RuleHit.as_dict) for a reader who may (or may not) see cost, in the
    reader's language."""
    public = bool(hit.get("confidential")) and not see_cost
    if hit.get("code") in MESSAGES and "params" in hit:
        return render(hit["code"], hit["params"], public=public)
    return cast(str, hit.get("public_message", "") if public else hit.get("message", ""))


def can_see_cost(user: User | AnonymousUser | None) -> bool:
    """Cost and margins by role: managers, GM office, finance and admins. Salespeople only when the admin has
    switched `SalesPolicy.salespeople_see_cost` on: ask `sales.selectors.sees_cost`, which reads that setting."""
    return bool(user and user.is_authenticated and (user.is_manager or user.is_company_wide))


def visible_hits(hits: list[RuleHit], *, see_cost: bool) -> list[RuleHit]:
    """The hits a reader may learn of. Without cost sight a confidential hit is left out entirely: even a
    number-free "the margin is too low" is an oracle that gives the cost by bisecting the price in about 20
    calls. Such a reader learns it only by submitting, which is logged for their manager (docs/confidentiality.md).
    """
    return list(hits) if see_cost else [h for h in hits if not h.confidential]


def visible_stored_hits(hits: list[Mapping[str, Any]], *, see_cost: bool) -> list[Mapping[str, Any]]:
    """visible_hits() for hits stored with approvals (RuleHit.as_dict)."""
    return list(hits) if see_cost else [h for h in hits if not h.get("confidential")]


def hidden_codes(hits: list[RuleHit]) -> list[str]:
    """The codes of the confidential hits (those a reader without cost sight is not told of)."""
    return [h.code for h in hits if h.confidential]


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(Decimal('0.01')):f}"


def _money(value: Decimal) -> str:
    return f"{round_money(value):,.2f}"


# --- the rules -----------------------------------------------------------------------------------------------


def department_review(facts: DealFacts) -> list[RuleHit]:
    """契約評審: in principle every contract is reviewed by its unit's department manager before signing, whether
    or not another rule fires. A unit may waive it for contracts below an amount it sets (UnitSalesPolicy)."""
    if facts.is_quote:
        return []
    if facts.review_waiver_below is not None and facts.amount < facts.review_waiver_below:
        return []
    return [RuleHit(code="department_review", approver=MANAGER, data={"amount": str(facts.amount)})]


def price_below_standard(facts: DealFacts) -> list[RuleHit]:
    """A net price (after discount) below the group standard price (集團定價標準) needs the department manager,
    whether or not the discount is within the salesperson's authority. Exactly the standard price does not."""
    return [
        RuleHit(
            code="price_below_standard",
            approver=MANAGER,
            params={"product": line.product, "price": _money(line.unit_price), "standard": _money(line.standard_price)},
            data={
                "product": line.product,
                "net_price": str(line.unit_price),
                "list_price": str(line.list_price),
                "discount_percent": str(line.discount_percent),
                "standard_price": str(line.standard_price),
            },
        )
        for line in facts.lines
        if line.unit_price < line.standard_price
    ]


def discount_beyond_authority(facts: DealFacts) -> list[RuleHit]:
    """A discount beyond the salesperson's authority (折扣許可權) needs the department manager.
    A discount equal to the authority is within it."""
    return [
        RuleHit(
            code="discount_beyond_authority",
            approver=MANAGER,
            params={
                "product": line.product,
                "discount": _pct(line.discount_percent),
                "authority": _pct(facts.discount_authority),
            },
            data={
                "product": line.product,
                "discount_percent": str(line.discount_percent),
                "authority_percent": str(facts.discount_authority),
            },
        )
        for line in facts.lines
        if line.discount_percent > facts.discount_authority
    ]


def margin_below_threshold(facts: DealFacts) -> list[RuleHit]:
    """A profit margin below the threshold (20 % by default) needs the GM office. Exactly 20 % does not."""
    margin = facts.margin_percent
    if facts.is_quote or margin is None or margin >= facts.margin_review_percent:
        return []
    # Truncate for display, so 19.999 % never reads as "20 % is below 20 %".
    shown = margin.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [
        RuleHit(
            code="margin_below_threshold",
            approver=GM_OFFICE,
            confidential=True,
            params={"margin": _pct(shown), "threshold": _pct(facts.margin_review_percent)},
            data={"margin_percent": str(shown), "threshold": str(facts.margin_review_percent)},
        )
    ]


def prepayment_required(facts: DealFacts) -> list[RuleHit]:
    """An amount of 100,000 or more needs a prepayment (預付款) stated on the contract. Without one, a written reason
    makes it an exception the GM office must approve; with neither the contract cannot be submitted or signed."""
    if facts.is_quote or facts.amount < facts.prepayment_threshold or facts.prepayment_amount > 0:
        return []
    params = {"amount": _money(facts.amount), "threshold": _money(facts.prepayment_threshold)}
    data = {"amount": str(facts.amount), "threshold": str(facts.prepayment_threshold)}
    reason = facts.prepayment_exception_reason.strip()
    if reason:
        return [
            RuleHit(
                code="prepayment_exception",
                approver=GM_OFFICE,
                params={**params, "reason": reason},
                data={**data, "reason": reason},
            )
        ]
    return [RuleHit(code="prepayment_required", blocking=True, params=params, data=data)]


def purchase_order_basis(facts: DealFacts) -> list[RuleHit]:
    """An order based on the customer's signed purchase order: only for trusted customers, with the department's
    consent (the department manager's approval records it)."""
    if facts.is_quote or not facts.purchase_order_basis:
        return []
    if not facts.customer_trusted:
        return [RuleHit(code="purchase_order_untrusted", blocking=True)]
    return [RuleHit(code="purchase_order_consent", approver=MANAGER)]


def credit_limit_exceeded(facts: DealFacts) -> list[RuleHit]:
    """Open receivables plus this deal beyond the customer's credit limit (信用額度) need the manager."""
    if facts.is_quote or facts.credit_limit is None:
        return []
    if facts.open_receivables + facts.amount <= facts.credit_limit:
        return []
    return [
        RuleHit(
            code="credit_limit_exceeded",
            approver=MANAGER,
            params={
                "open": _money(facts.open_receivables),
                "amount": _money(facts.amount),
                "limit": _money(facts.credit_limit),
            },
            data={
                "open_receivables": str(facts.open_receivables),
                "amount": str(facts.amount),
                "credit_limit": str(facts.credit_limit),
            },
        )
    ]


def engineering_components(*, cost: Decimal, rates: Mapping[str, Decimal]) -> list[tuple[str, Decimal, Decimal]]:
    """工程成套項目: (name, rate %, amount) of each cost-plus component on the equipment-and-material cost C
    (design 8 %, commissioning 30 %, contingency 7 %, management 5 %, profit and tax 20 % by default)."""
    return [(name, rate, round_money(cost * rate / HUNDRED)) for name, rate in rates.items()]


def engineering_internal_price(*, cost: Decimal, rates: Mapping[str, Decimal]) -> Decimal:
    """The internal price (內部報價) of an engineering project: C plus its components (1.70 x C by default). It is
    the project line's standard price: the customer's price below it needs the department manager."""
    return round_money(cost + sum((a for _, _, a in engineering_components(cost=cost, rates=rates)), Decimal("0")))


def contract_filing_due(*, signed_on: dt.date, filing_days: int) -> dt.date:
    """契約備案: the business department hands the originals to finance, the GM office and administration within
    `filing_days` (3) days of signing; the day returned is the last on-time day (signed on the 1st: due the 4th)."""
    return signed_on + dt.timedelta(days=filing_days)


def contract_filing_late(*, filed_on: dt.date, due: dt.date | None) -> bool:
    """Filed after the last on-time day. Filing on the due day itself is on time."""
    return bool(due and filed_on > due)


def quote_valid_until(*, written_on: dt.date, valid_days: int) -> dt.date:
    """A quote written without a validity date is valid through `valid_days` (30) days after it is written: the day
    returned is the last valid day."""
    return written_on + dt.timedelta(days=valid_days)


RULES: tuple[Callable[[DealFacts], list[RuleHit]], ...] = (
    department_review,
    price_below_standard,
    discount_beyond_authority,
    margin_below_threshold,
    prepayment_required,
    purchase_order_basis,
    credit_limit_exceeded,
)


def evaluate(facts: DealFacts) -> list[RuleHit]:
    """Every hit of every rule, in rule order."""
    return [hit for rule in RULES for hit in rule(facts)]


def required_approvers(hits: list[RuleHit]) -> list[str]:
    order = [MANAGER, GM_OFFICE]
    roles = {hit.approver for hit in hits if hit.approver}
    return [r for r in order if r in roles]


def blocking(hits: list[RuleHit]) -> list[RuleHit]:
    return [hit for hit in hits if hit.blocking]
