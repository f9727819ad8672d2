"""Overdue interest per shipment (pure): worked examples and the property that a month-by-month charge adds up
to the same per-shipment sum computed day by day (with payments and bad-debt write-offs, some reversed)."""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from commission import rules as commission
from core.periods import months_in
from receivables import rules

MAR, APR, MAY, JUN = (dt.date(2026, m, 1) for m in (3, 4, 5, 6))
A = rules.ShipmentFact(1, dt.date(2026, 1, 10), D("10000.00"))
B = rules.ShipmentFact(2, dt.date(2026, 3, 10), D("10000.00"))
TERMS = rules.Terms(1, D("20000.00"), D("0"))
INV1 = rules.InvoiceFact(11, dt.date(2026, 1, 10), D("10000.00"))
INV2 = rules.InvoiceFact(12, dt.date(2026, 3, 10), D("10000.00"))
RULES = commission.DEFAULT_RULES


def facts(payments, shipments=(A, B), invoices=(), amount=D("20000.00"), retention=D("0")):
    return commission.ContractFacts(
        id=1,
        number="C1",
        owner_id=1,
        unit_id=None,
        sold=True,
        signed_on=dt.date(2026, 1, 5),
        amount=amount,
        retention=retention,
        above_standard=D("0"),
        payments=tuple(payments),
        first_shipped_on=shipments[0].shipped_on if shipments else None,
        shipments=tuple(shipments),
        invoices=tuple(invoices),
    )


def charged(f, month):
    entry = commission.interest_for_month(f, RULES, month)
    return entry.amount if entry else D("0.00")


def test_two_shipments_two_months_apart_paid_late_in_one_payment():
    # Each shipment accrues from the day after its own due date (shipping + 2 months); the June payment of the
    # whole amount counts from its day (15 June), so 1–14 June is charged on both.
    f = facts([rules.PaymentFact(1, dt.date(2026, 6, 15), D("20000.00"))])
    assert charged(f, dt.date(2026, 2, 1)) == 0
    assert charged(f, MAR) == D("-67.74")  # A: 10,000 × 1 % × 21/31 (11–31 March)
    assert charged(f, APR) == D("-100.00")  # A: a full month; B is not due before 10 May
    assert charged(f, MAY) == D("-167.74")  # A 100 + B 10,000 × 1 % × 21/31 (11–31 May)
    assert charged(f, JUN) == D("-93.33")  # (A + B) × 1 % × 14/30
    assert charged(f, dt.date(2026, 7, 1)) == 0
    may = commission.interest_for_month(f, RULES, MAY)
    assert [s["overdue_from"] for s in may.params["shipments"]] == ["2026-03-11", "2026-05-11"]
    # The old rule (whole unpaid amount from the first shipment) charged 20,000 from 11 March: 628.82 in all.
    total = sum(charged(f, m) for m in (MAR, APR, MAY, JUN))
    assert total == D("-428.81")


def test_a_payment_naming_a_later_invoice_settles_that_shipment_not_the_oldest():
    named = rules.PaymentFact(1, dt.date(2026, 4, 1), D("10000.00"), invoice_id=INV2.id)
    unnamed = rules.PaymentFact(1, dt.date(2026, 4, 1), D("10000.00"))
    policy = rules.Policy()
    pos = rules.position(TERMS, [A, B], [INV1, INV2], [named], dt.date(2026, 4, 2), policy)
    assert [(s.shipment_id, s.open) for s in pos.shipments] == [(1, D("10000.00")), (2, D("0.00"))]
    assert [(i.invoice_id, i.open) for i in pos.invoices] == [(11, D("10000.00")), (12, D("0.00"))]
    assert pos.overdue == D("10000.00") and pos.aging["1-30"] == D("10000.00")
    pos = rules.position(TERMS, [A, B], [INV1, INV2], [unnamed], dt.date(2026, 4, 2), policy)
    assert [(s.shipment_id, s.open) for s in pos.shipments] == [(1, D("0.00")), (2, D("10000.00"))]
    assert pos.overdue == 0
    # Interest follows: the named payment leaves the oldest shipment accruing all April.
    assert charged(facts([named], invoices=[INV1, INV2]), APR) == D("-100.00")
    assert charged(facts([unnamed], invoices=[INV1, INV2]), APR) == 0
    # A named payment larger than its invoice pays the rest oldest first.
    big = rules.PaymentFact(1, dt.date(2026, 4, 1), D("15000.00"), invoice_id=INV2.id)
    pos = rules.position(TERMS, [A, B], [INV1, INV2], [big], dt.date(2026, 4, 2), policy)
    assert [s.open for s in pos.shipments] == [D("5000.00"), D("0.00")]


