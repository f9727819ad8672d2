"""reminders.seed is part of seed_demo: the demo customer cards show reorder predictions, and re-runs add nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from customers.models import Customer
from reminders import seed
from reminders.models import CustomerMessagingPreference
from reminders.selectors import customer_reorder_predictions
from sales.models import Contract

pytestmark = pytest.mark.django_db


def test_seed_demo_includes_the_reminders_history_and_the_card_shows_predictions():
    call_command("seed_demo", stdout=StringIO())
    repeat = Contract.objects.filter(number__startswith="R")
    orders = repeat.count()
    assert orders > 100
    with_history = Customer.objects.filter(pk__in=repeat.values("customer_id")).order_by("id")
    predicted = [c for c in with_history if customer_reorder_predictions(customer_id=c.pk)]
    assert len(predicted) >= len(with_history) // 2
    customer = predicted[0]
    client = Client()
    client.force_login(User.objects.get(pk=customer.owner_id))
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "data-product=" in html

    prefs = CustomerMessagingPreference.objects.count()
    call_command("seed_demo", stdout=StringIO())  # idempotent: nothing added
    assert repeat.count() == orders
    assert CustomerMessagingPreference.objects.count() == prefs
    assert seed.run().orders == 0


def test_seed_keeps_a_customer_who_opted_out():
    call_command("seed_demo", stdout=StringIO())
    pref = CustomerMessagingPreference.objects.filter(opted_in=True).first()
    pref.opted_in = False
    pref.save()
    seed.run()
    pref.refresh_from_db()
    assert pref.opted_in is False
