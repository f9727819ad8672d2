"""Evaluation figures per salesperson and period (selectors.evaluation)."""

import datetime as dt
from decimal import Decimal

import pytest

from reports.models import Dimension, TargetLine
from reports.selectors.evaluation import evaluation_figures

from ..clock import NOW
from ..factories import TargetFactory

pytestmark = pytest.mark.django_db


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


def test_overdue_is_the_receivables_modules_and_the_snapshot_agrees(book):
    """One definition: the live figure (receivables SQL form) and the dashboard's snapshot give the same answer."""
    from django.db.models import Count, Sum

    from reports.models import ReceivableSnapshot
    from reports.selectors.evaluation import overdue_by_owner
    from reports.services.summaries import summary_refresh

    assert overdue_by_owner(owner_ids=[book.pk], as_of=dt.date(2026, 10, 10)) == {}  # E is due on 10 Oct
    assert overdue_by_owner(owner_ids=[book.pk], as_of=dt.date(2026, 10, 11)) == {book.pk: (Decimal("50000"), 1)}
    assert overdue_by_owner(owner_ids=[book.pk], as_of=dt.date(2026, 11, 16)) == {book.pk: (Decimal("50000"), 1)}
    summary_refresh(today=dt.date(2026, 11, 16))
    snap = ReceivableSnapshot.objects.filter(owner_id=book.pk, due_on__lt=dt.date(2026, 11, 16)).aggregate(
        s=Sum("outstanding"), n=Count("pk")
    )
    assert (snap["s"], snap["n"]) == (Decimal("50000"), 1)


def test_the_salesperson_over_twelve_months_by_hand(book, manager, gm, django_assert_max_num_queries):
    """The chart over time of the hand-computed book: each month's sales, target, collections, visits, review."""
    from reports.selectors.evaluation import evaluation_history
    from reports.services.evaluation import evaluation_review

    scores = {"obedience": 80, "planning": 60, "progress": 70, "service": 90, "profit": 0}
    evaluation_review(
        actor=manager, salesperson=book, period_type="month", period_start=dt.date(2026, 11, 1), scores=scores,
        summary="-",
    )  # fmt: skip
    with django_assert_max_num_queries(8):
        months = evaluation_history(viewer=gm, salesperson=book, last_month=dt.date(2026, 11, 16))
    assert [m.month for m in months][:1] == [dt.date(2025, 12, 1)] and months[-1].month == dt.date(2026, 11, 1)
    assert len(months) == 12
    by = {m.month: m for m in months}
    nov, oct_, sep, aug = (by[dt.date(2026, n, 1)] for n in (11, 10, 9, 8))
    assert (nov.sales, oct_.sales, sep.sales, aug.sales) == (Decimal("100000"), Decimal("50000"), 0, Decimal("80000"))
    assert nov.target == Decimal("200000") and nov.completion == Decimal("50.0") and oct_.target is None
    assert (nov.collections, oct_.collections) == (Decimal("50000"), Decimal("10000"))
    assert sep.collections == Decimal("30000")
    assert (nov.visits, oct_.visits) == (3, 1)  # 00:30 on 1 Nov in Taipei is November's, 23:30 on 31 Oct October's
    # The GM office sees cost: the weighted score, 20 % each = (80 + 60 + 70 + 90 + 0) ÷ 5 = 60.00.
    assert nov.review == Decimal("60.00") and oct_.review is None
    # The salesperson (cost hidden) sees the score without the profit contribution: 300 ÷ 4 = 75.00.
    own = evaluation_history(viewer=book, salesperson=book, last_month=dt.date(2026, 11, 16))
    assert own[-1].review == Decimal("75.00")
