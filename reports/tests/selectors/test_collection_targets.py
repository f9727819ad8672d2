"""Collection targets (回款目標) beside sales targets: progress, splits, dashboard and evaluation, by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from customers.tests.factories import CustomerFactory
from reports.models import Dimension, TargetKind, TargetLine
from reports.selectors.dashboard import dashboard_data
from reports.selectors.evaluation import evaluation_figures
from reports.selectors.targets import target_progress, target_splits
from reports.services.summaries import summary_refresh
from reports.services.targets import LineInput, target_save, target_set_split
from sales.models import Payment
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

from ..clock import NOW
from ..factories import TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cash(salesperson, teammate, finance):
    """November 2026: the salesperson collects 30,000 (prepayment of A) + 20,000 (B); the teammate 5,000 (C).
    A (100,000) has two products: P1 60,000 and P2 40,000. October's 10,000 on B is outside the month."""
    p1, p2 = ProductFactory(code="P1"), ProductFactory(code="P2")
    a = ContractFactory(
        customer=CustomerFactory(owner=salesperson, region="North"),
        status="signed",
        signed_on=dt.date(2026, 10, 3),
        amount=Decimal("100000"),
    )
    ContractLineFactory(contract=a, product=p1, quantity=Decimal("6"), unit_price=Decimal("10000"))
    ContractLineFactory(contract=a, product=p2, quantity=Decimal("4"), unit_price=Decimal("10000"))
    b = ContractFactory(
        customer=CustomerFactory(owner=salesperson, region="South"),
        status="filed",
        signed_on=dt.date(2026, 10, 5),
        amount=Decimal("50000"),
    )
    ContractLineFactory(contract=b, product=p2, quantity=Decimal("5"), unit_price=Decimal("10000"))
    c = ContractFactory(
        customer=CustomerFactory(owner=teammate, region="North"),
        status="signed",
        signed_on=dt.date(2026, 9, 1),
        amount=Decimal("9000"),
    )
    pay = {"recorded_by": finance}
    Payment.objects.create(contract=a, paid_on=dt.date(2026, 11, 5), amount=Decimal("30000"), kind="prepayment", **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 11, 2), amount=Decimal("20000"), **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 10, 20), amount=Decimal("10000"), **pay)
    Payment.objects.create(contract=c, paid_on=dt.date(2026, 11, 9), amount=Decimal("5000"), **pay)
    return {"p1": p1, "p2": p2}


def test_a_collection_target_lives_beside_the_sales_target_of_the_same_period(manager):
    sales = target_save(
        actor=manager,
        unit=manager.unit,
        period_type="month",
        period_start=dt.date(2026, 11, 3),
        amount=Decimal("1000000"),
    )
    collect = target_save(
        actor=manager,
        unit=manager.unit,
        period_type="month",
        period_start=dt.date(2026, 11, 1),
        amount=Decimal("80000"),
        kind=TargetKind.COLLECTION,
    )
    assert sales.pk != collect.pk and collect.kind == "collection" and sales.kind == "sales"
    again = target_save(
        actor=manager,
        unit=manager.unit,
        period_type="month",
        period_start=dt.date(2026, 11, 1),
        amount=Decimal("90000"),
        kind=TargetKind.COLLECTION,
    )
    assert again.pk == collect.pk and again.amount == Decimal("90000.00")


