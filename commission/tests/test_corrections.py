import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from commission.models import CommissionCorrection
from commission.selectors import statement_for
from commission.services import correction_add, month_close
from core.exceptions import ApplicationError, PermissionDenied

from .factories import PaymentFactory, sold_contract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]
JAN, FEB, MAR = (dt.date(2026, m, 1) for m in (1, 2, 3))


@pytest.fixture
def frozen_time():
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)):
        yield


def lines(st):
    return [ln for b in st["contracts"] for ln in b["lines"]]


def test_bad_debt_is_a_line_of_the_open_month_and_survives_closing(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    month_close(month=JAN, actor=finance)
    correction_add(
        salesperson=salesperson,
        month=FEB,
        amount=Decimal("-500"),
        reason="客戶倒帳，依連帶責任扣回",
        kind="bad_debt",
        contract=contract,
        actor=finance,
    )
    feb = statement_for(viewer=salesperson, month=FEB, salesperson_id=salesperson.id)
    (line,) = lines(feb)
    assert (line["component"], line["rule"], line["amount"]) == ("correction", "bad_debt", "-500.00")
    assert "joint liability" in line["text"]["en"] and "客戶倒帳" in line["text"]["en"]
    assert feb["totals"]["adjustments"] == "-500.00" and feb["totals"]["net"] == "-500.00"
    month_close(month=FEB, actor=finance)
    assert statement_for(viewer=finance, month=MAR, salesperson_id=salesperson.id) is None
    with pytest.raises(ApplicationError) as err:
        correction_add(salesperson=salesperson, month=FEB, amount=Decimal("1"), reason="x", actor=finance)
    assert err.value.code == "closed"


def test_correction_without_contract_and_validation(salesperson, other_salesperson, finance, manager):
    c = correction_add(salesperson=salesperson, month=FEB, amount=Decimal("120"), reason="補發", actor=finance)
    feb = statement_for(viewer=finance, month=FEB, salesperson_id=salesperson.id)
    assert feb["contracts"][0]["id"] == 0 and feb["totals"]["net"] == "120.00"
    for kwargs, field in [
        ({"amount": Decimal("0"), "reason": "x"}, "amount"),
        ({"amount": Decimal("1"), "reason": " "}, "reason"),
        ({"amount": Decimal("1"), "reason": "x", "contract": sold_contract(owner=other_salesperson)}, "contract"),
    ]:
        with pytest.raises(ApplicationError) as err:
            correction_add(salesperson=salesperson, month=FEB, actor=finance, **kwargs)
        assert err.value.field == field
    with pytest.raises(PermissionDenied) as err:
        correction_add(salesperson=salesperson, month=FEB, amount=Decimal("1"), reason="x", actor=manager)
    assert err.value.code == "forbidden"
    assert list(CommissionCorrection.objects.all()) == [c]


def test_correction_form_on_the_statement_page(client, salesperson, finance):
    client.force_login(finance)
    url = f"/commission/statements/{salesperson.id}/2026-02/"
    assert "correction-form" in client.get(url).content.decode()
    r = client.post(url, {"kind": "correction", "amount": "-80", "reason": "重複發放"})
    assert r.status_code == 302
    r = client.get(url)
    assert "重複發放" in r.content.decode()
    client.force_login(salesperson)
    body = client.get(url).content.decode()
    assert "重複發放" in body and "correction-form" not in body
    assert client.post(url, {"kind": "correction", "amount": "80", "reason": "x"}).status_code == 403
    assert CommissionCorrection.objects.count() == 1
