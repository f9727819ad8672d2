import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.tests.factories import SalespersonFactory
from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import CalendarDay, Dimension, TargetLine
from reports.selectors.dashboard import ScopeNotFound, dashboard_data
from reports.selectors.evaluation import evaluation_figures
from reports.services.evaluation import evaluation_give_feedback
from reports.services.summaries import summary_refresh
from sales.models import Payment, Shipment
from sales.tests.factories import ContractFactory, ContractLineFactory

from .factories import DailyReportFactory, TargetFactory

pytestmark = pytest.mark.django_db
TPE = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=TPE)  # a Monday


def at(y, m, d, h=12, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TPE)


@pytest.fixture
def book(salesperson, manager, finance):
    """A hand-computed November 2026 for one salesperson (figures in the test below)."""
    sp = salesperson
    sp.date_joined = at(2026, 1, 1)
    sp.save()
    c1 = CustomerFactory(owner=sp, registered_at=at(2026, 9, 1))
    c2 = CustomerFactory(owner=sp, registered_at=at(2026, 11, 4))
    a = ContractFactory(
        customer=c1,
        status="signed",
        signed_on=dt.date(2026, 11, 3),
        amount=Decimal("100000"),
        retention_amount=Decimal("10000"),
    )
    ContractLineFactory(contract=a, quantity=Decimal("10"), unit_price=Decimal("10000"))
    b = ContractFactory(customer=c1, status="filed", signed_on=dt.date(2026, 10, 5), amount=Decimal("50000"))
    Shipment.objects.create(contract=b, shipped_on=dt.date(2026, 10, 6))
    ContractFactory(customer=c2, status="draft", signed_on=dt.date(2026, 11, 10), amount=Decimal("70000"))
    ContractFactory(customer=c2, status="cancelled", signed_on=dt.date(2026, 11, 12), amount=Decimal("90000"))
    e = ContractFactory(customer=c2, status="filed", signed_on=dt.date(2026, 8, 1), amount=Decimal("80000"))
    Shipment.objects.create(contract=e, shipped_on=dt.date(2026, 8, 10))
    Shipment.objects.create(contract=e, shipped_on=dt.date(2026, 9, 10))
    pay = {"recorded_by": finance}
    Payment.objects.create(contract=a, paid_on=dt.date(2026, 11, 5), amount=Decimal("30000"), kind="prepayment", **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 11, 2), amount=Decimal("20000"), **pay)
    Payment.objects.create(contract=b, paid_on=dt.date(2026, 10, 20), amount=Decimal("10000"), **pay)
    Payment.objects.create(contract=e, paid_on=dt.date(2026, 9, 1), amount=Decimal("30000"), **pay)
    for when in (at(2026, 11, 1, 0, 30), at(2026, 11, 3), at(2026, 11, 12)):
        ContactLogFactory(customer=c1, kind=ContactKind.VISIT, happened_at=when)
    ContactLogFactory(customer=c1, kind=ContactKind.CALL, happened_at=at(2026, 11, 4))
    ContactLogFactory(customer=c1, kind=ContactKind.VISIT, happened_at=at(2026, 10, 31, 23, 30))
    CalendarDay.objects.create(date=dt.date(2026, 11, 11), is_working=False, name="holiday")
    for d in (2, 3, 4, 5, 6, 16):
        DailyReportFactory(author=sp, date=dt.date(2026, 11, d))
    late = DailyReportFactory(author=sp, date=dt.date(2026, 11, 9))
    late.submitted_at = late.deadline + dt.timedelta(hours=1)
    late.save()
    target = TargetFactory(created_by=manager, amount=Decimal("1000000"))
    TargetLine.objects.create(target=target, dimension=Dimension.SALESPERSON, salesperson=sp, amount=Decimal("200000"))
    return sp


