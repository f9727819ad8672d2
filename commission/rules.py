"""The commission rule book as small pure functions: no ORM, no I/O, Decimal only.

Input: facts about a contract (lines, payments, first shipment, cost, approved expenses, bonuses) and the rule
sets with their effective dates. Output: `Entry` rows per month, each naming its rule and its inputs.

Decisions (also in commission/README.md):
- A month uses the newest rule set effective on or before its last day.
- Commission earned = Σ max(0, unit price − standard price) × quantity × commission %, valued with the rules of
  the month the contract is first settled (its non-retention part fully collected). The released part is
  rounded to the cent; the retention-held part is the earned amount minus what was released, so both add up to
  the earned amount to the cent.
- Interest: the clock starts at the first shipment; the amount still unpaid (retention excluded) after the
  grace months accrues the monthly rate pro rata per day of the calendar month (a partial month pays
  days/days-in-month of the rate). A payment counts from the day it is paid.
- Expense excess: allowance (margin < threshold: % of gross profit; else % of sales; no recorded cost: % of
  sales, as the book's "above 6 % of sales") is compared with approved expenses when the contract is settled;
  expenses approved later move the excess in the month they are approved.
- Cooperation bonus: rate × sales (or gross profit), released when the contract is settled.
- Amounts are rounded (ROUND_HALF_UP) only once, at each line's total.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import ZERO, round_money

# Components of a statement line.
RELEASE = "release"
RETENTION_RELEASE = "retention_release"
INTEREST = "interest"
EXPENSE = "expense_excess"
BONUS = "cooperation_bonus"
HELD = "held"  # information only: commission earned but not yet released
MONEY_COMPONENTS = (RELEASE, RETENTION_RELEASE, INTEREST, EXPENSE, BONUS)

RETENTION_KIND = "retention"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Month starts from first's month to last's month, inclusive."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


@dataclass(frozen=True)
class Rules:
    id: int | None
    name: str
    effective_from: dt.date
    commission_rate: Decimal = Decimal("0.5")
    retention_hold_rate: Decimal = Decimal("0.2")
    interest_grace_months: int = 2
    interest_rate: Decimal = Decimal("0.01")
    margin_threshold: Decimal = Decimal("0.25")
    low_margin_rate: Decimal = Decimal("0.2")
    high_margin_rate: Decimal = Decimal("0.06")
    market_fund_rate: Decimal = Decimal("0.02")

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "effective_from": self.effective_from.isoformat(),
            "commission_rate": str(self.commission_rate),
            "retention_hold_rate": str(self.retention_hold_rate),
            "interest_grace_months": self.interest_grace_months,
            "interest_rate": str(self.interest_rate),
            "margin_threshold": str(self.margin_threshold),
            "low_margin_rate": str(self.low_margin_rate),
            "high_margin_rate": str(self.high_margin_rate),
            "market_fund_rate": str(self.market_fund_rate),
        }


DEFAULT_RULES = Rules(id=None, name="Rule book defaults", effective_from=dt.date(2000, 1, 1))


class RuleBook:
    """Rule sets ordered by effective date; for_month picks the one in force on the month's last day."""

    def __init__(self, rule_sets: Iterable[Rules]):
        self.rule_sets = sorted(rule_sets, key=lambda r: r.effective_from)

    def for_month(self, month: dt.date) -> Rules:
        end = month_end(month)
        chosen = None
        for rules in self.rule_sets:
            if rules.effective_from <= end:
                chosen = rules
            else:
                break
        if chosen is None:
            return self.rule_sets[0] if self.rule_sets else DEFAULT_RULES
        return chosen


@dataclass(frozen=True)
class PaymentFact:
    id: int
    paid_on: dt.date
    amount: Decimal
    kind: str


@dataclass(frozen=True)
class ExpenseFact:
    id: int
    approved_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class BonusFact:
    staff_id: int
    rate: Decimal  # a fraction
    basis: str  # "sales" or "profit"


