"""Two finance users pressing "close" at the same moment close the month once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from commission.models import ClosedMonth, CommissionStatement
from commission.services import month_close
from core.exceptions import ApplicationError

from .factories import PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_concurrent_close_closes_once(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    results = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            month_close(month=dt.date(2026, 1, 1), actor=finance)
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["closed", "ok"]
    assert ClosedMonth.objects.count() == 1
    assert CommissionStatement.objects.count() == 1
