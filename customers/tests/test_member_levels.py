"""Member levels: the member price hint on quote entry, the data migration's mapping by name, the admin page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import MemberLevel
from customers.selectors import member_level_of, reorder_lead_days_by_customer
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_member_level_is_the_row_of_the_customers_level_name_members_only():
    gold = MemberLevel.objects.create(name="金卡", reorder_lead_days=10)
    MemberLevel.objects.create(name="銀卡")
    assert member_level_of(CustomerFactory(tier="member", member_level="金卡")) == gold
    assert member_level_of(CustomerFactory(tier="member", member_level="未定義")) is None
    assert member_level_of(CustomerFactory()) is None
    silver = CustomerFactory(tier="member", member_level="銀卡")
    gold_customer = CustomerFactory(tier="member", member_level="金卡")
    leads = reorder_lead_days_by_customer()
    assert leads[gold_customer.pk] == 10 and silver.pk not in leads


def test_member_price_hint_on_quote_entry_in_both_languages(
    client, salesperson, other_salesperson, django_assert_max_num_queries
):
    MemberLevel.objects.create(name="金卡", discount_percent=Decimal("7.50"))
    member = CustomerFactory(owner=salesperson, unit=salesperson.unit, tier="member", member_level="金卡")
    ordinary = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    client.force_login(salesperson)
    url = reverse("customers:member_hint")
    with django_assert_max_num_queries(6):
        body = client.get(url, {"customer": member.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="member-price-hint"' in body and "7.50 percent" in body and "金卡" in body
    salesperson.language = "zh-hant"
    salesperson.save()
    zh = client.get(url, {"customer": member.pk}, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "會員價為價目表價減 7.50%" in zh
    assert "member-price-hint" not in client.get(url, {"customer": ordinary.pk}).content.decode()
    assert client.get(url).status_code == 200
    assert client.get(url, {"customer": "x1"}).status_code == 404
    form = client.get(reverse("sales:quote_create")).content.decode()
    assert 'hx-get="/customers/member-hint/' in form or url in form
    client.force_login(other_salesperson)
    assert client.get(url, {"customer": member.pk}).status_code == 404


def test_admin_edits_member_levels(admin_client):
    resp = admin_client.post(
        reverse("admin:customers_memberlevel_add"),
        {
            "name": "鑽石",
            "discount_percent": "10",
            "free_service_visits": "4",
            "checkup_days": "7,30,60,90",
            "reorder_lead_days": "21",
            "case_due_percent": "50",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    level = MemberLevel.objects.get(name="鑽石")
    assert level.checkup_days == [7, 30, 60, 90] and level.case_due_percent == 50
    bad = admin_client.post(
        reverse("admin:customers_memberlevel_add"), {"name": "x", "discount_percent": "120", "case_due_percent": "0"}
    )
    assert bad.status_code == 200 and not MemberLevel.objects.filter(name="x").exists()
