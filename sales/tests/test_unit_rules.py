"""Unit rules (各單位制訂實施細則,報集團總裁核准): a unit's manager proposes, the GM office is told and finds it in
its inbox, approves (in force from its date, the unit's value winning) or rejects with a reason."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import GMFactory, ManagerFactory
from core.exceptions import ApplicationError
from reminders.models import Notification
from sales import selectors, services
from sales.models import UnitSalesPolicy
from workspace.inbox import inbox_items

pytestmark = pytest.mark.django_db


def test_manager_proposes_gm_office_approves_from_the_inbox_page(client, manager, salesperson):
    gm = GMFactory(language="en")
    today = timezone.localdate()
    client.force_login(manager)
    response = client.post(
        reverse("sales:unit_rules"),
        {"unit": manager.unit_id, "effective_from": today.isoformat(), "prepayment_threshold": "50000"},
    )
    assert response.status_code == 302
    policy = UnitSalesPolicy.objects.get()
    assert policy.state == "proposed"
    assert selectors.effective_policy(unit_id=manager.unit_id).prepayment_threshold == D("100000")
    assert [n.title for n in Notification.objects.filter(user=gm)] == [
        f"Rules of {manager.unit.name} wait for your approval"
    ]
    assert [i.kind for i in inbox_items(user=gm)] == ["unit_policy"]
    assert (
        'class="btn btn-success btn-sm approve-rules"' not in client.get(reverse("sales:unit_rules")).content.decode()
    )
    assert client.post(reverse("sales:unit_rules_decide", args=[policy.pk, "approve"])).status_code == 403
    client.force_login(gm)
    assert "approve-rules" in client.get(reverse("sales:unit_rules")).content.decode()
    client.post(reverse("sales:unit_rules_decide", args=[policy.pk, "approve"]))
    policy.refresh_from_db()
    assert policy.state == "approved" and inbox_items(user=gm) == []
    assert selectors.effective_policy(unit_id=manager.unit_id).prepayment_threshold == D("50000")
    assert Notification.objects.filter(user=manager, activity__action="approved").count() == 1


def test_rejection_needs_a_reason_and_never_takes_effect(manager):
    gm = GMFactory()
    policy = services.unit_sales_policy_propose(
        actor=manager, unit=manager.unit, effective_from=timezone.localdate(), margin_review_percent=D("15")
    )
    with pytest.raises(ApplicationError) as err:
        services.unit_sales_policy_reject(actor=gm, policy=policy, reason=" ")
    assert err.value.field == "reason"
    services.unit_sales_policy_reject(actor=gm, policy=policy, reason="Too low for this unit")
    policy.refresh_from_db()
    assert policy.state == "rejected"
    assert selectors.effective_policy(unit_id=manager.unit_id).margin_review_percent == D("20")
    with pytest.raises(ApplicationError) as err:
        services.unit_sales_policy_approve(actor=gm, policy=policy)
    assert err.value.code == "decided"
    assert Notification.objects.filter(user=manager, activity__action="rejected").count() == 1


def test_effective_date_and_other_units(client, manager, salesperson, other_unit):
    gm = GMFactory()
    later = timezone.localdate() + dt.timedelta(days=5)
    policy = services.unit_sales_policy_propose(
        actor=manager, unit=manager.unit, effective_from=later, default_discount_percent=D("7")
    )
    services.unit_sales_policy_approve(actor=gm, policy=policy)
    assert selectors.effective_policy(unit_id=manager.unit_id).default_discount_percent == D("0")
    assert selectors.effective_policy(unit_id=manager.unit_id, on=later).default_discount_percent == D("7")
    # Another unit's manager neither sees nor decides it; a salesperson has no page.
    client.force_login(ManagerFactory(unit=other_unit))
    assert str(later.isoformat()) not in client.get(reverse("sales:unit_rules")).content.decode()
    assert client.post(reverse("sales:unit_rules_decide", args=[policy.pk, "reject"])).status_code == 404
    client.force_login(salesperson)
    assert client.get(reverse("sales:unit_rules")).status_code == 404