def test_evaluation_figures_match_the_hand_computed_month(book):
    f = evaluation_figures(user_ids=[book.pk], period_type="month", period_start=dt.date(2026, 11, 1), now=NOW)[book.pk]
    assert f.sales_amount == Decimal("100000")  # A only: draft, cancelled and October's B are out
    assert f.sales_quantity == Decimal("10")
    assert f.contracts == 1
    assert f.target_amount == Decimal("200000")
    assert f.completion == Decimal("50.0")
    # 20 working days in November (the 11th is a holiday); 10 of them up to and including the 16th.
    assert f.expected_by_today == Decimal("100000.00")
    assert f.pace == Decimal("100.0")
    assert f.collections == Decimal("50000")  # 30,000 on A + 20,000 on B
    assert f.overdue_amount == Decimal("50000")  # E: shipped 10 Aug, due 10 Oct, 50,000 open; B not yet due
    assert f.overdue_contracts == 1
    assert (f.visits, f.calls) == (3, 1)  # the 00:30 Taipei visit on 1 Nov counts; 31 Oct 23:30 does not
    # Due: 2,3,4,5,6,9,10,12,13 (cut-offs passed) + 16 (filed on time) = 10; on time: 2..6 and 16 = 6.
    assert (f.working_days_due, f.reports_on_time, f.report_compliance) == (10, 6, Decimal("60.0"))
    assert f.new_customers == 1
    assert f.repeat_customers == 1  # c1 bought B in October and A in November
    assert f.expenses_approved == 0 and f.expense_excess == 0  # no expense claims in this fixture


def test_quarter_target_is_prorated_when_no_month_target(book, manager):
    TargetLine.objects.all().delete()
    q = TargetFactory(
        created_by=manager, period_type="quarter", period_start=dt.date(2026, 10, 1), amount=Decimal("900000")
    )
    TargetLine.objects.create(target=q, dimension=Dimension.SALESPERSON, salesperson=book, amount=Decimal("300000"))
    f = evaluation_figures(user_ids=[book.pk], period_type="month", period_start=dt.date(2026, 11, 1), now=NOW)[book.pk]
    assert f.target_amount == Decimal("100000.00")


def test_feedback_freezes_the_figures(book, manager, salesperson):
    ev = evaluation_give_feedback(
        actor=manager, salesperson=book, period_type="month", period_start=dt.date(2026, 11, 20), feedback="很好"
    )
    assert ev.period_start == dt.date(2026, 11, 1)
    assert ev.figures["salesperson_id"] == book.pk and "sales_amount" in ev.figures
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        evaluation_give_feedback(
            actor=salesperson, salesperson=book, period_type="month", period_start=dt.date(2026, 11, 1), feedback="me"
        )


def test_dashboard_from_summaries_per_role(book, manager, gm, other_salesperson, teammate):
    summary_refresh()
    ContractFactory(
        customer=CustomerFactory(owner=other_salesperson),
        status="signed",
        signed_on=dt.date(2026, 11, 3),
        amount=Decimal("7"),
    )
    summary_refresh(since=dt.date(2026, 11, 1))
    d = dashboard_data(user=book, now=NOW)
    month = d.selected
    assert d.scope.level == "salesperson"
    assert month.sales == Decimal("100000") and month.collected == Decimal("50000") and month.visits == 3
    assert month.target == Decimal("200000") and month.completion == Decimal("50.0")
    assert month.compliance == Decimal("60.0")
    assert d.ranking == []
    assert {b["key"]: b["amount"] for b in d.overdue}["31-60"] == Decimal("50000")  # due 10 Oct, 37 days late
    assert d.top_customers[0]["amount"] == Decimal("100000")
    dm = dashboard_data(user=manager, now=NOW)
    assert dm.selected.sales == Decimal("100000")
    assert [r["id"] for r in dm.ranking] == [book.pk, teammate.pk]
    assert dm.selected.target == Decimal("1000000")
    dg = dashboard_data(user=gm, now=NOW, period="year")
    assert dg.selected.sales == Decimal("230007")  # B (Oct) + A (Nov) + E (Aug) + the other unit's 7
    assert len(dg.units) == 2
    # Drill-down: gm -> unit -> salesperson -> customer.
    assert dashboard_data(user=gm, unit_id=book.unit_id, now=NOW).scope.level == "unit"
    assert dashboard_data(user=gm, salesperson_id=book.pk, now=NOW).selected.sales == Decimal("100000")
    customer = d.top_customers[0]["id"]
    dc = dashboard_data(user=manager, customer_id=customer, now=NOW)
    assert dc.scope.level == "customer" and dc.selected.sales == Decimal("100000")
    # c1: 30,000 on A + 20,000 on B collected in November; three visits
    assert dc.selected.collected == Decimal("50000") and dc.selected.visits == 3
    # Out of scope: 404 material.
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=manager, salesperson_id=other_salesperson.pk, now=NOW)
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=other_salesperson, customer_id=customer, now=NOW)
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=manager, unit_id=other_salesperson.unit_id, now=NOW)


