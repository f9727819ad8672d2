"""Customer, report and commission handoffs: each recipient notified exactly once, in their own language."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from commission import services as commission_services
from commission.models import ExpenseKind, ExpenseStatus
from commission.tests.factories import ExpenseClaimFactory, sold_contract
from customers import services as customer_services
from customers.models import CustomerConflict
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from reports.services.daily_reports import daily_report_comment, daily_report_review
from reports.tests.factories import DailyReportFactory
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def _lang(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _titles(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))


def test_conflict_decided_reaches_both_claimants_once_each_in_their_language(salesperson, other_salesperson, gm):
    _lang(salesperson, "zh-hant")
    _lang(other_salesperson, "en")
    customer_services.customer_register(actor=salesperson, data={"name": "碰車股份有限公司"})
    with pytest.raises(customer_services.RegistrationRefused):
        customer_services.customer_register(actor=other_salesperson, data={"name": "碰車股份有限公司"})
    conflict = CustomerConflict.objects.get()
    customer_services.conflict_confirm_owner(conflict=conflict, actor=gm, reason="先入為主")
    assert _titles(salesperson) == ["客戶碰車已裁決：碰車股份有限公司"]
    assert _titles(other_salesperson) == ["Customer conflict decided: 碰車股份有限公司"]
    body = Notification.objects.get(user=other_salesperson).body
    assert "the registered owner keeps the customer" in body and "先入為主" in body
    assert _titles(gm) == []


def test_reassignment_reaches_new_and_old_owner(salesperson, teammate, manager):
    _lang(salesperson, "en")
    _lang(teammate, "zh-hant")
    customer = CustomerFactory(owner=salesperson, name="改派客戶")
    customer_services.customer_reassign(customer=customer, new_owner=teammate, actor=manager, reason="區域調整")
    assert _titles(salesperson) == ["Customer 改派客戶 reassigned"]
    assert _titles(teammate) == ["客戶 改派客戶 已改派"]


def test_release_to_the_pool_reaches_the_old_owner(salesperson, manager):
    _lang(salesperson, "zh-hant")
    customer = CustomerFactory(owner=salesperson, name="公海客戶")
    customer_services.customer_release(customer=customer, actor=manager, reason="久未聯絡")
    [note] = Notification.objects.filter(user=salesperson)
    assert note.title == "客戶 公海客戶 已釋出至公海" and "久未聯絡" in note.body


def test_manager_comment_on_a_daily_report_reaches_its_author(salesperson, manager):
    _lang(salesperson, "en")
    report = DailyReportFactory(author=salesperson, date=timezone.localdate() - dt.timedelta(days=1))
    daily_report_review(report=report, actor=manager, comment="Good visit")
    daily_report_comment(report=report, actor=manager, body="Call them again on Monday")
    titles = _titles(salesperson)
    assert titles == [
        f"Your daily report of {report.date.isoformat()} was reviewed",
        f"Comment on your daily report of {report.date.isoformat()}",
    ]
    assert _titles(manager) == []


def test_expense_claim_goes_to_the_manager_and_the_decision_back(salesperson, manager):
    _lang(salesperson, "zh-hant")
    _lang(manager, "en")
    contract = ContractFactory(owner=salesperson, unit=salesperson.unit, status=ContractStatus.SIGNED)
    claim = commission_services.expense_submit(
        contract=contract,
        claimant=salesperson,
        kind=ExpenseKind.CLAIM,
        amount=D("800"),
        description="交通費",
        incurred_on=timezone.localdate(),
    )
    assert _titles(manager) == ["Expense claim waits for your decision"]
    commission_services.expense_decide(claim=claim, actor=manager, approve=False, note="No receipt")
    [note] = Notification.objects.filter(user=salesperson)
    assert note.title == "費用報銷已駁回" and "No receipt" in note.body


def test_month_close_tells_each_salesperson_of_that_month(finance):
    seller = _lang(SalespersonFactory(), "zh-hant")
    with time_machine.travel(dt.datetime(2026, 2, 3, 9, tzinfo=dt.UTC)):
        sold_contract(owner=seller, signed_on=dt.date(2026, 1, 5))
        commission_services.month_close(month=dt.date(2026, 1, 1), actor=finance)
    assert _titles(seller) == ["2026-01 提成結算單已完成"]


def test_contract_filed_late_reaches_owner_and_manager(salesperson, manager):
    _lang(salesperson, "en")
    _lang(manager, "zh-hant")
    today = timezone.localdate()
    contract = ContractFactory(
        owner=salesperson,
        unit=salesperson.unit,
        status=ContractStatus.SIGNED,
        signed_on=today - dt.timedelta(days=10),
        filing_due_on=today - dt.timedelta(days=7),
    )
    from documents.tests.factories import file_by_receipts

    file_by_receipts(contract)  # the third department's receipt files it, late
    assert _titles(salesperson) == [f"Contract {contract.number} filed late"]
    assert _titles(manager) == [f"契約 {contract.number} 逾期備案"]


def test_expense_status_unchanged_when_a_stranger_decides(salesperson, other_salesperson):
    claim = ExpenseClaimFactory(
        contract=ContractFactory(owner=salesperson, unit=salesperson.unit), status=ExpenseStatus.PENDING
    )
    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied) as exc:  # a refusal of who: the one 403 error
        commission_services.expense_decide(claim=claim, actor=other_salesperson, approve=True)
    assert exc.value.code == "forbidden"
    assert Notification.objects.count() == 0
