"""Daily reports: cut-off, filing, review and comments (services.daily_reports)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from core.exceptions import ApplicationError, PermissionDenied
from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import DailyReport, MarketPrice, ReportPolicy
from reports.services.daily_reports import daily_report_comment, daily_report_review, daily_report_save
from reports.services.market_prices import PriceInput

from ..clock import at
from ..factories import DailyReportFactory

pytestmark = pytest.mark.django_db


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
        data={"results": "ok"},
        submit=True,
        now=at(2026, 11, 16, 17),
        prices=[PriceInput(competitor="東元", tier="retail", price=Decimal("17000.555"))],
    )
    assert (report.visits_count, report.calls_count) == (1, 1)
    [price] = report.prices.all()
    assert (price.competitor, price.tier, price.price) == ("東元", "retail", Decimal("17000.56"))
    assert (price.author, price.unit_id, price.date) == (salesperson, salesperson.unit_id, report.date)


@pytest.mark.parametrize(
    "bad",
    [
        PriceInput(competitor="東元", tier="retail", price=Decimal("-1")),
        PriceInput(competitor="東元", tier="retail", price=Decimal("0")),
        PriceInput(competitor="東元", price=Decimal("100")),  # a price without its tier
        PriceInput(competitor=" ", tier="retail", price=Decimal("100")),  # whose price?
        PriceInput(competitor="東元", tier="wholesale", price=Decimal("100")),
        PriceInput(competitor="東元", product_id=999999),
    ],
)
def test_a_bad_price_is_a_field_error_and_nothing_is_saved(salesperson, bad):
    with pytest.raises(ApplicationError) as err:
        daily_report_save(
            author=salesperson,
            date=dt.date(2026, 11, 16),
            data={"results": "x"},
            submit=False,
            now=at(2026, 11, 16),
            prices=[bad],
        )
    assert err.value.field == "prices"
    assert not DailyReport.objects.exists() and not MarketPrice.objects.exists()


def test_prices_are_replaced_on_save_and_kept_when_not_sent(salesperson):
    def save(prices):
        return daily_report_save(
            author=salesperson,
            date=dt.date(2026, 11, 16),
            data={"results": "x"},
            submit=False,
            now=at(2026, 11, 16),
            prices=prices,
        )

    report = save([PriceInput("東元", tier="retail", price=Decimal("1")), PriceInput("大同")])
    assert sorted(report.prices.values_list("competitor", flat=True)) == ["大同", "東元"]
    save(None)  # not sent: unchanged
    assert report.prices.count() == 2
    save([PriceInput("大華", "F1", tier="second", price=Decimal("2"))])
    assert list(report.prices.values_list("competitor", "competitor_product", "tier")) == [("大華", "F1", "second")]


# ---------------------------------------------------------------- review and comments
def test_manager_reviews_and_comments_salesperson_cannot_review(salesperson, manager, other_salesperson):
    report = DailyReportFactory(author=salesperson)
    with pytest.raises(PermissionDenied):
        daily_report_review(report=report, actor=salesperson)
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    with pytest.raises(PermissionDenied):
        daily_report_review(report=report, actor=other_manager)
    daily_report_review(report=report, actor=manager, comment="請追蹤報價")
    report.refresh_from_db()
    assert report.reviewed_by == manager and report.reviewed_at
    assert report.comments.get().body == "請追蹤報價"
    daily_report_comment(report=report, actor=salesperson, body="收到")
    with pytest.raises(PermissionDenied):
        daily_report_comment(report=report, actor=other_salesperson, body="hi")
    assert report.comments.count() == 2


def test_draft_cannot_be_reviewed(salesperson, manager):
    report = DailyReportFactory(author=salesperson, submitted_at=None)
    with pytest.raises(ApplicationError):
        daily_report_review(report=report, actor=manager)


@time_machine.travel(at(2026, 11, 16, 17), tick=False)
def test_default_now_is_the_clock(salesperson):
    report = daily_report_save(author=salesperson, date=dt.date(2026, 11, 16), data={"results": "ok"}, submit=True)
    assert report.submitted_at == at(2026, 11, 16, 17)


# ---------------------------------------------------------------- urgent problems (迅速向上級報告)
def test_an_urgent_problem_goes_up_once_in_the_managers_language_and_stays_open_until_answered(
    salesperson, teammate, manager
):
    from reminders.models import Notification
    from workspace.inbox import inbox_items

    manager.language = "en"
    manager.save()
    day = timezone.localdate()

    def save(**data):
        return daily_report_save(author=salesperson, date=day, data=data, submit=False)

    report = save(problems="", problem_urgent=True)  # nothing to report yet: nobody is told
    assert report.escalated_at is None and not Notification.objects.filter(user=manager).exists()
    report = save(problems="客戶要求退貨", problem_urgent=True)
    assert report.escalated_at is not None
    [note] = Notification.objects.filter(user=manager)
    assert note.title.startswith("Urgent problem in the daily report of") and day.isoformat() in note.title
    save(problems="客戶要求退貨，金額 50,000", problem_urgent=True)  # saved again: told once only
    assert Notification.objects.filter(user=manager).count() == 1
    # only this kind: other items (a card filing due at a month's end) come and go with the date
    assert [i.kind for i in inbox_items(user=manager) if i.kind == "daily_escalation"] == ["daily_escalation"]
    assert "daily_escalation" not in [i.kind for i in inbox_items(user=teammate)]
    daily_report_comment(report=report, actor=salesperson, body="補充：今天下午")  # the author's own: no answer
    report.refresh_from_db()
    assert report.escalation_answered_at is None
    daily_report_comment(report=report, actor=manager, body="我明天去處理")
    report.refresh_from_db()
    assert report.escalation_answered_at is not None
    assert "daily_escalation" not in [i.kind for i in inbox_items(user=manager)]


def test_a_managers_urgent_problem_goes_to_the_gm_office_and_a_review_answers_it(manager, gm):
    from reminders.models import Notification
    from workspace.inbox import inbox_items

    gm.language = "zh-hant"
    gm.save()
    report = daily_report_save(
        author=manager,
        date=timezone.localdate(),
        data={"results": "x", "problems": "大客戶流失", "problem_urgent": True},
        submit=True,
    )
    [note] = Notification.objects.filter(user=gm)
    assert "緊急" in note.title
    assert "daily_escalation" in [i.kind for i in inbox_items(user=gm)]
    daily_report_review(report=report, actor=gm, comment="")
    report.refresh_from_db()
    assert report.escalation_answered_at is not None
    assert "daily_escalation" not in [i.kind for i in inbox_items(user=gm)]