def test_nothing_accrues_on_goods_not_shipped_or_on_retention():
    # 30,000 contract with 3,000 retention; only 10,000 of goods shipped: the base is 9,000 (10,000 × 27/30).
    terms = rules.Terms(1, D("30000.00"), D("3000.00"))
    out = rules.interest_for_month(terms, [A], [], [], APR, grace_months=2, monthly_rate=D("0.01"))
    assert [(s.shipment_id, s.exact, s.segments[0].base) for s in out] == [(1, D("90.00"), D("9000.00"))]
    assert rules.interest_for_month(terms, [], [], [], APR, grace_months=2, monthly_rate=D("0.01")) == []


def test_a_partial_write_off_stops_interest_on_the_oldest_shipment_from_its_day_until_reversed():
    # A (10 Jan) and B (10 Mar), 10,000 each, nothing paid. 6,000 written off on 16 April: it settles the oldest
    # shipment first, so A's base drops to 4,000 from the 16th (1–15 April on 10,000, 16–30 April on 4,000).
    wo = rules.write_off_credits(7, D("6000.00"), dt.date(2026, 4, 16))
    out = rules.interest_for_month(TERMS, [A, B], [], wo, APR, grace_months=2, monthly_rate=D("0.01"))
    assert [(s.shipment_id, [(g.start.day, g.end.day, g.base) for g in s.segments]) for s in out] == [
        (1, [(1, 15, D("10000.00")), (16, 30, D("4000.00"))])
    ]
    assert round(out[0].exact, 2) == D("70.00")  # 10,000 × 1 % × 15/30 + 4,000 × 1 % × 15/30
    pos = rules.position(TERMS, [A, B], [], wo, dt.date(2026, 4, 16), rules.Policy())
    assert [s.open for s in pos.shipments] == [D("4000.00"), D("10000.00")] and pos.balance == D("14000.00")
    # The part written off never accrues again (May: A on 4,000 all month, B from 11 May on 10,000) …
    may = rules.interest_for_month(TERMS, [A, B], [], wo, MAY, grace_months=2, monthly_rate=D("0.01"))
    assert [(s.shipment_id, s.segments[0].base) for s in may] == [(1, D("4000.00")), (2, D("10000.00"))]
    # … unless the write-off is reversed (the debt reinstated): from the day of the reversal, 20 May.
    back = rules.write_off_credits(7, D("6000.00"), dt.date(2026, 4, 16), dt.date(2026, 5, 20))
    may = rules.interest_for_month(TERMS, [A, B], [], back, MAY, grace_months=2, monthly_rate=D("0.01"))
    assert [(g.start.day, g.end.day, g.base) for g in may[0].segments] == [
        (1, 19, D("4000.00")),
        (20, 31, D("10000.00")),
    ]
    april = rules.interest_for_month(TERMS, [A, B], [], back, APR, grace_months=2, monthly_rate=D("0.01"))
    assert april == out  # the reversal never rewrites the months before it


