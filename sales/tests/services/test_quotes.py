import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from sales import services
from sales.models import QuoteStatus
from sales.services import LineInput

from ..factories import authority

pytestmark = pytest.mark.django_db


def test_engineering_quote_rates_only_admins_change(salesperson, admin_user, customer):
    from sales.models import QuoteKind

    q = services.quote_create(
        actor=salesperson, customer=customer, kind=QuoteKind.ENGINEERING, equipment_cost=D("1000")
    )
    assert q.amount == D("1700.00") and q.cost_total == D("1000.00")
    with pytest.raises(PermissionDenied):
        services.quote_create(
            actor=salesperson,
            customer=customer,
            kind=QuoteKind.ENGINEERING,
            equipment_cost=D("1000"),
            rates={"profit_tax_rate": D("30")},
        )
    services.sales_policy_set(actor=admin_user, effective_from=dt.date(2020, 1, 1), profit_tax_rate=D("25"))
    q = services.quote_create(
        actor=salesperson, customer=customer, kind=QuoteKind.ENGINEERING, equipment_cost=D("1000")
    )
    assert q.amount == D("1750.00")


def test_quote_discount_needs_manager_before_it_goes_out(salesperson, customer, product, manager):
    authority(salesperson, "10")
    q = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )
    q = services.quote_submit(actor=salesperson, quote=q)
    assert q.status == QuoteStatus.IN_REVIEW
    with pytest.raises(ApplicationError):
        services.quote_set_outcome(actor=salesperson, quote=q, status=QuoteStatus.SENT)
    q = services.quote_approve(actor=manager, quote=q)
    assert services.quote_set_outcome(actor=salesperson, quote=q, status=QuoteStatus.SENT).status == QuoteStatus.SENT
    with pytest.raises(ApplicationError):
        services.quote_update(actor=salesperson, quote=q, title="changed after sending")


def test_a_new_quote_is_valid_for_the_policys_days(salesperson, admin_user, customer, product):
    from django.utils import timezone

    from sales import rules

    today = timezone.localdate()
    lines = [LineInput(product=product, quantity=D("1"))]
    q = services.quote_create(actor=salesperson, customer=customer, lines=lines)
    assert q.valid_until == today + dt.timedelta(days=30)  # the migrated default: 30 days
    services.sales_policy_set(actor=admin_user, effective_from=today, quote_valid_days=14)
    q = services.quote_create(actor=salesperson, customer=customer, lines=lines)
    assert q.valid_until == today + dt.timedelta(days=14)
    assert rules.quote_valid_until(written_on=dt.date(2026, 1, 31), valid_days=14) == dt.date(2026, 2, 14)
    chosen = today + dt.timedelta(days=3)
    assert services.quote_create(actor=salesperson, customer=customer, lines=lines, valid_until=chosen).valid_until == (
        chosen
    )
    with pytest.raises(ApplicationError) as err:
        services.sales_policy_set(actor=admin_user, effective_from=today, quote_valid_days=0)
    assert err.value.field == "quote_valid_days"
