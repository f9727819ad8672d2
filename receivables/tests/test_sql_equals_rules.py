"""Property: the SQL form of the receivables rules gives the same answer as the pure functions, over random
shipments, invoices (named or not by payments), payments, write-offs (approved, reversed, proposed, rejected),
retention and dates; and each shipment's unpaid part, from which interest is charged, agrees on every day a
write-off starts or ends; approved returns' credits (退貨) count like unnamed payments. A contract the summary
tables leave out as paid in full (sold_contracts_maybe_open) has no open part."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import FinanceFactory
from receivables import rules
from receivables.models import WriteOff, WriteOffStatus
from receivables.selectors import facts_for, positions_for, segments, sold_contracts_maybe_open, summaries
from sales.models import Contract, PaymentKind, ReturnStatus, SalesReturn

from .factories import InvoiceFactory, PaymentFactory, ShipmentFactory, sold_contract

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 31)  # a month end: add_months clamps in both forms
money = st.integers(0, 500_000).map(lambda c: Decimal(c) / 100)
day = st.integers(0, 400)

contract_st = st.fixed_dictionaries(
    {
        "amount": st.integers(1, 1_000_000).map(lambda c: Decimal(c) / 100),
        "retention_share": st.sampled_from([0, 0, 5, 10, 33]),
        "retention_due": st.one_of(st.none(), day),
        "shipments": st.lists(st.tuples(day, money), max_size=4),
        "invoices": st.lists(st.tuples(day, st.integers(1, 500_000).map(lambda c: Decimal(c) / 100)), max_size=3),
        # (approved on, amount, status, days until a reversal): only approved and reversed ones count, a reversed
        # one from its approval until its reversal.
        "write_offs": st.lists(
            st.tuples(
                day,
                st.integers(1, 300_000).map(lambda c: Decimal(c) / 100),
                st.sampled_from(["approved", "approved", "reversed", "proposed", "rejected"]),
                st.integers(0, 120),
            ),
            max_size=3,
        ),
        "sales_return": st.one_of(
            st.none(), st.tuples(day, st.integers(1, 300_000).map(lambda c: Decimal(c) / 100), st.booleans())
        ),
        "payments": st.lists(
            st.tuples(day, st.integers(1, 300_000).map(lambda c: Decimal(c) / 100), st.booleans(), st.integers(-1, 2)),
            max_size=4,
        ),
    }
)
policy_st = st.builds(
    rules.Policy,
    grace_months=st.integers(0, 4),
    bucket_edges=st.sampled_from([(30, 60, 90, 180), (15, 45), (60,)]),
)


def _make(spec, finance):
    retention = (spec["amount"] * spec["retention_share"] / 100).quantize(Decimal("0.01"))
    c = sold_contract(shipped_on=None, signed_on=START)
    Contract.objects.filter(pk=c.pk).update(
        amount=spec["amount"],
        retention_amount=retention,
        retention_due_on=START + dt.timedelta(days=spec["retention_due"])
        if spec["retention_due"] is not None
        else None,
    )
    for d, v in spec["shipments"]:
        ShipmentFactory(contract=c, shipped_on=START + dt.timedelta(days=d), amount=v)
    invoices = [
        InvoiceFactory(contract=c, issued_on=START + dt.timedelta(days=d), amount=a) for d, a in spec["invoices"]
    ]
    for d, a, is_ret, inv in spec["payments"]:
        PaymentFactory(
            contract=c,
            paid_on=START + dt.timedelta(days=d),
            amount=a,
            kind=PaymentKind.RETENTION if is_ret else PaymentKind.PROGRESS,
            invoice=invoices[inv] if 0 <= inv < len(invoices) else None,
            recorded_by=finance,
        )
    for d, a, status, lasted in spec["write_offs"]:
        decided = None if status == WriteOffStatus.PROPOSED else START + dt.timedelta(days=d)
        WriteOff.objects.create(
            contract=c,
            amount=a,
            reason="bad debt",
            liable=c.owner,
            liability_amount=0,
            proposed_by=finance,
            status=status,
            decided_on=decided,
            reversed_on=decided + dt.timedelta(days=lasted) if status == WriteOffStatus.REVERSED else None,
        )
    if spec["sales_return"] is not None:
        d, a, approved = spec["sales_return"]
        SalesReturn.objects.create(
            contract=c,
            contract_line=c.lines.get(),
            quantity=1,
            amount=a,
            reason="退貨",
            returned_on=START,
            requested_by=c.owner,
            status=ReturnStatus.APPROVED if approved else ReturnStatus.PENDING,  # a pending one credits nothing
            decided_on=START + dt.timedelta(days=d) if approved else None,
        )
    return c


# No shrinking: each example writes rows, and a failure prints its whole input anyway.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(specs=st.lists(contract_st, min_size=1, max_size=3), as_of=day, policy=policy_st)
def test_sql_form_equals_the_rules(specs, as_of, policy):
    on = START + dt.timedelta(days=as_of)
    with transaction.atomic():
        finance = FinanceFactory()
        made = [_make(spec, finance) for spec in specs]
        qs = Contract.objects.filter(pk__in=[c.pk for c in made])
        python = positions_for(contract_ids=[c.pk for c in made], as_of=on, policy=policy)
        rows = segments(contracts=qs, as_of=on, policy=policy)
        sums = {s.contract_id: s for s in summaries(contracts=qs, as_of=on, policy=policy)}
        maybe_open = set(sold_contracts_maybe_open(on).filter(pk__in=qs.values("pk")).values_list("pk", flat=True))
        for c in made:
            pos = python[c.pk]
            if c.pk not in maybe_open:  # left out of the summaries' open parts: nothing of it is open
                assert pos.unshipped == 0 and all(s.open == 0 for s in pos.shipments), pos
            mine = [r for r in rows if r.contract_id == c.pk]
            assert {r.ref_id: (r.open, r.due_on) for r in mine if r.kind == "shipment"} == {
                s.shipment_id: (s.open, s.due_on) for s in pos.shipments
            }
            assert {r.ref_id: r.open for r in mine if r.kind == "invoice"} == {
                i.invoice_id: i.open for i in pos.invoices
            }
            assert [r.open for r in mine if r.kind == "unshipped"] == [pos.unshipped]
            s = sums[c.pk]
            assert s.aging == pos.aging
            assert (s.balance, s.retention_outstanding, s.unshipped) == (
                pos.balance,
                pos.retention_outstanding,
                pos.unshipped,
            )
            assert s.retention_overdue == pos.retention_overdue
            assert s.days_past_due == pos.days_past_due
            # Interest runs on each shipment's unpaid part: both forms agree on it the day a write-off (or its
            # reversal) takes effect, and the day before.
            f = facts_for([c.pk])[c.pk]
            for w in WriteOff.objects.filter(contract=c, status__in=["approved", "reversed"]):
                for when in {w.decided_on, w.decided_on - dt.timedelta(days=1), w.reversed_on} - {None}:
                    py = positions_for(contract_ids=[c.pk], as_of=when, policy=policy)[c.pk]
                    sql = segments(contracts=Contract.objects.filter(pk=c.pk), as_of=when, policy=policy)
                    assert {r.ref_id: r.open for r in sql if r.kind == "shipment"} == {
                        s.shipment_id: s.open for s in py.shipments
                    }
                    assert {s.shipment_id: s.open for s in py.shipments} == rules.open_on(
                        f.terms, f.shipments, f.invoices, f.payments, when
                    )
            # Without overpayment the balance is exactly the aged shipped parts, the unshipped part and retention.
            nonret = pos.paid - pos.retention_paid
            if nonret <= pos.amount - pos.retention_amount and pos.retention_paid <= pos.retention_amount:
                assert pos.shipped_open + pos.unshipped + pos.retention_outstanding == pos.balance
        transaction.set_rollback(True)
