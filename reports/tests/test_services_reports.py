import datetime as dt
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from core.exceptions import ApplicationError
from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import CalendarDay, DailyReport, Dimension, ReportPolicy, Target, TargetLine
from reports.selectors.compliance import report_compliance
from reports.selectors.prefill import daily_report_prefill
from reports.selectors.targets import target_splits
from reports.services.daily_reports import daily_report_comment, daily_report_review, daily_report_save
from reports.services.plans import visit_route_set_day
from reports.services.targets import LineInput, target_save, target_set_split, targets_import_xlsx

from .factories import DailyReportFactory, TargetFactory

pytestmark = pytest.mark.django_db
TPE = ZoneInfo("Asia/Taipei")


def at(y, m, d, h=12, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TPE)


# ---------------------------------------------------------------- locking
def test_report_editable_until_cutoff_then_locked(salesperson):
    day = dt.date(2026, 11, 16)
    report = daily_report_save(
        author=salesperson, date=day, data={"results": "first"}, submit=True, now=at(2026, 11, 16, 18)
    )
    assert report.deadline == at(2026, 11, 17, 10)  # default: next day 10:00
    assert report.submitted_at == at(2026, 11, 16, 18)
    daily_report_save(
        author=salesperson, date=day, data={"results": "edited"}, submit=False, now=at(2026, 11, 17, 9, 59)
    )
    report.refresh_from_db()
    assert report.results == "edited"
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson, date=day, data={"results": "late"}, submit=False, now=at(2026, 11, 17, 10, 1)
        )
    assert err.value.code == "locked"
    report.refresh_from_db()
    assert report.results == "edited"


def test_report_cannot_be_created_after_cutoff_nor_for_the_future(salesperson):
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson, date=dt.date(2026, 11, 13), data={"results": "x"}, submit=True, now=at(2026, 11, 16)
        )
    assert err.value.code == "locked"
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson, date=dt.date(2026, 11, 17), data={"results": "x"}, submit=True, now=at(2026, 11, 16)
        )
    assert err.value.field == "date"
    assert not DailyReport.objects.exists()


def test_cutoff_follows_the_policy_in_force_on_the_report_day(salesperson):
    ReportPolicy.objects.create(effective_from=dt.date(2026, 11, 10), cutoff_days=0, cutoff_time=dt.time(18, 0))
    report = daily_report_save(
        author=salesperson, date=dt.date(2026, 11, 16), data={"results": "x"}, submit=True, now=at(2026, 11, 16, 9)
    )
    assert report.deadline == at(2026, 11, 16, 18)
    with pytest.raises(ApplicationError):
        daily_report_save(
            author=salesperson,
            date=dt.date(2026, 11, 16),
            data={"results": "y"},
            submit=False,
            now=at(2026, 11, 16, 18, 1),
        )


def test_submit_needs_content_and_counts_come_from_the_log(salesperson):
    customer = CustomerFactory(owner=salesperson)
    ContactLogFactory(customer=customer, kind=ContactKind.VISIT, happened_at=at(2026, 11, 16, 9))
    ContactLogFactory(customer=customer, kind=ContactKind.CALL, happened_at=at(2026, 11, 16, 11))
    ContactLogFactory(customer=customer, kind=ContactKind.CALL, happened_at=at(2026, 11, 15, 23, 59))  # other day
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson, date=dt.date(2026, 11, 16), data={"results": " "}, submit=True, now=at(2026, 11, 16, 17)
        )
    assert err.value.code == "empty"
    report = daily_report_save(
        author=salesperson,
        date=dt.date(2026, 11, 16),
        data={"results": "ok", "competitor_price": "17000.555"},
        submit=True,
        now=at(2026, 11, 16, 17),
    )
    assert (report.visits_count, report.calls_count) == (1, 1)
    assert report.competitor_price == Decimal("17000.56")


def test_negative_competitor_price_is_a_field_error(salesperson):
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson,
            date=dt.date(2026, 11, 16),
            data={"competitor_price": "-1"},
            submit=False,
            now=at(2026, 11, 16),
        )
    assert err.value.field == "competitor_price"


