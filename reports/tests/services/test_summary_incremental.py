"""The incremental summary refresh rebuilds only the months a change since the last refresh can move, and its
tables then equal a full rebuild's — property-tested over random days of changes (new and backdated sales, a
cancelled contract, a corrected amount, payments, returns, contact logs, new customers, customers handed to
another unit or moved to another region, a product renamed, edits that move no figure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import FinanceFactory, ManagerFactory, SalespersonFactory, SalesUnitFactory
from customers.models import ContactLog, Customer
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import (
    ComplianceMonthly,
    CustomerSalesMonthly,
    PerformanceMonthly,
    ReceivableAgeSummary,
    ReceivableSnapshot,
    SalesBreakdownMonthly,
    SummaryState,
    TopCustomerSummary,
)
from reports.periods import add_months, month_start
from reports.services.summaries import (
    CHANGES_MARK,
    months_touched,
    summary_refresh,
    summary_refresh_incremental,
)
from sales.models import Contract, ContractLine, Payment, Product, SalesReturn, Shipment
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

pytestmark = pytest.mark.django_db

SUMMARIES = [
    PerformanceMonthly,
    CustomerSalesMonthly,
    SalesBreakdownMonthly,
    TopCustomerSummary,
    ReceivableSnapshot,
    ReceivableAgeSummary,
    ComplianceMonthly,
]
REGIONS = ["北區", "中區", "南區"]


def snapshot() -> dict[str, list]:
    rows = {}
    for model in SUMMARIES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return rows


def company(today: dt.date) -> dict:
    """Two units, four salespeople, customers with sales, payments, a return and contact logs over 20 months (so
    last year's quarters and year are in the summaries too)."""
    units = SalesUnitFactory.create_batch(2)
    for unit in units:
        ManagerFactory(unit=unit)
    people = [SalespersonFactory(unit=units[n % 2]) for n in range(4)]
    finance = FinanceFactory()
    products = [ProductFactory() for _ in range(3)]
    customers = []
    for n in range(6):
        months_ago = (n * 7) % 20
        registered = timezone.now() - dt.timedelta(days=31 * months_ago + 40)
        customers.append(CustomerFactory(owner=people[n % 4], region=REGIONS[n % 3], registered_at=registered))
    contracts = []
    for n in range(10):
        customer = customers[n % 6]
        signed = add_months(month_start(today), -((n * 3) % 20)) + dt.timedelta(days=n % 20)
        contract = ContractFactory(customer=customer, status="filed" if n % 3 else "signed", signed_on=signed)
        lines = [
            ContractLineFactory(
                contract=contract, product=products[(n + k) % 3], quantity=Decimal(1 + k), unit_price=Decimal(1000)
            )
            for k in range(1 + n % 2)
        ]
        Contract.objects.filter(pk=contract.pk).update(amount=sum(line.line_total for line in lines))
        if signed + dt.timedelta(days=5) <= today:
            Shipment.objects.create(contract=contract, shipped_on=signed + dt.timedelta(days=5))
        if n % 2 and signed + dt.timedelta(days=30) <= today:
            Payment.objects.create(
                contract=contract, paid_on=signed + dt.timedelta(days=30), amount=Decimal(500), recorded_by=finance
            )
        contracts.append(contract)
    for n, customer in enumerate(customers):
        ContactLogFactory(
            customer=customer, author=customer.owner, happened_at=timezone.now() - dt.timedelta(days=25 * n + 1)
        )
    return {"people": people, "customers": customers, "contracts": contracts, "products": products, "fin": finance}


def before_the_refresh(moment: dt.datetime) -> None:
    """Everything written so far was written before the last refresh."""
    for model in (Contract, Payment, SalesReturn, ContactLog, Customer, Product, Shipment):
        model.objects.update(updated_at=moment)
    Customer.history.update(history_date=moment)


change_st = st.one_of(
    st.tuples(st.just("sign"), st.integers(0, 5), st.integers(0, 19), st.integers(1, 9)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("amount"), st.integers(0, 9), st.integers(1, 900)),
    st.tuples(st.just("pay"), st.integers(0, 9), st.integers(0, 60)),
    st.tuples(st.just("return"), st.integers(0, 9), st.integers(0, 40)),
    st.tuples(st.just("log"), st.integers(0, 5), st.integers(0, 500)),
    st.tuples(st.just("reassign"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("region"), st.integers(0, 5), st.sampled_from(REGIONS)),
    st.tuples(st.just("rename"), st.integers(0, 2)),
    st.tuples(st.just("new_customer"), st.integers(0, 3), st.integers(0, 60)),
    st.tuples(st.just("phone"), st.integers(0, 5)),
)


def apply(change: tuple, world: dict, today: dt.date) -> None:
    kind, *args = change
    contracts, customers, people = world["contracts"], world["customers"], world["people"]
    if kind == "sign":  # a sale, possibly signed on an earlier day (backdated)
        customer = Customer.objects.get(pk=customers[args[0]].pk)
        signed = add_months(month_start(today), -args[1])
        contract = ContractFactory(customer=customer, status="signed", signed_on=signed, amount=Decimal(args[2] * 100))
        ContractLineFactory(contract=contract, product=world["products"][args[2] % 3], unit_price=contract.amount)
        contracts.append(contract)
    elif kind == "cancel":
        contract = Contract.objects.get(pk=contracts[args[0]].pk)
        contract.status = "cancelled"
        contract.save()
    elif kind == "amount":
        contract = Contract.objects.get(pk=contracts[args[0]].pk)
        contract.amount += Decimal(args[1])
        contract.save()
    elif kind == "pay":
        Payment.objects.create(
            contract=contracts[args[0]],
            paid_on=today - dt.timedelta(days=args[1]),
            amount=Decimal(700),
            recorded_by=world["fin"],
        )
    elif kind == "return":
        line = ContractLine.objects.filter(contract=contracts[args[0]]).first()
        if line is not None:
            SalesReturn.objects.create(
                contract_id=line.contract_id,
                contract_line=line,
                quantity=Decimal(1),
                amount=line.unit_price,
                reason="瑕疵",
                returned_on=today,
                requested_by=world["fin"],
                status="approved",
                decided_by=world["fin"],
                decided_on=today - dt.timedelta(days=args[1]),
            )
    elif kind == "log":
        customer = customers[args[0]]
        ContactLogFactory(customer=customer, author=people[0], happened_at=timezone.now() - dt.timedelta(days=args[1]))
    elif kind in ("reassign", "region", "phone"):
        customer = Customer.objects.get(pk=customers[args[0]].pk)
        if kind == "reassign":  # to another salesperson, maybe of another unit
            customer.owner, customer.unit = people[args[1]], people[args[1]].unit
        elif kind == "region":
            customer.region = args[1]
        else:  # moves no figure
            customer.phone = "02-2345-6789"
        customer.save()
    elif kind == "rename":
        product = Product.objects.get(pk=world["products"][args[0]].pk)
        product.name = f"{product.name}改"
        product.save()
    elif kind == "new_customer":
        owner = people[args[0]]
        customers.append(
            CustomerFactory(owner=owner, registered_at=timezone.now() - dt.timedelta(days=args[1]), region="東區")
        )


# No shrinking: each example writes rows, and a failure prints its whole input anyway.
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(changes=st.lists(change_st, min_size=1, max_size=6))
def test_the_incremental_refresh_equals_a_full_rebuild(changes):
    today = timezone.localdate()
    with transaction.atomic():
        world = company(today)
        summary_refresh(today=today)
        before_the_refresh(timezone.now() - dt.timedelta(hours=1))
        for change in changes:
            apply(change, world, today)
        touched = months_touched()
        assert touched is not None
        summary_refresh_incremental(today=today)
        incremental = snapshot()
        summary_refresh(today=today)
        assert incremental == snapshot(), (changes, sorted(touched))
        transaction.set_rollback(True)


@pytest.fixture
def refreshed(db):
    today = timezone.localdate()
    world = company(today)
    summary_refresh(today=today)
    before_the_refresh(timezone.now() - dt.timedelta(hours=1))
    return world, today


def test_a_day_without_changes_touches_no_month(refreshed):
    assert months_touched() == set()


def test_a_contract_edit_touches_its_signing_month_and_its_payments_months_only(refreshed):
    _world, today = refreshed
    contract = Contract.objects.filter(payments__isnull=False, signed_on__lt=add_months(today, -3)).first()
    contract.amount += 1
    contract.save()
    paid = {month_start(d) for d in contract.payments.values_list("paid_on", flat=True)}
    assert months_touched() == {month_start(contract.signed_on), *paid}


def test_an_edit_that_moves_no_figure_touches_nothing_and_a_handover_touches_only_that_customers_months(refreshed):
    world, _today = refreshed
    customer = Customer.objects.get(pk=world["customers"][1].pk)
    customer.phone = "02-8765-4321"
    customer.save()
    assert months_touched() == set(), "a new phone number moves no figure"
    other_unit = next(p for p in world["people"] if p.unit_id != customer.unit_id)
    customer.owner, customer.unit = other_unit, other_unit.unit
    customer.save()
    logs = {
        month_start(timezone.localtime(at).date())
        for at in ContactLog.objects.filter(customer=customer).values_list("happened_at", flat=True)
    }
    registered = month_start(timezone.localtime(customer.registered_at).date())
    assert months_touched() == {registered, *logs}  # new customers (owner) and visits (unit) move there only


def test_a_region_change_touches_the_months_of_that_customers_sales(refreshed):
    world, _today = refreshed
    customer = Customer.objects.get(pk=world["customers"][2].pk)
    customer.region = "離島"
    customer.save()
    sold = {month_start(d) for d in Contract.objects.filter(customer=customer).values_list("signed_on", flat=True)}
    assert sold and months_touched() == sold


def test_untouched_old_months_are_not_rebuilt(refreshed):
    world, today = refreshed
    old = PerformanceMonthly.objects.filter(month__lt=add_months(month_start(today), -6)).order_by("month").first()
    PerformanceMonthly.objects.filter(pk=old.pk).update(sales_amount=Decimal("-1"))  # a marker
    ContactLogFactory(customer=world["customers"][0], author=world["people"][0], happened_at=timezone.now())
    summary_refresh_incremental(today=today)
    assert PerformanceMonthly.objects.get(pk=old.pk).sales_amount == Decimal("-1"), "an untouched month was rebuilt"
    assert SummaryState.objects.get(name="dashboard").refreshed_at > timezone.now() - dt.timedelta(minutes=1)


def test_a_deleted_customer_asks_for_a_full_rebuild(refreshed):
    world, _today = refreshed
    lone = CustomerFactory(owner=world["people"][0])
    Customer.objects.filter(pk=lone.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    Customer.objects.get(pk=lone.pk).delete()
    assert months_touched() is None


def test_a_period_begun_since_the_last_refresh_is_ranked_in_full(refreshed):
    """The first refresh of a month (quarter, year) ranks its customers for every unit and salesperson, and drops
    the rankings of the month that ended, as a full rebuild does — though no figure changed."""
    _world, today = refreshed
    earlier = add_months(month_start(today), -1) + dt.timedelta(days=14)
    summary_refresh(today=earlier)
    at = timezone.make_aware(dt.datetime.combine(earlier, dt.time(12)))
    SummaryState.objects.filter(name__in=["dashboard", CHANGES_MARK]).update(refreshed_at=at)
    before_the_refresh(at - dt.timedelta(days=1))
    assert TopCustomerSummary.objects.filter(period_type="month", period_start=month_start(earlier)).exists()
    summary_refresh_incremental(today=today)
    incremental = snapshot()
    summary_refresh(today=today)
    assert incremental == snapshot()
    assert not TopCustomerSummary.objects.filter(period_type="month", period_start=month_start(earlier)).exists()


def test_a_rebuild_of_recent_months_leaves_an_old_months_change_to_the_incremental_refresh(refreshed):
    """The 10-minute task rebuilds the current and previous month only; an old contract's correction made before it
    ran must still reach the nightly incremental refresh (the changes mark is not moved by a partial rebuild)."""
    _world, today = refreshed
    contract = Contract.objects.filter(signed_on__lt=add_months(month_start(today), -3)).order_by("signed_on").first()
    contract.amount += 7
    contract.save()
    night = timezone.now() - dt.timedelta(hours=3)  # the last refresh of every change: last night's
    SummaryState.objects.filter(name__in=["dashboard", CHANGES_MARK]).update(refreshed_at=night)
    Contract.objects.filter(pk=contract.pk).update(updated_at=night + dt.timedelta(hours=1))  # corrected at 2 a.m.
    summary_refresh(since=add_months(month_start(today), -1), today=today)  # the 10-minute task, an hour later
    assert month_start(contract.signed_on) in months_touched()
    summary_refresh_incremental(today=today)
    incremental = snapshot()
    summary_refresh(today=today)
    assert incremental == snapshot()
