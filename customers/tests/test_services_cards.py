import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDenied
from customers.models import ContactLog, MonthlyEvaluation
from customers.services import contact_create, contact_log_create, evaluation_save, strategy_save
from customers.tests.factories import ContactFactory, ContactLogFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_evaluation_one_per_month_saving_again_replaces(salesperson):
    c = CustomerFactory(owner=salesperson)
    month = timezone.localdate().replace(day=1)
    scores = {"enthusiasm": 4, "credit": 5, "capability": 3, "price_discipline": 2}
    evaluation_save(customer=c, actor=salesperson, month=month + dt.timedelta(days=3), **scores)
    again = evaluation_save(
        customer=c, actor=salesperson, month=month, **{**scores, "credit": 1}, comment="late payment"
    )
    assert MonthlyEvaluation.objects.count() == 1
    assert again.month == month and again.credit == 1 and again.total == 10


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"enthusiasm": 6}, "enthusiasm"),
        ({"credit": 0}, "credit"),
        ({"month": dt.date(2999, 1, 1)}, "month"),
    ],
)
def test_evaluation_rejects_bad_scores_and_future_months(salesperson, kwargs, field):
    c = CustomerFactory(owner=salesperson)
    data = {
        "month": timezone.localdate().replace(day=1),  # the current month: only the field under test is wrong
        "enthusiasm": 3,
        "credit": 3,
        "capability": 3,
        "price_discipline": 3,
        **kwargs,
    }
    with pytest.raises(ApplicationError) as err:
        evaluation_save(customer=c, actor=salesperson, **data)
    assert err.value.field == field


def test_strategy_card_is_saved_once_per_customer_with_history(salesperson):
    c = CustomerFactory(owner=salesperson)
    strategy_save(
        customer=c, actor=salesperson, data={"objectives": "Become sole supplier", "potential_amount": "1200000.005"}
    )
    s = strategy_save(customer=c, actor=salesperson, data={"approach": "Plant visits monthly"})
    assert s.objectives == "Become sole supplier" and s.approach == "Plant visits monthly"
    assert s.potential_amount == Decimal("1200000.01")
    assert s.history.count() == 2


def test_only_the_owner_side_may_write_cards(salesperson, other_salesperson):
    c = CustomerFactory(owner=salesperson)
    with pytest.raises(PermissionDenied):
        strategy_save(customer=c, actor=other_salesperson, data={"objectives": "x"})
    with pytest.raises(PermissionDenied):
        contact_log_create(customer=c, actor=other_salesperson, outcome="x")


def test_contact_log_rules(salesperson):
    c = CustomerFactory(owner=salesperson)
    other_contact = ContactFactory()
    with pytest.raises(ApplicationError) as err:
        contact_log_create(customer=c, actor=salesperson, contact=other_contact)
    assert err.value.field == "contact"
    with pytest.raises(ApplicationError) as err:
        contact_log_create(customer=c, actor=salesperson, happened_at=timezone.now() + dt.timedelta(days=1))
    assert err.value.field == "happened_at"
    with pytest.raises(ApplicationError) as err:
        contact_log_create(customer=c, actor=salesperson, next_step_date=timezone.localdate())
    assert err.value.field == "next_step"
    with pytest.raises(ApplicationError) as err:
        contact_log_create(customer=c, actor=salesperson, signal_tags=["free_lunch"])
    assert err.value.field == "signal_tags"
    assert not ContactLog.objects.exists()


def test_primary_contact_is_unique_per_customer(salesperson):
    c = CustomerFactory(owner=salesperson)
    a = contact_create(customer=c, actor=salesperson, data={"name": "A", "is_primary": True})
    contact_create(customer=c, actor=salesperson, data={"name": "B", "is_primary": True})
    a.refresh_from_db()
    assert not a.is_primary
    with pytest.raises(ApplicationError) as err:
        contact_create(customer=c, actor=salesperson, data={"name": "C", "phone": "abc"})
    assert err.value.field == "phone"


def test_card_page_query_count_does_not_grow_with_its_rows(client, salesperson, django_assert_max_num_queries):
    c = CustomerFactory(owner=salesperson)
    for _ in range(15):
        contact = ContactFactory(customer=c)
        ContactLogFactory(customer=c, contact=contact)
    client.force_login(salesperson)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("customers:detail", args=[c.pk])).status_code == 200