# ---------------------------------------------------------------- pre-fill
def test_prefill_lists_the_days_contacts_and_tomorrows_route(salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, short_name="台北機械")
    other = CustomerFactory(owner=other_salesperson, short_name="別人的客戶")
    ContactLogFactory(
        customer=mine,
        kind=ContactKind.VISIT,
        happened_at=at(2026, 11, 16, 10),
        purpose="報價",
        outcome="要求降價 3%",
        next_step="送樣品",
        next_step_date=dt.date(2026, 11, 17),
    )
    ContactLogFactory(customer=other, kind=ContactKind.CALL, happened_at=at(2026, 11, 16, 11))
    routed = CustomerFactory(owner=salesperson, short_name="新竹電子")
    visit_route_set_day(owner=salesperson, weekday=1, customer_ids=[routed.pk], actor=salesperson)  # Tuesday
    pre = daily_report_prefill(author=salesperson, day=dt.date(2026, 11, 16))
    assert pre.visits == 1 and pre.calls == 0
    assert "台北機械" in pre.activities and "要求降價 3%" in pre.activities and "送樣品" in pre.activities
    assert "別人的客戶" not in pre.activities
    assert "新竹電子" in pre.plan_tomorrow and "台北機械: 送樣品" in pre.plan_tomorrow


def test_route_only_takes_own_customers(salesperson, other_salesperson):
    with pytest.raises(ApplicationError):
        visit_route_set_day(
            owner=salesperson, weekday=0, customer_ids=[CustomerFactory(owner=other_salesperson).pk], actor=salesperson
        )


# ---------------------------------------------------------------- review and comments
def test_manager_reviews_and_comments_salesperson_cannot_review(salesperson, manager, other_salesperson):
    report = DailyReportFactory(author=salesperson)
    with pytest.raises(ApplicationError):
        daily_report_review(report=report, actor=salesperson)
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    with pytest.raises(ApplicationError):
        daily_report_review(report=report, actor=other_manager)
    daily_report_review(report=report, actor=manager, comment="請追蹤報價")
    report.refresh_from_db()
    assert report.reviewed_by == manager and report.reviewed_at
    assert report.comments.get().body == "請追蹤報價"
    daily_report_comment(report=report, actor=salesperson, body="收到")
    with pytest.raises(ApplicationError):
        daily_report_comment(report=report, actor=other_salesperson, body="hi")
    assert report.comments.count() == 2


def test_draft_cannot_be_reviewed(salesperson, manager):
    report = DailyReportFactory(author=salesperson, submitted_at=None)
    with pytest.raises(ApplicationError):
        daily_report_review(report=report, actor=manager)


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


# ---------------------------------------------------------------- targets
def test_split_may_not_exceed_the_target_and_shows_the_remainder(manager, salesperson, teammate):
    target = target_save(
        actor=manager,
        unit=manager.unit,
        period_type="month",
        period_start=dt.date(2026, 11, 17),
        amount=Decimal("1000000"),
    )
    assert target.period_start == dt.date(2026, 11, 1)
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALESPERSON,
        lines=[
            LineInput(key=salesperson.pk, amount=Decimal("600000")),
            LineInput(key=teammate.username, amount=Decimal("300000")),
        ],
    )
    view = next(v for v in target_splits(target=target) if v.dimension == Dimension.SALESPERSON)
    assert view.assigned == Decimal("900000") and view.unassigned == Decimal("100000")
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[
                LineInput(key=salesperson.pk, amount=Decimal("700000")),
                LineInput(key=teammate.pk, amount=Decimal("300000.01")),
            ],
        )
    assert err.value.code == "over_target"
    assert TargetLine.objects.filter(target=target).count() == 2  # the old split stands
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[
                LineInput(key=salesperson.pk, amount=Decimal("1")),
                LineInput(key=salesperson.pk, amount=Decimal("1")),
            ],
        )
    assert err.value.code == "duplicate"
    with pytest.raises(ApplicationError) as err:
        target_save(
            actor=manager,
            unit=manager.unit,
            period_type="month",
            period_start=dt.date(2026, 11, 1),
            amount=Decimal("800000"),
        )
    assert err.value.code == "below_split"