def test_dashboard_queries_do_not_grow_with_the_data(gm, manager, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            sp = SalespersonFactory(unit=manager.unit)
            c = ContractFactory(
                customer=CustomerFactory(owner=sp), status="signed", signed_on=dt.date(2026, 11, 3), amount=Decimal("5")
            )
            Shipment.objects.create(contract=c, shipped_on=dt.date(2026, 9, 1))
            DailyReportFactory(author=sp, date=dt.date(2026, 11, 2))
        summary_refresh()

    grow(2)
    with django_assert_max_num_queries(17):
        dashboard_data(user=gm, now=NOW)
    with django_assert_max_num_queries(17):
        dashboard_data(user=manager, now=NOW)
    grow(15)
    with django_assert_max_num_queries(17):
        d = dashboard_data(user=gm, now=NOW)
    assert len(d.ranking) == 17


def test_top_customers_summary_matches_the_live_ranking(salesperson, teammate, other_salesperson, gm, manager):
    amounts = [Decimal(v) for v in (500, 300, 900, 100, 700, 200, 800, 400, 600, 1000, 50, 950)]
    owners = [salesperson, teammate, other_salesperson]
    for n, amount in enumerate(amounts):
        owner = owners[n % 3]
        ContractFactory(
            customer=CustomerFactory(owner=owner), status="signed", signed_on=dt.date(2026, 11, 3), amount=amount
        )
    summary_refresh(today=dt.date(2026, 11, 16))
    from reports.models import TopCustomerSummary

    assert TopCustomerSummary.objects.filter(unit__isnull=True, owner__isnull=True, period_type="month").count() == 10
    company = dashboard_data(user=gm, now=NOW).top_customers
    assert [c["amount"] for c in company] == sorted(amounts, reverse=True)[:10]
    team = dashboard_data(user=manager, now=NOW).top_customers
    team_amounts = sorted((a for n, a in enumerate(amounts) if n % 3 != 2), reverse=True)
    assert [c["amount"] for c in team] == team_amounts
    mine = dashboard_data(user=salesperson, now=NOW, period="year").top_customers
    assert [c["amount"] for c in mine] == sorted((a for n, a in enumerate(amounts) if n % 3 == 0), reverse=True)


def test_compliance_and_receivable_ages_from_summaries_match_the_live_count(book, manager):
    from reports.models import ComplianceMonthly, ReceivableAgeSummary, SummaryState
    from reports.selectors.compliance import report_compliance

    DailyReportFactory(author=book, date=dt.date(2026, 10, 30))  # a month the summary holds in full
    live = report_compliance(people=[book], start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30), now=NOW)
    summary_refresh(today=dt.date(2026, 11, 16))
    assert SummaryState.objects.get().stable_before == dt.date(2026, 11, 13)
    assert ComplianceMonthly.objects.filter(author=book).count() == 2
    summarised = report_compliance(people=[book], start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30), now=NOW)
    assert summarised == live
    assert live[book.pk].on_time == 7
    month = report_compliance(people=[book], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), now=NOW)
    assert (month[book.pk].due_days, month[book.pk].on_time) == (10, 6)
    assert ReceivableAgeSummary.objects.get(owner=book, bucket="31-60").amount == Decimal("50000")
    d = dashboard_data(user=manager, now=NOW)
    assert {b["key"]: b["amount"] for b in d.overdue}["31-60"] == Decimal("50000")


def test_overdue_bulk_path_matches_the_per_contract_path(book):
    from reports.selectors.evaluation import _overdue_by_owner_bulk, overdue_by_owner

    for as_of in (dt.date(2026, 10, 9), dt.date(2026, 10, 10), dt.date(2026, 10, 11), dt.date(2026, 11, 16)):
        assert overdue_by_owner(owner_ids=[book.pk], as_of=as_of) == _overdue_by_owner_bulk(
            owner_ids=[book.pk], as_of=as_of, months=2
        )
    assert overdue_by_owner(owner_ids=[book.pk], as_of=dt.date(2026, 11, 16)) == {book.pk: (Decimal("50000"), 1)}
