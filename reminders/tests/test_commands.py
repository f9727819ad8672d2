from io import StringIO

import pytest
from django.core.management import call_command

from customers.tests.factories import CustomerFactory
from reminders.models import CustomerMessagingPreference
from sales.models import ContractLine
from sales.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_demo_history_and_backtest():
    ProductFactory(category="耗材")
    ProductFactory(category="材料")
    for _ in range(6):
        CustomerFactory()
    out = StringIO()
    call_command("reminders_seed_demo", customers=6, stdout=out)
    lines = ContractLine.objects.count()
    assert lines >= 6 * 4
    call_command("reminders_seed_demo", customers=6, stdout=StringIO())
    assert ContractLine.objects.count() == lines  # idempotent
    assert CustomerMessagingPreference.objects.filter(opted_in=True).exists()
    out = StringIO()
    call_command("reminders_backtest", stdout=out)
    assert "walk-forward predictions" in out.getvalue()
    assert "mean absolute error" in out.getvalue()