def test_warning_before_interest_starts():
    policy = rules.Policy(warning_days=7)
    # A is due on 10 March: interest from the 11th. Warned from 3 March (8 days before) … 10 March.
    assert rules.interest_starts(TERMS, [A], [], [], dt.date(2026, 3, 2), policy) == []
    (due,) = rules.interest_starts(TERMS, [A], [], [], dt.date(2026, 3, 4), policy)
    assert due.due_on == dt.date(2026, 3, 10)
    assert rules.interest_starts(TERMS, [A], [], [], dt.date(2026, 3, 11), policy) == []
    paid = [rules.PaymentFact(1, dt.date(2026, 3, 1), D("10000.00"))]
    assert rules.interest_starts(TERMS, [A], [], paid, dt.date(2026, 3, 4), policy) == []


START = dt.date(2026, 1, 1)
day = st.integers(0, 200)
amount = st.integers(1, 2_000_000).map(lambda c: D(c) / 100)


@settings(max_examples=60, deadline=None)
@given(
    total=amount,
    retention_pct=st.sampled_from([0, 10, 25]),
    ships=st.lists(st.tuples(day, amount), min_size=1, max_size=3),
    invs=st.lists(st.tuples(day, amount), max_size=2),
    pays=st.lists(st.tuples(day, amount, st.integers(-1, 1), st.booleans()), max_size=3),
    grace=st.integers(0, 3),
    wos=st.lists(st.tuples(day, amount, st.one_of(st.none(), st.integers(0, 90))), max_size=2),
)
def test_interest_over_all_months_equals_the_per_shipment_sum_day_by_day(
    total, retention_pct, ships, invs, pays, grace, wos
):
    terms = rules.Terms(1, total, (total * retention_pct / 100).quantize(D("0.01")))
    shipments = [rules.ShipmentFact(i + 1, START + dt.timedelta(days=d), v) for i, (d, v) in enumerate(ships)]
    invoices = [rules.InvoiceFact(i + 11, START + dt.timedelta(days=d), v) for i, (d, v) in enumerate(invs)]
    payments = [
        rules.PaymentFact(
            i + 1,
            START + dt.timedelta(days=d),
            v,
            "retention" if is_ret else "progress",
            invoices[n].id if 0 <= n < len(invoices) else None,
        )
        for i, (d, v, n, is_ret) in enumerate(pays)
    ]
    # Write-offs (some reversed later) are credits like unnamed payments: the part written off stops accruing.
    for i, (d, v, lasted) in enumerate(wos):
        on = START + dt.timedelta(days=d)
        payments += rules.write_off_credits(i + 1, v, on, None if lasted is None else on + dt.timedelta(days=lasted))
    rate = D("0.01")
    end = START + dt.timedelta(days=330)
    monthly = {}
    for m in months_in(START, end):
        for s in rules.interest_for_month(
            terms, shipments, invoices, payments, m, grace_months=grace, monthly_rate=rate
        ):
            monthly[s.shipment_id] = monthly.get(s.shipment_id, D(0)) + s.exact
    # Independently: every day, each shipment past its due date costs its unpaid part × rate / days-in-month.
    daily: dict[int, D] = {}
    d = START
    policy = rules.Policy(grace_months=grace)
    while d <= dt.date(end.year, end.month, calendar.monthrange(end.year, end.month)[1]):
        open_now = rules.open_on(terms, shipments, invoices, payments, d)
        dim = calendar.monthrange(d.year, d.month)[1]
        for s in shipments:
            base = open_now.get(s.id, D(0))
            # Never more than the shipment's share of the contract less retention; nothing before it ships.
            assert base <= (s.value * terms.target / terms.amount).quantize(D("0.01"), ROUND_HALF_UP)
            assert base == 0 or d >= s.shipped_on
            if d > rules.due_on(s.shipped_on, policy) and base > 0:
                daily[s.id] = daily.get(s.id, D(0)) + base * rate / dim
        d += dt.timedelta(days=1)
    assert set(monthly) == set(daily)
    for sid, value in monthly.items():
        assert abs(value - daily[sid]) < D("1e-15")
