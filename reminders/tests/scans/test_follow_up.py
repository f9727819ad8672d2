"""After-sale follow-up: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest

from reminders.models import FollowUpRule, ReminderKind
from reminders.tests.factories import ShipmentFactory
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_follow_up_n_days_after_delivery_per_category():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    FollowUpRule.objects.create(category="耗材", days_after_delivery=30)
    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=contract, product=ProductFactory(category="耗材"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 3, 2))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 3, 9))  # second delivery: same follow-up

    assert scan(at(2026, 3, 31), ReminderKind.FOLLOW_UP) == []  # 29 days after
    [r] = scan(at(2026, 4, 1), ReminderKind.FOLLOW_UP)
    assert r.owner == contract.owner
    assert r.due_on == dt.date(2026, 4, 1)
    assert r.params["category"] == "耗材"
    assert scan(at(2026, 4, 2), ReminderKind.FOLLOW_UP) == [r]  # scanning again creates nothing new


def test_follow_up_catch_all_rule_skips_categories_with_their_own_rule():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    FollowUpRule.objects.create(category="耗材", days_after_delivery=30)
    other = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=other, product=ProductFactory(category="機電"))
    ShipmentFactory(contract=other, shipped_on=dt.date(2026, 3, 2))
    consumable = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=consumable, product=ProductFactory(category="耗材"))
    ShipmentFactory(contract=consumable, shipped_on=dt.date(2026, 3, 2))
    rows = scan(at(2026, 3, 9), ReminderKind.FOLLOW_UP)
    assert [r.subject_id for r in rows] == [other.pk]


def test_follow_up_older_than_the_catch_up_window_is_not_created():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 1, 1))
    ContractLineFactory(contract=contract)
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 1, 2))
    assert scan(at(2026, 3, 1), ReminderKind.FOLLOW_UP) == []
