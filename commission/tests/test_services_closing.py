"""Closing a month freezes its statements; later changes come back as adjustments in the next open month."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from accounts.models import User
from commission.models import ClosedMonth, CommissionRuleSet, CommissionStatement
from commission.selectors import statement_for, statements_for_month
from commission.services import month_close
from core.exceptions import ApplicationError, PermissionDenied
from sales.models import ContractStatus, PaymentKind

from .factories import PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in range(1, 5))


def lines(st, component=None):
    out = [ln for block in st["contracts"] for ln in block["lines"]]
    return [ln for ln in out if component is None or ln["component"] == component]


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_closed_month_is_byte_for_byte_the_same_after_later_payments_and_rule_changes(salesperson, finance, client):
    contract = sold_contract(owner=salesperson, retention="1200.00", shipped_on=dt.date(2026, 1, 10))
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("10800.00"))
    month_close(month=JAN, actor=finance)
    stored = CommissionStatement.objects.get(salesperson=salesperson, month=JAN)
    before_json = json.dumps(stored.data, sort_keys=True)
    client.force_login(finance)
    page_before = client.get(f"/commission/statements/{salesperson.id}/2026-01/print/").content
    api_before = client.get(f"/api/v1/commission-statements/?month=2026-01&salesperson={salesperson.id}").content
    assert b"800.00" in page_before
    assert json.loads(api_before)["results"][0]["totals"]["released"] == "800.00"

    # Later: a back-dated payment, a cancelled-and-restored status, a new rate for everything.
    PaymentFactory(
        contract=contract, paid_on=dt.date(2026, 1, 25), amount=Decimal("1200.00"), kind=PaymentKind.RETENTION
    )
    CommissionRuleSet.objects.update(commission_percent=Decimal("40"))
    CommissionRuleSet.objects.create(name="new", effective_from=dt.date(2026, 1, 1), commission_percent=Decimal("30"))

    stored.refresh_from_db()
    assert json.dumps(stored.data, sort_keys=True) == before_json
    assert statement_for(viewer=finance, month=JAN, salesperson_id=salesperson.id) == stored.data
    assert client.get(f"/commission/statements/{salesperson.id}/2026-01/print/").content == page_before
    assert (
        client.get(f"/api/v1/commission-statements/?month=2026-01&salesperson={salesperson.id}").content == api_before
    )


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_late_payment_into_a_closed_month_is_an_adjustment_in_the_next_open_month(salesperson, finance):
    contract = sold_contract(owner=salesperson, retention="1200.00", shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("10800.00"))
    month_close(month=JAN, actor=finance)
    jan = statement_for(viewer=finance, month=JAN, salesperson_id=salesperson.id)
    assert jan["closed"] is True
    assert jan["totals"]["net"] == "800.00"
    # The retention money was in fact paid on 25 January, recorded in March.
    PaymentFactory(
        contract=contract, paid_on=dt.date(2026, 1, 25), amount=Decimal("1200.00"), kind=PaymentKind.RETENTION
    )
    feb = statement_for(viewer=finance, month=FEB, salesperson_id=salesperson.id)
    (adj,) = lines(feb)
    assert adj["rule"] == "adjustment"
    assert adj["component"] == "retention_release"
    assert adj["amount"] == "200.00"
    assert adj["params"]["through"] == "2026-01"
    assert feb["totals"]["adjustments"] == "200.00"
    assert feb["totals"]["net"] == "200.00"
    # Once February is closed with it, March carries nothing more.
    month_close(month=FEB, actor=finance)
    mar = statement_for(viewer=finance, month=MAR, salesperson_id=salesperson.id)
    assert mar is None, json.dumps(lines(mar), ensure_ascii=False)


@time_machine.travel(dt.datetime(2026, 4, 5, 9, 0, tzinfo=dt.UTC))
def test_rule_change_for_a_closed_month_and_cancellation_adjust_next_month(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    month_close(month=JAN, actor=finance)
    CommissionRuleSet.objects.update(commission_percent=Decimal("40"))
    feb = statement_for(viewer=finance, month=FEB, salesperson_id=salesperson.id)
    (adj,) = lines(feb)
    assert adj["amount"] == "-200.00"
    month_close(month=FEB, actor=finance)
    contract.status = ContractStatus.CANCELLED
    contract.save()
    mar = statement_for(viewer=finance, month=MAR, salesperson_id=salesperson.id)
    (adj,) = lines(mar)
    assert adj["amount"] == "-800.00"
    assert mar["totals"]["net"] == "-800.00"


@time_machine.travel(dt.datetime(2026, 4, 5, 9, 0, tzinfo=dt.UTC))
def test_new_rule_set_applies_from_its_month_only(salesperson, finance):
    early = sold_contract(owner=salesperson, shipped_on=None)
    late = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=early, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    PaymentFactory(contract=late, paid_on=dt.date(2026, 3, 20), amount=Decimal("12000.00"))
    CommissionRuleSet.objects.create(
        name="2026-03", effective_from=dt.date(2026, 3, 1), commission_percent=Decimal("40")
    )
    assert statement_for(viewer=finance, month=JAN, salesperson_id=salesperson.id)["totals"]["released"] == "1000.00"
    mar = statement_for(viewer=finance, month=MAR, salesperson_id=salesperson.id)
    assert mar["totals"]["released"] == "800.00"
    assert Decimal(mar["rules"]["commission_rate"]) == Decimal("0.4")


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_months_close_in_order_and_only_after_they_end(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    with pytest.raises(ApplicationError) as err:
        month_close(month=FEB, actor=finance)
    assert err.value.code == "out_of_order"
    with pytest.raises(ApplicationError) as err:
        month_close(month=MAR, actor=finance)
    assert err.value.code == "not_ended"
    month_close(month=JAN, actor=finance)
    with pytest.raises(ApplicationError) as err:
        month_close(month=JAN, actor=finance)
    assert err.value.code == "closed"
    month_close(month=FEB, actor=finance)
    assert list(ClosedMonth.objects.values_list("month", flat=True).order_by("month")) == [JAN, FEB]


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_only_finance_closes(salesperson, manager, gm):
    for user in (salesperson, manager, gm):
        with pytest.raises(PermissionDenied) as err:
            month_close(month=JAN, actor=user)
        assert err.value.code == "forbidden"
    assert not ClosedMonth.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_closing_stores_one_statement_per_person_with_activity(salesperson, other_salesperson, finance):
    for owner in (salesperson, other_salesperson):
        c = sold_contract(owner=owner, shipped_on=None)
        PaymentFactory(contract=c, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    month_close(month=JAN, actor=finance)
    assert set(CommissionStatement.objects.values_list("salesperson_id", flat=True)) == {
        salesperson.id,
        other_salesperson.id,
    }
    assert [s["salesperson"]["id"] for s in statements_for_month(viewer=salesperson, month=JAN)] == [salesperson.id]
    assert User.objects.count() >= 3
