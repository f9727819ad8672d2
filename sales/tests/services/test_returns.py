"""Returns (退貨): recorded on shipped lines, approved by the manager, counted in the month of approval — sales,
commission, target progress and the receivable — while a closed commission month stays as it was."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from commission.models import CommissionStatement
from commission.selectors import statement_for
from commission.services import month_close
from commission.tests.factories import PaymentFactory, sold_contract
from core.exceptions import ApplicationError, PermissionDenied
from receivables import selectors as receivables_selectors
from reminders.models import Notification
from reports.models import PerformanceMonthly
from reports.selectors.targets import target_progress
from reports.services.summaries import summary_refresh
from reports.tests.factories import TargetFactory
from sales.models import ReturnStatus, SalesReturn
from sales.services import return_decide, return_record, shipment_create
from workspace.inbox import inbox_items

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
IN_MARCH = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


def shipped_contract(salesperson, *, quantity="10", signed_on=dt.date(2026, 1, 5), shipped_on=dt.date(2026, 1, 10)):
    """10 × 1,200 against a standard price of 1,000: commission 10 × 200 × 50 % = 1,000 once collected."""
    contract = sold_contract(owner=salesperson, quantity=quantity, signed_on=signed_on, shipped_on=None)
    with time_machine.travel(dt.datetime.combine(shipped_on, dt.time(2, 0), tzinfo=dt.UTC)):
        shipment_create(actor=salesperson, contract=contract, shipped_on=shipped_on)
    return contract


def record(contract, actor, quantity="3", **kwargs):
    kwargs.setdefault("reason", "破損")
    kwargs.setdefault("returned_on", dt.date(2026, 3, 2))
    return return_record(
        actor=actor, contract=contract, contract_line=contract.lines.get(), quantity=quantity, **kwargs
    )


def lines_of(statement, component=None):
    out = [ln for block in statement["contracts"] for ln in block["lines"]]
    return [ln for ln in out if component is None or ln["component"] == component]


@time_machine.travel(IN_MARCH)
def test_a_return_waits_for_the_manager_who_is_notified_in_his_language_and_sees_it_in_the_inbox(salesperson, manager):
    manager.language = "zh-hant"
    manager.save(update_fields=["language"])
    contract = shipped_contract(salesperson)
    ret = record(contract, salesperson)
    assert ret.status == ReturnStatus.PENDING
    assert ret.amount == Decimal("3600.00")  # 3 × 1,200 by default
    note = Notification.objects.get(user=manager)
    assert "退貨" in note.title and contract.number in note.title
    (item,) = [i for i in inbox_items(user=manager) if i.kind == "sales_return"]
    assert item.action_url.endswith(f"/returns/{ret.pk}/approve/")
    # The salesperson cannot approve their own return; the manager can.
    with pytest.raises(PermissionDenied):
        return_decide(actor=salesperson, sales_return=ret, action="approve")
    ret = return_decide(actor=manager, sales_return=ret, action="approve")
    assert (ret.status, ret.decided_on) == (ReturnStatus.APPROVED, dt.date(2026, 3, 10))
    told = Notification.objects.get(user=salesperson)
    assert "approved" in told.title and "3,600.00" in told.body
    assert not [i for i in inbox_items(user=manager) if i.kind == "sales_return"]


@time_machine.travel(IN_MARCH)
def test_a_rejection_needs_a_reason_and_counts_nothing(salesperson, manager):
    contract = shipped_contract(salesperson)
    ret = record(contract, salesperson)
    with pytest.raises(ApplicationError) as err:
        return_decide(actor=manager, sales_return=ret, action="reject")
    assert err.value.field == "note"
    return_decide(actor=manager, sales_return=ret, action="reject", note="not ours")
    assert receivables_selectors.position_for(contract=contract).balance == Decimal("12000.00")
    # Rejected quantities may be returned again.
    assert record(contract, salesperson, quantity="10").quantity == Decimal("10")


@time_machine.travel(IN_MARCH)
def test_more_than_shipped_and_not_yet_returned_is_refused_naming_the_quantity(salesperson, manager):
    contract = shipped_contract(salesperson)
    with pytest.raises(ApplicationError) as err:
        record(contract, salesperson, quantity="11")
    assert (err.value.field, err.value.code) == ("quantity", "over_returned")
    record(contract, salesperson, quantity="8")  # pending counts too
    with pytest.raises(ApplicationError) as err:
        record(contract, salesperson, quantity="3")
    assert err.value.field == "quantity"
    with pytest.raises(ApplicationError) as err:
        record(contract, salesperson, quantity="1", amount="1200.01")
    assert err.value.field == "amount"
    with pytest.raises(ApplicationError) as err:
        record(contract, salesperson, quantity="1", reason=" ")
    assert err.value.field == "reason"
    assert SalesReturn.objects.count() == 1


@time_machine.travel(IN_MARCH)
def test_goods_not_shipped_cannot_be_returned(salesperson):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    with pytest.raises(ApplicationError) as err:
        record(contract, salesperson, quantity="1")
    assert err.value.field == "quantity"


@time_machine.travel(IN_MARCH)
def test_api_returns_400_naming_the_field_and_404_for_anothers_contract(
    salesperson, other_salesperson, manager, api_client
):
    contract = shipped_contract(salesperson)
    line = contract.lines.get()
    body = {"contract": contract.pk, "contract_line": line.pk, "returned_on": "2026-03-02", "reason": "破損"}
    api_client.force_authenticate(other_salesperson)
    assert api_client.post("/api/v1/returns/", {**body, "quantity": "1"}, format="json").status_code == 404
    api_client.force_authenticate(salesperson)
    bad = api_client.post("/api/v1/returns/", {**body, "quantity": "12"}, format="json")
    assert bad.status_code == 400 and "quantity" in json.dumps(bad.json())
    ok = api_client.post("/api/v1/returns/", {**body, "quantity": "2"}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["amount"] == "2400.00" and ok.json()["actions"] == []
    api_client.force_authenticate(other_salesperson)
    assert api_client.get(f"/api/v1/returns/{ok.json()['id']}/").status_code == 404
    assert api_client.post(f"/api/v1/returns/{ok.json()['id']}/approve/", {}, format="json").status_code == 404
    api_client.force_authenticate(manager)
    assert api_client.get(f"/api/v1/returns/{ok.json()['id']}/").json()["actions"] == ["approve", "reject"]
    done = api_client.post(f"/api/v1/returns/{ok.json()['id']}/approve/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"


@time_machine.travel(IN_MARCH)
def test_pages_record_and_decide_and_hide_anothers_return(salesperson, other_salesperson, manager, client):
    contract = shipped_contract(salesperson)
    client.force_login(salesperson)
    page = client.get(f"/sales/contracts/{contract.pk}/")
    assert b'id="return-form"' in page.content
    client.post(
        f"/sales/contracts/{contract.pk}/return/",
        {"contract_line": contract.lines.get().pk, "quantity": "2", "returned_on": "2026-03-02", "reason": "破損"},
    )
    ret = SalesReturn.objects.get()
    client.force_login(other_salesperson)
    assert client.get(f"/sales/contracts/{contract.pk}/").status_code == 404
    assert client.post(f"/sales/returns/{ret.pk}/approve/").status_code == 404
    client.force_login(manager)
    client.post(f"/sales/returns/{ret.pk}/approve/")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.APPROVED


@time_machine.travel(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC))
def test_return_after_settlement_takes_commission_back_in_its_month_and_leaves_the_closed_month(
    salesperson, manager, finance
):
    with time_machine.travel(dt.datetime(2026, 2, 10, 2, 0, tzinfo=dt.UTC)):
        contract = shipped_contract(salesperson)
        PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
        month_close(month=JAN, actor=finance)
    frozen = json.dumps(CommissionStatement.objects.get(salesperson=salesperson, month=JAN).data, sort_keys=True)
    ret = record(contract, salesperson, quantity="3")
    return_decide(actor=manager, sales_return=ret, action="approve")

    jan = statement_for(viewer=finance, month=JAN, salesperson_id=salesperson.id)
    assert json.dumps(jan, sort_keys=True) == frozen
    assert jan["totals"]["released"] == "1000.00"
    mar = statement_for(viewer=salesperson, month=MAR, salesperson_id=salesperson.id)
    (line,) = lines_of(mar, "sales_return")
    assert line["amount"] == "-300.00"  # 3 × (1,200 − 1,000) × 50 %
    assert line["params"]["returned_above_standard"] == "600.00"
    assert "3 × " in line["text"]["en"] and "50 %" in line["text"]["en"]
    assert line["text"]["zh-hant"] != line["text"]["en"]
    assert mar["totals"]["net"] == "-300.00"
    assert not [ln for ln in lines_of(mar) if ln["rule"] == "adjustment"]
    feb = statement_for(viewer=finance, month=FEB, salesperson_id=salesperson.id)
    assert feb is None or not lines_of(feb, "sales_return")


@time_machine.travel(IN_MARCH)
def test_return_before_settlement_lowers_the_commission_released_and_credits_the_receivable(salesperson, manager):
    contract = shipped_contract(salesperson)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 2, 20), amount=Decimal("9000.00"))
    ret = record(contract, salesperson, quantity="2")  # 2,400 credited
    assert receivables_selectors.position_for(contract=contract).balance == Decimal("3000.00")
    return_decide(actor=manager, sales_return=ret, action="approve")
    # 9,000 paid + 2,400 credited: 600 still owed, not yet settled; the held commission is net of the return.
    position = receivables_selectors.position_for(contract=contract)
    assert position.balance == Decimal("600.00")
    mar = statement_for(viewer=manager, month=MAR, salesperson_id=salesperson.id)
    (held,) = lines_of(mar, "held")
    assert held["amount"] == "800.00"  # (2,000 − 400) × 50 %
    assert "400.00" in held["text"]["en"]
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 3, 10), amount=Decimal("600.00"))
    mar = statement_for(viewer=manager, month=MAR, salesperson_id=salesperson.id)
    (release,) = lines_of(mar, "release")
    assert release["amount"] == "800.00"
    assert not lines_of(mar, "sales_return")  # valued net at settlement: nothing taken back twice


@time_machine.travel(IN_MARCH)
def test_return_lowers_sales_and_target_progress_of_its_month_not_of_the_signing_month(salesperson, manager):
    contract = shipped_contract(salesperson)
    march_sale = sold_contract(owner=salesperson, signed_on=dt.date(2026, 3, 3), shipped_on=None)
    jan_target = TargetFactory(created_by=manager, unit=salesperson.unit, period_start=JAN)
    mar_target = TargetFactory(created_by=manager, unit=salesperson.unit, period_start=MAR)
    ret = record(contract, salesperson, quantity="3")
    return_decide(actor=manager, sales_return=ret, action="approve")

    now = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
    assert target_progress(target=mar_target, now=now).actual == march_sale.amount - Decimal("3600.00")
    assert target_progress(target=jan_target, now=now).actual == contract.amount  # January is not rewritten
    summary_refresh(today=dt.date(2026, 3, 10))
    months = dict(PerformanceMonthly.objects.filter(owner=salesperson).values_list("month", "sales_amount").order_by())
    assert months[JAN] == Decimal("12000.00")
    assert months[MAR] == Decimal("12000.00") - Decimal("3600.00")


@time_machine.travel(IN_MARCH)
def test_partial_returns_add_up_to_at_most_what_was_shipped(salesperson, manager):
    contract = shipped_contract(salesperson)
    for qty in ("4", "6"):
        return_decide(actor=manager, sales_return=record(contract, salesperson, quantity=qty), action="approve")
    with pytest.raises(ApplicationError):
        record(contract, salesperson, quantity="0.01")
    assert receivables_selectors.position_for(contract=contract).balance == Decimal("0.00")


@time_machine.travel(IN_MARCH)
def test_contract_page_queries_do_not_grow_with_its_returns(
    salesperson, manager, client, django_assert_max_num_queries
):
    contract = shipped_contract(salesperson)
    record(contract, salesperson, quantity="1")
    client.force_login(manager)
    url = f"/sales/contracts/{contract.pk}/"
    with django_assert_max_num_queries(60) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        record(contract, salesperson, quantity="1")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("/sales/returns/") == 2 * 5  # approve and reject for each of the five
