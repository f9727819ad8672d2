"""Report compliance, live and from the summary (selectors.compliance)."""

import datetime as dt
from decimal import Decimal

import pytest

from reports.models import CalendarDay, ReportPolicy
from reports.selectors.compliance import report_compliance
from reports.selectors.dashboard import dashboard_data
from reports.services.summaries import summary_refresh

from ..clock import NOW, at
from ..factories import DailyReportFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- compliance and the working-day calendar
def test_compliance_counts_working_days_only_across_weekends_and_holidays(salesperson):
    salesperson.date_joined = at(2026, 1, 1)
    salesperson.save()
    CalendarDay.objects.create(date=dt.date(2026, 11, 11), is_working=False, name="holiday")
    for d in (2, 3, 4, 5, 6):
        DailyReportFactory(author=salesperson, date=dt.date(2026, 11, d))
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 7))  # Saturday: not counted
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 11))  # holiday: not counted
    late = DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 9))
    late.submitted_at = late.deadline + dt.timedelta(minutes=1)
    late.save()
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 10), submitted_at=None)  # draft
    now = at(2026, 11, 16, 12)
    comp = report_compliance(people=[salesperson], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), now=now)
    # Working days whose cut-off passed: 2,3,4,5,6,9,10,12,13 = 9; on time: 2..6 = 5.
    assert comp[salesperson.pk].due_days == 9
    assert comp[salesperson.pk].on_time == 5
    assert comp[salesperson.pk].rate == Decimal("55.6")
    # A make-up working Saturday (補班) becomes due; a report filed today counts before its cut-off.
    CalendarDay.objects.create(date=dt.date(2026, 11, 14), is_working=True, name="補班")
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 16), submitted_at=at(2026, 11, 16, 11))
    comp = report_compliance(people=[salesperson], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), now=now)
    assert (comp[salesperson.pk].due_days, comp[salesperson.pk].on_time) == (11, 6)


def test_working_week_comes_from_the_policy(salesperson):
    salesperson.date_joined = at(2026, 1, 1)
    salesperson.save()
    # a six-day week (update_or_create: transactional browser tests flush the migration's default row)
    ReportPolicy.objects.update_or_create(effective_from=dt.date(2000, 1, 1), defaults={"working_weekdays": "012345"})
    comp = report_compliance(
        people=[salesperson], start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 8), now=at(2026, 11, 10)
    )
    assert comp[salesperson.pk].due_days == 6


def test_compliance_and_receivable_ages_from_summaries_match_the_live_count(book, manager):
    from reports.models import ComplianceMonthly, ReceivableAgeSummary, SummaryState
    from reports.selectors.compliance import report_compliance

    DailyReportFactory(author=book, date=dt.date(2026, 10, 30))  # a month the summary holds in full
    live = report_compliance(people=[book], start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30), now=NOW)
    summary_refresh(today=dt.date(2026, 11, 16))
    assert SummaryState.objects.get(name="dashboard").stable_before == dt.date(2026, 11, 13)
    assert ComplianceMonthly.objects.filter(author=book).count() == 2
    summarised = report_compliance(people=[book], start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30), now=NOW)
    assert summarised == live
    assert live[book.pk].on_time == 7
    month = report_compliance(people=[book], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), now=NOW)
    assert (month[book.pk].due_days, month[book.pk].on_time) == (10, 6)
    assert ReceivableAgeSummary.objects.get(owner=book, bucket="31-60").amount == Decimal("50000")
    d = dashboard_data(user=manager, now=NOW)
    assert {b["key"]: b["amount"] for b in d.overdue}["31-60"] == Decimal("50000")