def test_split_keys_must_belong_to_the_unit_and_only_its_manager_sets_them(manager, other_salesperson):
    target = TargetFactory(created_by=manager)
    with pytest.raises(ApplicationError):
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[LineInput(key=other_salesperson.pk, amount=Decimal("1"))],
        )
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=other_manager,
            target=target,
            dimension=Dimension.REGION,
            lines=[LineInput(key="北區", amount=Decimal("1"))],
        )
    assert err.value.code == "forbidden"
    with pytest.raises(ApplicationError):
        target_save(
            actor=SalespersonFactory(unit=manager.unit),
            unit=manager.unit,
            period_type="year",
            period_start=dt.date(2026, 1, 1),
            amount=Decimal("1"),
        )


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["period_type", "period_start", "unit", "dimension", "key", "amount", "quantity"])
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_xlsx_import_is_all_or_nothing(admin_user, salesperson):
    code = salesperson.unit.code
    good = _xlsx(
        [
            ["year", "2026-01-01", code, "total", None, 12000000, None],
            ["year", "2026-01-01", code, "salesperson", salesperson.username, 5000000, None],
            ["year", "2026-01-01", code, "region", "北區", 3000000, None],
            ["month", "2026-11-01", "", "total", None, 2000000, None],
        ]
    )
    assert targets_import_xlsx(actor=admin_user, file=good) == {"targets": 2, "lines": 2}
    assert Target.objects.get(unit=None).amount == Decimal("2000000")
    bad = _xlsx(
        [
            ["quarter", "2026-10-01", code, "total", None, 100, None],
            ["quarter", "2026-10-01", code, "salesperson", salesperson.username, 200, None],  # exceeds the whole
            ["decade", "2026-10-01", code, "total", None, 100, None],
        ]
    )
    with pytest.raises(ApplicationError) as err:
        targets_import_xlsx(actor=admin_user, file=bad)
    assert "Row 4" in err.value.message
    bad_split = _xlsx(
        [
            ["quarter", "2026-10-01", code, "total", None, 100, None],
            ["quarter", "2026-10-01", code, "salesperson", salesperson.username, 200, None],
        ]
    )
    with pytest.raises(ApplicationError):
        targets_import_xlsx(actor=admin_user, file=bad_split)
    assert not Target.objects.filter(period_type="quarter").exists()
    with pytest.raises(ApplicationError):
        targets_import_xlsx(actor=admin_user, file=BytesIO(b"not a workbook"))


# ---------------------------------------------------------------- visibility
def test_report_and_target_visibility_per_role(salesperson, teammate, manager, other_salesperson, gm, finance):
    mine = DailyReportFactory(author=salesperson)
    theirs = DailyReportFactory(author=teammate)
    foreign = DailyReportFactory(author=other_salesperson)
    assert set(DailyReport.objects.visible_to(salesperson)) == {mine}
    assert set(DailyReport.objects.visible_to(manager)) == {mine, theirs}
    assert set(DailyReport.objects.visible_to(gm)) == {mine, theirs, foreign}
    assert set(DailyReport.objects.visible_to(finance)) == {mine, theirs, foreign}
    target = TargetFactory(created_by=manager)
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALESPERSON,
        lines=[LineInput(key=salesperson.pk, amount=Decimal("10")), LineInput(key=teammate.pk, amount=Decimal("20"))],
    )
    assert list(Target.objects.visible_to(salesperson)) == [target]
    assert [ln.salesperson for ln in TargetLine.objects.visible_to(salesperson)] == [salesperson]
    assert not Target.objects.visible_to(other_salesperson).exists()
    assert TargetLine.objects.visible_to(manager).count() == 2


@time_machine.travel(at(2026, 11, 16, 17), tick=False)
def test_default_now_is_the_clock(salesperson):
    report = daily_report_save(author=salesperson, date=dt.date(2026, 11, 16), data={"results": "ok"}, submit=True)
    assert report.submitted_at == at(2026, 11, 16, 17)
