"""Property tests of the pure rule engine over random payment schedules (no database)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commission import rules as p
from core import periods
from core.money import round_money

BOOK = p.RuleBook([p.DEFAULT_RULES])
START = dt.date(2026, 1, 1)


@st.composite
def contracts(draw, *, fully_paid: bool):
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(1, 50).map(Decimal),
                st.integers(100, 500_000).map(lambda c: Decimal(c) / 100),
                st.integers(100, 500_000).map(lambda c: Decimal(c) / 100),
            ),
            min_size=1,
            max_size=4,
        )
    )
    amount = sum((q * price for q, price, _std in lines), Decimal(0))
    retention = draw(st.sampled_from([Decimal(0), round_money(amount * Decimal("0.1")), round_money(amount / 20)]))
    # Split the amount into random instalments over random days; the last may be the retention money.
    n = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1)))
    parts, previous = [], Decimal(0)
    body = amount - retention
    for c in cuts:
        value = round_money(body * c / 100)
        parts.append(value - previous)
        previous = value
    parts.append(body - previous)
    days = sorted(draw(st.lists(st.integers(0, 400), min_size=len(parts) + 1, max_size=len(parts) + 1)))
    payments = [
        p.PaymentFact(i, START + dt.timedelta(days=d), amt, "progress")
        for i, (d, amt) in enumerate(zip(days, parts, strict=False))
        if amt > 0
    ]
    if retention > 0:
        payments.append(p.PaymentFact(99, START + dt.timedelta(days=days[-1]), retention, "retention"))
    if not fully_paid and payments:
        drop = draw(st.integers(0, len(payments) - 1))
        payments = payments[:drop] + payments[drop + 1 :]
    return p.ContractFacts(
        id=1,
        number="T1",
        owner_id=7,
        unit_id=1,
        sold=True,
        signed_on=START,
        amount=amount,
        retention=retention,
        above_standard=p.above_standard(lines),
        payments=tuple(payments),
        first_shipped_on=START + dt.timedelta(days=draw(st.integers(0, 60))),
    )


HORIZON = dt.date(2027, 12, 1)


def released(entries):
    return [e for e in entries if e.component in (p.RELEASE, p.RETENTION_RELEASE)]


@settings(max_examples=200, deadline=None)
@given(contracts(fully_paid=True))
def test_everything_paid_releases_exactly_the_commission_earned(facts):
    earned = round_money(facts.above_standard * Decimal("0.5"))
    entries = p.contract_entries(facts, BOOK, HORIZON)
    assert sum((e.amount for e in released(entries)), Decimal(0)) == earned
    # Month by month, the same total comes out of the monthly statements.
    by_month = sum(
        (
            e.amount
            for m in periods.months_in(START, periods.month_end(HORIZON))
            for e in p.entries_for_month([facts], BOOK, m)
            if e.component in (p.RELEASE, p.RETENTION_RELEASE)
        ),
        Decimal(0),
    )
    assert by_month == earned
    # Nothing stays held once everything is paid.
    assert p.held_entries(facts, BOOK, HORIZON) == []


@settings(max_examples=200, deadline=None)
@given(contracts(fully_paid=False))
def test_nothing_is_released_before_collection(facts):
    for e in released(p.contract_entries(facts, BOOK, HORIZON)):
        nonret, total = p.collected(facts, periods.month_end(e.month))
        assert nonret >= facts.target or total >= facts.amount
        if e.component == p.RETENTION_RELEASE:
            assert total >= facts.amount
    if sum(x.amount for x in facts.payments) < facts.target:
        assert released(p.contract_entries(facts, BOOK, HORIZON)) == []


@settings(max_examples=100, deadline=None)
@given(contracts(fully_paid=False))
def test_released_plus_held_is_earned_every_month(facts):
    earned = round_money(facts.above_standard * Decimal("0.5"))
    if earned == 0:
        return
    so_far = Decimal(0)
    for m in periods.months_in(START, periods.month_end(HORIZON)):
        so_far += sum((e.amount for e in released(p.entries_for_month([facts], BOOK, m))), Decimal(0))
        held = sum((e.amount for e in p.held_entries(facts, BOOK, m)), Decimal(0))
        assert so_far + held == earned
        assert so_far <= earned


@settings(max_examples=100, deadline=None)
@given(contracts(fully_paid=False))
def test_interest_is_never_positive_and_only_after_grace(facts):
    for e in p.contract_entries(facts, BOOK, HORIZON):
        if e.component == p.INTEREST:
            assert e.amount < 0
            assert periods.month_end(e.month) > periods.add_months(facts.first_shipped_on, 2)


def test_rule_book_picks_the_set_in_force_at_month_end():
    later = p.Rules(id=2, name="2026", effective_from=dt.date(2026, 3, 15), commission_rate=Decimal("0.4"))
    book = p.RuleBook([p.DEFAULT_RULES, later])
    assert book.for_month(dt.date(2026, 2, 1)) is p.DEFAULT_RULES
    assert book.for_month(dt.date(2026, 3, 1)) is later
    assert book.for_month(dt.date(2027, 1, 1)) is later


def test_add_months_clamps_to_month_end():
    assert periods.add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
    assert periods.add_months(dt.date(2026, 1, 31), -2) == dt.date(2025, 11, 30)
