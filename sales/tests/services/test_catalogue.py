import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from sales import selectors, services

pytestmark = pytest.mark.django_db


def test_only_admins_set_discount_authority(salesperson, manager, admin_user):
    with pytest.raises(PermissionDenied):
        services.discount_authority_set(
            actor=salesperson, user=salesperson, max_discount_percent=D("50"), effective_from=dt.date(2026, 1, 1)
        )
    # A manager only within the ceiling the admin set for the unit; with none set, not at all.
    with pytest.raises(ApplicationError) as exc:
        services.discount_authority_set(
            actor=manager, user=salesperson, max_discount_percent=D("50"), effective_from=dt.date(2026, 1, 1)
        )
    assert exc.value.field == "max_discount_percent" and exc.value.code == "no_ceiling"
    row = services.discount_authority_set(
        actor=admin_user, user=salesperson, max_discount_percent=D("7"), effective_from=dt.date(2026, 1, 1)
    )
    assert row.set_by == admin_user


def test_level_authority_with_personal_override(salesperson, teammate, admin_user):
    from sales.models import SalesLevel

    level = SalesLevel.objects.create(code="senior", name="Senior")
    services.sales_level_assign(actor=admin_user, level=level, user=salesperson)
    services.sales_level_assign(actor=admin_user, level=level, user=teammate)
    services.discount_authority_set(
        actor=admin_user, level=level, max_discount_percent=D("10"), effective_from=dt.date(2026, 1, 1)
    )
    services.discount_authority_set(
        actor=admin_user, user=teammate, max_discount_percent=D("20"), effective_from=dt.date(2026, 3, 1)
    )
    on = dt.date(2026, 4, 1)
    assert selectors.discount_authority_for(user=salesperson, on=on).percent == D("10")
    assert selectors.discount_authority_for(user=teammate, on=on).source == "personal"
    assert selectors.discount_authority_for(user=teammate, on=dt.date(2026, 2, 1)).percent == D("10")