@dataclass(frozen=True)
class ContractFacts:
    id: int
    number: str
    owner_id: int
    unit_id: int | None
    sold: bool  # signed or filed; anything else earns nothing
    signed_on: dt.date | None
    amount: Decimal
    retention: Decimal
    above_standard: Decimal  # Σ max(0, unit price − standard price) × quantity, unrounded
    payments: tuple[PaymentFact, ...] = ()
    first_shipped_on: dt.date | None = None
    cost: Decimal | None = None
    expenses: tuple[ExpenseFact, ...] = ()
    bonuses: tuple[BonusFact, ...] = ()
    customer: str = ""

    @property
    def target(self) -> Decimal:
        """The part that must be collected before commission is settled: everything but retention."""
        return max(ZERO, self.amount - self.retention)


def above_standard(lines: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """lines: (quantity, unit_price, standard_price). Lines sold at or below standard contribute nothing."""
    return sum((max(ZERO, price - standard) * qty for qty, price, standard in lines), ZERO)


@dataclass
class Entry:
    """One line of a statement. `amount` is money moved this month (info lines: the amount held)."""

    user_id: int
    contract_id: int
    month: dt.date
    component: str
    amount: Decimal
    rule: str
    params: dict = field(default_factory=dict)
    confidential: dict = field(default_factory=dict)  # inputs that salespeople must not see (cost, profit)
    info: bool = False


@dataclass(frozen=True)
class Settlement:
    main: PaymentFact | None  # the payment that completed the non-retention part
    full: PaymentFact | None  # the payment that completed the whole amount (retention included)


def _sorted_payments(facts: ContractFacts) -> list[PaymentFact]:
    return sorted(facts.payments, key=lambda p: (p.paid_on, p.id))


def collected(facts: ContractFacts, on: dt.date) -> tuple[Decimal, Decimal]:
    """(non-retention payments, all payments) paid on or before `on`."""
    nonret = total = ZERO
    for p in facts.payments:
        if p.paid_on <= on:
            total += p.amount
            if p.kind != RETENTION_KIND:
                nonret += p.amount
    return nonret, total


def settlement(facts: ContractFacts) -> Settlement:
    if facts.amount <= 0:
        return Settlement(None, None)
    nonret = total = ZERO
    main = full = None
    for p in _sorted_payments(facts):
        total += p.amount
        if p.kind != RETENTION_KIND:
            nonret += p.amount
        if main is None and (nonret >= facts.target or total >= facts.amount):
            main = p
        if full is None and total >= facts.amount:
            full = p
    return Settlement(main, full)


def unpaid_base(facts: ContractFacts, on: dt.date) -> Decimal:
    """The overdue-interest base on a day: the non-retention part not yet collected."""
    nonret, total = collected(facts, on)
    return max(ZERO, min(facts.target - nonret, facts.amount - total))


@dataclass(frozen=True)
class Valuation:
    earned: Decimal  # rounded
    released_first: Decimal  # rounded: what is released when the non-retention part is collected
    held_for_retention: Decimal  # earned − released_first
    rules: Rules


def value_commission(facts: ContractFacts, rules: Rules) -> Valuation:
    exact = facts.above_standard * rules.commission_rate
    earned = round_money(exact)
    if facts.retention > 0:
        first = round_money(exact * (1 - rules.retention_hold_rate))
    else:
        first = earned
    return Valuation(earned=earned, released_first=first, held_for_retention=earned - first, rules=rules)


@dataclass(frozen=True)
class Allowance:
    amount: Decimal  # rounded
    branch: str  # "low_margin", "high_margin" or "no_cost"
    margin: Decimal | None
    gross_profit: Decimal | None


def expense_allowance(facts: ContractFacts, rules: Rules) -> Allowance:
    if facts.cost is None or facts.amount <= 0:
        return Allowance(round_money(facts.amount * rules.high_margin_rate), "no_cost", None, None)
    profit = facts.amount - facts.cost
    margin = profit / facts.amount
    if margin < rules.margin_threshold:
        return Allowance(round_money(max(ZERO, profit) * rules.low_margin_rate), "low_margin", margin, profit)
    return Allowance(round_money(facts.amount * rules.high_margin_rate), "high_margin", margin, profit)


def pct(rate: Decimal) -> str:
    """A rate as a percentage string without trailing zeros: Decimal('0.5') -> '50'."""
    value = (rate * 100).normalize()
    return f"{value:f}"


def _m(value: Decimal) -> str:
    return str(round_money(value))


def interest_for_month(facts: ContractFacts, rules: Rules, month: dt.date) -> Entry | None:
    if facts.first_shipped_on is None or not facts.sold:
        return None
    grace_end = add_months(facts.first_shipped_on, rules.interest_grace_months)
    start = max(month, grace_end + dt.timedelta(days=1))
    end = month_end(month)
    if start > end:
        return None
    days_in_month = end.day
    # Segments of constant unpaid balance: a payment changes the balance from its own day.
    change_days = sorted({p.paid_on for p in facts.payments if start < p.paid_on <= end})
    bounds = [start, *change_days, end + dt.timedelta(days=1)]
    exact = ZERO
    segments = []
    for seg_start, seg_next in itertools.pairwise(bounds):
        base = unpaid_base(facts, seg_start)
        days = (seg_next - seg_start).days
        if base > 0 and days > 0:
            exact += base * rules.interest_rate * days / days_in_month
            segments.append(
                {
                    "from": seg_start.isoformat(),
                    "to": (seg_next - dt.timedelta(days=1)).isoformat(),
                    "days": days,
                    "base": _m(base),
                }
            )
    if not segments:
        return None
    amount = -round_money(exact)
    if amount == 0:
        return None
    return Entry(
        user_id=facts.owner_id,
        contract_id=facts.id,
        month=month,
        component=INTEREST,
        amount=amount,
        rule="interest",
        params={
            "shipped_on": facts.first_shipped_on.isoformat(),
            "overdue_from": (grace_end + dt.timedelta(days=1)).isoformat(),
            "grace_months": rules.interest_grace_months,
            "rate": pct(rules.interest_rate),
            "days_in_month": days_in_month,
            "days_overdue": sum(s["days"] for s in segments),
            "days_since_due": (end - grace_end).days,
            "base": segments[0]["base"],
            "segments": segments,
        },
    )


def contract_entries(
    facts: ContractFacts, book: RuleBook, upto: dt.date, *, since: dt.date | None = None
) -> list[Entry]:
    """Every money entry of a contract in the months up to and including `upto` (a month start).

    `since` (a month start) skips the interest of earlier months when the caller does not need them.
    """
    if not facts.sold:
        return []
    out: list[Entry] = []
    st = settlement(facts)
    upto_end = month_end(upto)
    settled_month = month_start(st.main.paid_on) if st.main and st.main.paid_on <= upto_end else None

    if settled_month is not None:
        rules = book.for_month(settled_month)
        val = value_commission(facts, rules)
        base_params = {
            "above_standard": _m(facts.above_standard),
            "commission_rate": pct(rules.commission_rate),
            "earned": _m(val.earned),
            "amount": _m(facts.amount),
            "retention": _m(facts.retention),
            "target": _m(facts.target),
            "payment_id": st.main.id,
            "paid_on": st.main.paid_on.isoformat(),
            "payment_amount": _m(st.main.amount),
        }
        if val.earned > 0:
            if facts.retention > 0:
                out.append(
                    Entry(
                        facts.owner_id,
                        facts.id,
                        settled_month,
                        RELEASE,
                        val.released_first,
                        "release_with_retention",
                        {
                            **base_params,
                            "hold_rate": pct(rules.retention_hold_rate),
                            "held": _m(val.held_for_retention),
                        },
                    )
                )
                if st.full is not None and st.full.paid_on <= upto_end and val.held_for_retention:
                    out.append(
                        Entry(
                            facts.owner_id,
                            facts.id,
                            month_start(st.full.paid_on),
                            RETENTION_RELEASE,
                            val.held_for_retention,
                            "retention_release",
                            {
                                **base_params,
                                "hold_rate": pct(rules.retention_hold_rate),
                                "payment_id": st.full.id,
                                "paid_on": st.full.paid_on.isoformat(),
                                "payment_amount": _m(st.full.amount),
                            },
                        )
                    )
            else:
                out.append(Entry(facts.owner_id, facts.id, settled_month, RELEASE, val.earned, "release", base_params))

        # Expense excess: first at settlement, then as later approvals move it.
        allowance = expense_allowance(facts, rules)
        months = sorted({settled_month} | {month_start(e.approved_on) for e in facts.expenses})
        previous = ZERO
        for m in months:
            if m < settled_month or m > upto:
                continue
            spent = sum((e.amount for e in facts.expenses if e.approved_on <= month_end(m)), ZERO)
            excess = max(ZERO, spent - allowance.amount)
            if excess != previous:
                confidential = {}
                if allowance.margin is not None:
                    confidential = {
                        "cost": _m(facts.cost),
                        "gross_profit": _m(allowance.gross_profit),
                        "margin": f"{(allowance.margin * 100).quantize(Decimal('0.01'))}",
                    }
                out.append(
                    Entry(
                        facts.owner_id,
                        facts.id,
                        m,
                        EXPENSE,
                        -(excess - previous),
                        f"expense_{allowance.branch}",
                        {
                            "amount": _m(facts.amount),
                            "expenses": _m(spent),
                            "allowance": _m(allowance.amount),
                            "excess": _m(excess),
                            "already_deducted": _m(previous),
                            "threshold": pct(rules.margin_threshold),
                            "low_rate": pct(rules.low_margin_rate),
                            "high_rate": pct(rules.high_margin_rate),
                        },
                        confidential,
                    )
                )
                previous = excess

        for bonus in facts.bonuses:
            if bonus.basis == "profit":
                if facts.cost is None:
                    continue  # released once finance records the cost, as an adjustment
                basis_amount = max(ZERO, facts.amount - facts.cost)
            else:
                basis_amount = facts.amount
            amount = round_money(basis_amount * bonus.rate)
            if amount:
                params = {"rate": pct(bonus.rate), "basis": bonus.basis, "paid_on": st.main.paid_on.isoformat()}
                confidential = {}
                if bonus.basis == "profit":
                    confidential = {"basis_amount": _m(basis_amount)}
                else:
                    params["basis_amount"] = _m(basis_amount)
                out.append(
                    Entry(
                        bonus.staff_id,
                        facts.id,
                        settled_month,
                        BONUS,
                        amount,
                        "cooperation_bonus",
                        params,
                        confidential,
                    )
                )

    if facts.first_shipped_on is not None:
        first = max(facts.first_shipped_on, since) if since else facts.first_shipped_on
        for m in months_between(first, upto_end):
            entry = interest_for_month(facts, book.for_month(m), m)
            if entry is not None:
                out.append(entry)
    return out


def held_entries(facts: ContractFacts, book: RuleBook, month: dt.date) -> list[Entry]:
    """Information lines: commission earned on the contract but still held at the end of `month`, and why."""
    end = month_end(month)
    if not facts.sold or facts.signed_on is None or facts.signed_on > end or facts.above_standard <= 0:
        return []
    st = settlement(facts)
    nonret, total = collected(facts, end)
    if st.main is None or st.main.paid_on > end:
        rules = book.for_month(month)
        val = value_commission(facts, rules)
        if not val.earned:
            return []
        return [
            Entry(
                facts.owner_id,
                facts.id,
                month,
                HELD,
                val.earned,
                "held_not_collected",
                {
                    "above_standard": _m(facts.above_standard),
                    "commission_rate": pct(rules.commission_rate),
                    "earned": _m(val.earned),
                    "collected": _m(min(nonret, facts.target)),
                    "target": _m(facts.target),
                    "outstanding": _m(max(ZERO, facts.target - nonret)),
                },
                info=True,
            )
        ]
    if facts.retention > 0 and (st.full is None or st.full.paid_on > end):
        rules = book.for_month(month_start(st.main.paid_on))
        val = value_commission(facts, rules)
        if not val.held_for_retention:
            return []
        return [
            Entry(
                facts.owner_id,
                facts.id,
                month,
                HELD,
                val.held_for_retention,
                "held_retention",
                {
                    "hold_rate": pct(rules.retention_hold_rate),
                    "earned": _m(val.earned),
                    "retention": _m(facts.retention),
                    "retention_outstanding": _m(max(ZERO, facts.amount - total)),
                },
                info=True,
            )
        ]
    return []


def entries_for_month(facts_list: Sequence[ContractFacts], book: RuleBook, month: dt.date) -> list[Entry]:
    """The entries that belong to `month` itself (no adjustments), held information included."""
    out = []
    for facts in facts_list:
        out.extend(e for e in contract_entries(facts, book, month) if e.month == month)
        out.extend(held_entries(facts, book, month))
    return out
