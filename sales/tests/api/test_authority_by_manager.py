"""Who sets discount authority (折扣許可權): a unit's manager for their own salespeople, within the admin's ceiling."""

import datetime as dt
from decimal import Decimal as D

import pytest

from accounts.tests.factories import SalespersonFactory
from sales import services
from sales.models import DiscountAuthority

pytestmark = pytest.mark.django_db

DAY = dt.date(2020, 1, 1)
URL = "/api/v1/discount-authorities/"


@pytest.fixture
def ceiling(admin_user, unit):
    return services.authority_ceiling_set(
        actor=admin_user, unit=unit, max_discount_percent=D("12.50"), effective_from=DAY
    )


def post(client, actor, **data):
    client.force_login(actor)
    return client.post(URL, {"effective_from": "2020-01-02", **data}, content_type="application/json")


def test_manager_sets_own_salesperson_at_the_ceiling(client, manager, salesperson, ceiling):
    r = post(client, manager, user=salesperson.pk, max_discount_percent="12.50")
    assert r.status_code == 201, r.content
    assert DiscountAuthority.objects.get().set_by == manager


def test_one_hundredth_above_the_ceiling_is_refused_naming_the_field(client, manager, salesperson, ceiling):
    r = post(client, manager, user=salesperson.pk, max_discount_percent="12.51")
    assert r.status_code == 400 and "max_discount_percent" in r.json()
    assert not DiscountAuthority.objects.exists()


def test_no_ceiling_is_refused(client, manager, salesperson):
    r = post(client, manager, user=salesperson.pk, max_discount_percent="1")
    assert r.status_code == 400 and r.json()["code"] == "no_ceiling"


def test_another_units_salesperson_is_404(client, manager, other_unit, ceiling):
    stranger = SalespersonFactory(unit=other_unit)
    assert post(client, manager, user=stranger.pk, max_discount_percent="1").status_code == 404
    assert not DiscountAuthority.objects.exists()


def test_a_salesperson_is_403(client, salesperson, ceiling):
    assert post(client, salesperson, user=salesperson.pk, max_discount_percent="1").status_code == 403


def test_manager_cannot_set_a_level_or_themself(client, manager, ceiling):
    assert post(client, manager, user=manager.pk, max_discount_percent="1").status_code == 403


def test_admin_keeps_every_unit_and_the_ceiling(client, admin_user, other_unit):
    stranger = SalespersonFactory(unit=other_unit)
    assert post(client, admin_user, user=stranger.pk, max_discount_percent="40").status_code == 201
    client.force_login(admin_user)
    r = client.post(
        "/api/v1/authority-ceilings/",
        {"unit": other_unit.pk, "max_discount_percent": "15", "effective_from": "2020-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 201


def test_only_admins_set_the_ceiling(client, manager, unit):
    client.force_login(manager)
    r = client.post(
        "/api/v1/authority-ceilings/",
        {"unit": unit.pk, "max_discount_percent": "15", "effective_from": "2020-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 403
