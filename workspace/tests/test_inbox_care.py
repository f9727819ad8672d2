"""Care in the inbox: check-ups due for their owner, owned cases (overdue first), escalated cases for the manager."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from care import services as care_services
from care.models import Case, CaseStatus, Checkup
from care.tests.test_care import deliver
from customers.tests.factories import CustomerFactory
from workspace.inbox import inbox_items, navbar_counts

pytestmark = pytest.mark.django_db


def _kinds(user):
    return [i.kind for i in inbox_items(user=user)]


def _checkup_due(owner, *, days_ago: int):
    customer = CustomerFactory(owner=owner, unit=owner.unit)
    deliver(customer, on=timezone.localdate() - dt.timedelta(days=14 + days_ago))
    care_services.checkups_schedule()
    return Checkup.objects.get(customer=customer)


def _case(owner, *, subject="異音", overdue=False, escalated=False):
    customer = CustomerFactory(owner=owner, unit=owner.unit)
    case = care_services.case_open(customer=customer, actor=owner, kind="complaint", severity="normal", subject=subject)
    if overdue:
        Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    if escalated:
        Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    case.refresh_from_db()
    return case


def test_checkup_due_waits_for_its_owner_with_a_link_to_record_it(salesperson, teammate):
    checkup = _checkup_due(salesperson, days_ago=0)
    CustomerFactory(owner=salesperson)  # no delivery: nothing
    [item] = inbox_items(user=salesperson)
    assert item.kind == "checkup" and item.url == reverse("care:checkup", args=[checkup.pk])
    assert item.action_url == ""  # the button opens the check-up form (score and notes are needed)
    assert _kinds(teammate) == []
    Checkup.objects.filter(pk=checkup.pk).update(done_at=timezone.now())
    assert _kinds(salesperson) == []


def test_a_checkup_not_yet_due_is_not_in_the_inbox(salesperson):
    _checkup_due(salesperson, days_ago=-2)
    assert _kinds(salesperson) == []


def test_owned_cases_overdue_first_with_one_click_start(salesperson, teammate, manager):
    fresh = _case(salesperson, subject="新")
    late = _case(salesperson, subject="逾期", overdue=True)
    items = inbox_items(user=salesperson)
    assert [i.kind for i in items] == ["case", "case"]
    assert items[0].title.endswith("逾期") and items[0].overdue
    assert items[0].action_url == reverse("care:case_action", args=[late.pk, "start"])
    assert not items[1].overdue and fresh.number in items[1].title
    assert _kinds(teammate) == []
    assert _kinds(manager) == []  # not escalated: the owner works it


def test_in_progress_case_button_opens_the_case_to_resolve_with_a_note(client, salesperson):
    case = _case(salesperson)
    client.force_login(salesperson)
    [item] = inbox_items(user=salesperson)
    client.post(item.action_url)  # the one button: start
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    [item] = inbox_items(user=salesperson)
    assert item.action_url == "" and item.url == reverse("care:case", args=[case.pk])
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RESOLVED)
    assert _kinds(salesperson) == []  # waiting for the customer, not for the owner


def test_escalated_case_waits_for_the_units_manager_only(salesperson, manager, other_unit):
    case = _case(salesperson, overdue=True, escalated=True)
    other_manager = ManagerFactory(unit=other_unit)
    [item] = inbox_items(user=manager)
    assert item.kind == "case_escalated" and item.overdue and case.number in item.title
    assert item.url == reverse("care:case", args=[case.pk]) and item.action_url == ""
    assert _kinds(other_manager) == []
    assert _kinds(salesperson) == ["case"]  # the owner still has it, once


def test_badge_counts_care_items_in_one_statement(client, salesperson, manager, django_assert_max_num_queries):
    for _ in range(3):
        _checkup_due(salesperson, days_ago=1)
        _case(salesperson, overdue=True, escalated=True)
    _case(salesperson)
    with django_assert_max_num_queries(3):
        inbox, _unread = navbar_counts(user=salesperson)
    assert inbox == 7
    with django_assert_max_num_queries(3):
        inbox, _unread = navbar_counts(user=manager)
    assert inbox == 3
    client.force_login(salesperson)
    with django_assert_max_num_queries(20) as few:
        resp = client.get(reverse("inbox"))
    assert resp.content.decode().count("data-inbox-kind=") == 7
    for _ in range(4):
        _checkup_due(salesperson, days_ago=2)
        _case(salesperson, overdue=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get(reverse("inbox"))
    assert resp.content.decode().count("data-inbox-kind=") == 15
