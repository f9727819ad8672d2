"""Unit rules for commission (各單位制訂實施細則,報集團總裁核准): a unit's own rates, proposed by its manager and
approved by the GM office, win over the company's rule set from their effective month; not approved, not yet in
force or another unit's: the company's rates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import GMFactory, ManagerFactory
from commission import selectors, services
from commission.models import UnitCommissionPolicy
from commission.rules import DEFAULT_RULES, RuleBook, UnitRules
from core.exceptions import ApplicationError
from reminders.models import Notification
from workspace.inbox import inbox_items

from .factories import PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """The pages activate the reader's language (zh-hant here): give the next tests back the one they had."""
    with translation.override(translation.get_language()):
        yield


JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def _release(user, month):
    [st] = selectors.build_statements(people_qs=User.objects.filter(pk=user.pk), month=month)
    [line] = [ln for block in st["contracts"] for ln in block["lines"] if ln["component"] == "release"]
    return line["amount"], st["rules"]


def _paid_contract(owner, paid_on):
    contract = sold_contract(owner=owner)
    PaymentFactory(contract=contract, paid_on=paid_on, amount=Decimal("12000.00"))
    return contract


def _unit_rate(manager, *, effective_from, approve=True, **values):
    row = services.unit_commission_policy_propose(
        actor=manager, unit=manager.unit, effective_from=effective_from, **values
    )
    if approve:
        row = services.unit_commission_policy_approve(actor=GMFactory(), policy=row)
    return row


def test_the_units_approved_rate_wins_over_the_rule_set(salesperson, manager, other_salesperson):
    _paid_contract(salesperson, dt.date(2026, 1, 20))
    _paid_contract(other_salesperson, dt.date(2026, 1, 20))
    row = _unit_rate(manager, effective_from=JAN, commission_percent="60")
    amount, rules = _release(salesperson, JAN)
    assert amount == "1200.00"  # 2,000 above standard × 60 % (the company's 50 % would give 1,000)
    assert rules["unit_rules_id"] == row.pk and Decimal(rules["commission_rate"]) == Decimal("0.6")
    assert Decimal(rules["retention_hold_rate"]) == Decimal("0.2")  # left empty: the rule set's
    other_amount, other_rules = _release(other_salesperson, JAN)
    assert other_amount == "1000.00" and "unit_rules_id" not in other_rules


def test_not_approved_the_company_rate_applies(salesperson, manager):
    _paid_contract(salesperson, dt.date(2026, 1, 20))
    row = _unit_rate(manager, effective_from=JAN, approve=False, commission_percent="60")
    assert _release(salesperson, JAN)[0] == "1000.00"
    services.unit_commission_policy_reject(actor=GMFactory(), policy=row, reason="Above the group's rate")
    assert _release(salesperson, JAN)[0] == "1000.00"


def test_in_force_from_its_effective_month_only(salesperson, manager):
    _paid_contract(salesperson, dt.date(2026, 1, 31))
    _unit_rate(manager, effective_from=FEB, commission_percent="60")  # the day after January's last day
    assert _release(salesperson, JAN)[0] == "1000.00"
    book = selectors.rule_book()
    assert book.for_month(FEB, unit_id=salesperson.unit_id).commission_rate == Decimal("0.6")
    assert book.for_month(JAN, unit_id=salesperson.unit_id).commission_rate == Decimal("0.5")


def test_rule_book_picks_the_latest_unit_rates_effective_by_the_months_end():
    book = RuleBook(
        [DEFAULT_RULES],
        unit_rules=[
            UnitRules(1, 7, dt.date(2026, 1, 31), {"commission_rate": Decimal("0.6")}),
            UnitRules(2, 7, dt.date(2026, 3, 1), {"high_margin_rate": Decimal("0.05")}),
        ],
    )
    assert book.for_month(dt.date(2025, 12, 1), unit_id=7).commission_rate == Decimal("0.5")
    jan = book.for_month(JAN, unit_id=7)
    assert (jan.commission_rate, jan.unit_rules_id) == (Decimal("0.6"), 1)
    march = book.for_month(dt.date(2026, 3, 1), unit_id=7)  # the later row replaces the earlier one whole
    assert (march.commission_rate, march.high_margin_rate) == (Decimal("0.5"), Decimal("0.05"))
    assert book.for_month(JAN, unit_id=8) == DEFAULT_RULES
    assert book.for_month(JAN) == DEFAULT_RULES


def test_values_are_checked_and_only_the_units_manager_proposes(manager, salesperson, other_unit):
    with pytest.raises(ApplicationError) as err:
        services.unit_commission_policy_propose(
            actor=manager, unit=manager.unit, effective_from=JAN, commission_percent="101"
        )
    assert err.value.field == "commission_percent"
    with pytest.raises(ApplicationError) as err:
        services.unit_commission_policy_propose(actor=manager, unit=manager.unit, effective_from=JAN, market_fund="1")
    assert err.value.field == "market_fund"
    with pytest.raises(PermissionDenied):
        services.unit_commission_policy_propose(actor=manager, unit=other_unit, effective_from=JAN)
    with pytest.raises(PermissionDenied):
        services.unit_commission_policy_propose(actor=salesperson, unit=salesperson.unit, effective_from=JAN)
    row = _unit_rate(manager, effective_from=JAN, approve=False, commission_percent="55")
    with pytest.raises(PermissionDenied):
        services.unit_commission_policy_approve(actor=manager, policy=row)
    assert UnitCommissionPolicy.objects.count() == 1


def test_page_inbox_and_notifications_in_each_readers_language(client, unit, other_unit, salesperson):
    manager = ManagerFactory(unit=unit, language="en")
    gm = GMFactory(language="zh-hant")
    client.force_login(manager)
    response = client.post(
        reverse("commission:unit_rules"),
        {"unit": unit.pk, "effective_from": "2026-01-01", "retention_hold_percent": "10"},
    )
    assert response.status_code == 302
    row = UnitCommissionPolicy.objects.get()
    assert (row.state, row.retention_hold_percent, row.commission_percent) == ("proposed", Decimal("10"), None)
    [note] = Notification.objects.filter(user=gm)
    assert note.title == f"{unit.name} 的提成實施細則待您核准"
    [item] = inbox_items(user=gm)
    assert (item.kind, item.url) == ("unit_policy", reverse("commission:unit_rules"))
    # Another unit's manager: not on the page, a 404 to decide, and cannot propose for this unit.
    client.force_login(ManagerFactory(unit=other_unit))
    page = client.get(reverse("commission:unit_rules")).content.decode()
    assert f'data-policy="{row.pk}"' not in page
    assert client.post(reverse("commission:unit_rules_decide", args=[row.pk, "approve"])).status_code == 404
    response = client.post(reverse("commission:unit_rules"), {"unit": unit.pk, "effective_from": "2026-01-01"})
    assert response.status_code == 200 and UnitCommissionPolicy.objects.count() == 1
    client.force_login(salesperson)
    assert client.get(reverse("commission:unit_rules")).status_code == 404
    # The GM office approves from the page; the proposer is told, in English.
    client.force_login(gm)
    assert "approve-rules" in client.get(reverse("commission:unit_rules")).content.decode()
    client.post(reverse("commission:unit_rules_decide", args=[row.pk, "approve"]))
    row.refresh_from_db()
    assert row.state == "approved" and inbox_items(user=gm) == []
    [back] = Notification.objects.filter(user=manager)
    assert back.title == f"Commission rules of {unit.name} approved"
    assert selectors.rule_book().for_month(JAN, unit_id=unit.pk).retention_hold_rate == Decimal("0.1")
