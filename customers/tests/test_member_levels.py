"""Member levels: a foreign key (a renamed level keeps its customers), membership dates and lapse, the member
price hint on quote entry, the admin page."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from customers.models import MemberLevel
from customers.selectors import member_level_of, membership_state, reorder_lead_days_by_customer
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_members_level_is_a_foreign_key_a_renamed_level_keeps_its_customers():
    gold = MemberLevel.objects.create(name="金卡", reorder_lead_days=10)
    silver = MemberLevel.objects.create(name="銀卡")
    gold_customer = CustomerFactory(tier="member", member_level=gold)
    silver_customer = CustomerFactory(tier="member", member_level=silver)
    assert member_level_of(gold_customer) == gold
    assert member_level_of(CustomerFactory()) is None
    gold.name = "金卡會員"
    gold.save()
    gold_customer.refresh_from_db()
    assert member_level_of(gold_customer) == gold and gold_customer.member_level.name == "金卡會員"
    leads = reorder_lead_days_by_customer()
    assert leads[gold_customer.pk] == 10 and silver_customer.pk not in leads
    with pytest.raises(ProtectedError):  # a level in use is never deleted from under its customers
        gold.delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # only members have a level
        CustomerFactory(tier="ordinary", member_level=silver)


@time_machine.travel(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))
def test_a_lapsed_membership_keeps_its_level_on_the_card_but_loses_the_benefits():
    gold = MemberLevel.objects.create(name="金卡", reorder_lead_days=10, discount_percent=Decimal("5"))
    today = dt.date(2026, 6, 15)
    lapsed = CustomerFactory(tier="member", member_level=gold, member_renews_on=today - dt.timedelta(days=1))
    renewing = CustomerFactory(tier="member", member_level=gold, member_renews_on=today)
    soon = CustomerFactory(tier="member", member_level=gold, member_renews_on=today + dt.timedelta(days=30))
    later = CustomerFactory(tier="member", member_level=gold, member_renews_on=today + dt.timedelta(days=31))
    assert [membership_state(c) for c in (lapsed, renewing, soon, later)] == [
        "lapsed",
        "renewal_due",
        "renewal_due",
        "active",
    ]
    assert membership_state(CustomerFactory()) is None
    assert member_level_of(lapsed) is None and member_level_of(renewing) == gold  # the renewal day still counts
    assert lapsed.pk not in reorder_lead_days_by_customer() and renewing.pk in reorder_lead_days_by_customer()


@time_machine.travel(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))
def test_card_form_and_api_set_the_level_member_since_and_renewal_and_show_a_lapsed_membership(
    client, api_client, salesperson, manager
):
    gold = MemberLevel.objects.create(name="金卡")
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    api_client.force_authenticate(salesperson)
    url = f"/api/v1/customers/{customer.pk}/"
    bad = api_client.patch(url, {"tier": "member", "member_level": "無此等級"}, format="json")
    assert bad.status_code == 400 and "member_level" in bad.json()
    bad = api_client.patch(
        url,
        {"tier": "member", "member_level": "金卡", "member_since": "2026-01-01", "member_renews_on": "2025-12-31"},
        format="json",
    )
    assert bad.status_code == 400 and "member_renews_on" in str(bad.json())
    ok = api_client.patch(
        url,
        {"tier": "member", "member_level": "金卡", "member_since": "2025-06-01", "member_renews_on": "2026-06-01"},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["member_level"] == "金卡" and ok.json()["membership"] == "lapsed"
    customer.refresh_from_db()
    assert customer.member_level == gold and customer.member_since == dt.date(2025, 6, 1)
    client.force_login(salesperson)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-membership="lapsed"' in page and "2026-06-01" in page
    care = client.get(reverse("care:customer", args=[customer.pk])).content.decode()
    assert 'data-membership="lapsed"' in care
    # Renewed through the card form: the level is a choice, the dates are dates.
    form = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert f'<option value="{gold.pk}" selected>' in form and 'name="member_renews_on"' in form
    ok = api_client.patch(url, {"member_renews_on": "2027-06-01"}, format="json")
    assert ok.json()["membership"] == "active"
    # An ordinary customer has no level.
    api_client.patch(url, {"tier": "ordinary"}, format="json")
    customer.refresh_from_db()
    assert customer.member_level is None


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