def test_collection_progress_and_splits_count_cash_by_hand(manager, salesperson, teammate, cash):
    target = TargetFactory(created_by=manager, kind=TargetKind.COLLECTION, amount=Decimal("100000"))
    progress = target_progress(target=target, now=NOW)
    # 30,000 + 20,000 + 5,000 collected in November by the unit; October's 10,000 is not counted.
    assert progress.actual == Decimal("55000") and progress.completion == Decimal("55.0")
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALESPERSON,
        lines=[
            LineInput(key=salesperson.username, amount=Decimal("60000")),
            LineInput(key=teammate.username, amount=Decimal("20000")),
        ],
    )
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.PRODUCT,
        lines=[
            LineInput(key="P1", amount=Decimal("30000")),
            LineInput(key="P2", amount=Decimal("50000")),
        ],
    )
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.REGION,
        lines=[
            LineInput(key="North", amount=Decimal("40000")),
        ],
    )
    views = {v.dimension: v for v in target_splits(target=target)}
    people = {r.label: r for r in views["salesperson"].rows}
    assert people[str(salesperson)].actual == Decimal("50000") and people[str(salesperson)].completion == Decimal(
        "83.3"
    )
    assert people[str(teammate)].actual == Decimal("5000") and people[str(teammate)].completion == Decimal("25.0")
    assert views["salesperson"].unassigned == Decimal("20000")
    # A's 30,000 is shared 60:40 between P1 and P2 (18,000 / 12,000); B's 20,000 is all P2.
    products = {r.label: r.actual for r in views["product"].rows}
    assert products == {str(cash["p1"]): Decimal("18000.00"), str(cash["p2"]): Decimal("32000.00")}
    # North: A's 30,000 + C's 5,000.
    assert views["region"].rows[0].actual == Decimal("35000")


def test_the_sales_split_still_counts_sales_not_cash(manager, salesperson, cash):
    target = TargetFactory(created_by=manager, period_start=dt.date(2026, 10, 1), amount=Decimal("500000"))
    assert target_progress(target=target, now=NOW).actual == Decimal("150000")  # A + B signed in October


def test_dashboard_and_evaluation_show_collection_progress(manager, salesperson, teammate, cash):
    unit_target = TargetFactory(created_by=manager, kind=TargetKind.COLLECTION, amount=Decimal("110000"))
    TargetLine.objects.create(
        target=unit_target, dimension=Dimension.SALESPERSON, salesperson=salesperson, amount=Decimal("40000")
    )
    TargetFactory(created_by=manager, amount=Decimal("999999"))  # the sales target is a different book
    summary_refresh()
    d = dashboard_data(user=manager, now=NOW)
    month = d.selected
    assert month.collected == Decimal("55000")
    assert month.collection_target == Decimal("110000") and month.collection_completion == Decimal("50.0")
    assert month.target == Decimal("999999")
    mine = next(r for r in d.ranking if r["id"] == salesperson.pk)
    assert mine["collection_target"] == Decimal("40000") and mine["collection_completion"] == Decimal("125.0")
    # The quarter (Q4) has no target of its own: 1/3 of nothing → none; the year neither.
    assert d.periods[1].collection_target is None
    figs = evaluation_figures(
        user_ids=[salesperson.pk], period_type="month", period_start=dt.date(2026, 11, 1), now=NOW
    )[salesperson.pk]
    assert figs.collections == Decimal("50000")
    assert figs.collection_target == Decimal("40000") and figs.collection_completion == Decimal("125.0")


def test_a_salesperson_sees_only_their_own_collection_line(api_client, manager, salesperson, teammate, cash):
    target = TargetFactory(created_by=manager, kind=TargetKind.COLLECTION, amount=Decimal("100000"))
    TargetLine.objects.create(
        target=target, dimension=Dimension.SALESPERSON, salesperson=salesperson, amount=Decimal("60000")
    )
    TargetLine.objects.create(
        target=target, dimension=Dimension.SALESPERSON, salesperson=teammate, amount=Decimal("20000")
    )
    api_client.force_authenticate(salesperson)
    rows = api_client.get("/api/v1/targets/?kind=collection").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == 1 and rows[0]["kind"] == "collection"
    assert [ln["amount"] for ln in rows[0]["lines"]] == ["60000.00"]
    sales = api_client.get("/api/v1/targets/?kind=sales").json()
    assert (sales["results"] if isinstance(sales, dict) else sales) == []
