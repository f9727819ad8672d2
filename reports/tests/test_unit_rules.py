"""Unit rules for daily reports (各單位制訂實施細則): a unit's own cut-off, approved by the GM office, decides when
its salespeople's reports lock, when a day counts as due and when they are reminded; not approved, not yet in force
or another unit's: the company's cut-off."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import GMFactory, ManagerFactory
from core.exceptions import ApplicationError, PermissionDenied
from reminders.models import Notification, ReminderSettings
from reminders.scans.daily_report import daily_report_days
from reports.calendar import policy_for, report_deadline
from reports.models import UnitReportPolicy
from reports.selectors.compliance import report_compliance
from reports.services import (
    daily_report_save,
    unit_report_policy_approve,
    unit_report_policy_propose,
    unit_report_policy_reject,
)
from workspace.inbox import inbox_items

from .clock import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """The pages activate the reader's language (zh-hant here): give the next tests back the one they had."""
    with translation.override(translation.get_language()):
        yield


MON = dt.date(2026, 11, 16)  # a Monday: the company's cut-off is Tuesday 10:00


def _cutoff(manager, *, effective_from, approve=True, **values):
    row = unit_report_policy_propose(actor=manager, unit=manager.unit, effective_from=effective_from, **values)
    if approve:
        row = unit_report_policy_approve(actor=GMFactory(), policy=row)
    return row


def _save(author, now):
    return daily_report_save(author=author, date=MON, data={"activities": "visits"}, submit=False, now=now)


def test_the_units_approved_cutoff_decides_when_the_report_locks(salesperson, manager, other_salesperson):
    after_company_cutoff = at(2026, 11, 17, 10, 1)
    with pytest.raises(ApplicationError) as err:
        _save(salesperson, after_company_cutoff)
    assert err.value.code == "locked"
    _cutoff(manager, effective_from=MON, cutoff_days=2)
    report = _save(salesperson, after_company_cutoff)
    assert report.deadline == at(2026, 11, 18, 10, 0)  # two days after, at the company's time (left empty)
    with pytest.raises(ApplicationError):
        _save(other_salesperson, after_company_cutoff)


def test_not_approved_or_not_yet_in_force_the_company_cutoff_applies(salesperson, manager):
    row = _cutoff(manager, effective_from=MON, approve=False, cutoff_days=2, cutoff_time=dt.time(18, 0))
    assert report_deadline(MON, policy_for(MON, salesperson.unit_id)) == at(2026, 11, 17, 10, 0)
    unit_report_policy_reject(actor=GMFactory(), policy=row, reason="Reports are read at 10:00")
    assert report_deadline(MON, policy_for(MON, salesperson.unit_id)) == at(2026, 11, 17, 10, 0)
    today = timezone.localdate()
    _cutoff(manager, effective_from=today + dt.timedelta(days=1), cutoff_time=dt.time(18, 0))  # tomorrow
    assert policy_for(today, salesperson.unit_id).cutoff_time == dt.time(10, 0)
    assert policy_for(today + dt.timedelta(days=1), salesperson.unit_id).cutoff_time == dt.time(18, 0)
    assert policy_for(today + dt.timedelta(days=1)).cutoff_time == dt.time(10, 0)  # the company's


def test_compliance_counts_a_day_due_by_the_units_cutoff(salesperson, other_salesperson, manager):
    for person in (salesperson, other_salesperson):
        person.date_joined = at(2026, 1, 1)
        person.save()
    _cutoff(manager, effective_from=MON, cutoff_days=2)
    now = at(2026, 11, 17, 11, 0)  # the company's cut-off of Monday has passed, the unit's has not
    comp = report_compliance(people=[salesperson, other_salesperson], start=MON, end=MON, now=now)
    assert comp[other_salesperson.pk].due_days == 1
    assert comp[salesperson.pk].due_days == 0


def test_the_reminder_runs_to_the_units_deadline(manager):
    _cutoff(manager, effective_from=MON, cutoff_days=2)
    cfg = ReminderSettings.load()
    now = at(2026, 11, 17, 18, 0)  # Monday's report: locked for the company, still open for the unit
    assert MON not in [day for day, _deadline in daily_report_days(now=now, cfg=cfg)]
    assert (MON, at(2026, 11, 18, 10, 0)) in daily_report_days(now=now, cfg=cfg, unit_id=manager.unit_id)


def test_page_inbox_permissions_and_notifications(client, unit, other_unit, salesperson):
    manager = ManagerFactory(unit=unit, language="zh-hant")
    gm = GMFactory(language="en")
    with pytest.raises(PermissionDenied):
        unit_report_policy_propose(actor=manager, unit=other_unit, effective_from=MON, cutoff_days=2)
    with pytest.raises(ApplicationError) as err:
        unit_report_policy_propose(actor=manager, unit=unit, effective_from=MON, cutoff_time="25:00")
    assert err.value.field == "cutoff_time"
    client.force_login(manager)
    response = client.post(
        reverse("reports:unit_rules"), {"unit": unit.pk, "effective_from": "2026-11-16", "cutoff_time": "18:00"}
    )
    assert response.status_code == 302
    row = UnitReportPolicy.objects.get()
    assert (row.cutoff_time, row.cutoff_days) == (dt.time(18, 0), None)
    [note] = Notification.objects.filter(user=gm)
    assert note.title == f"Report rules of {unit.name} wait for your approval"
    with translation.override("en"):
        assert [i.title for i in inbox_items(user=gm)] == [f"Report rules of {unit.name} wait for your approval"]
    client.force_login(ManagerFactory(unit=other_unit))
    assert f'data-policy="{row.pk}"' not in client.get(reverse("reports:unit_rules")).content.decode()
    decide = reverse("reports:unit_rules_decide", args=[row.pk, "reject"])
    assert client.post(decide, {"reason": "x"}).status_code == 404
    client.force_login(salesperson)
    assert client.get(reverse("reports:unit_rules")).status_code == 404
    client.force_login(gm)
    client.post(reverse("reports:unit_rules_decide", args=[row.pk, "reject"]), {"reason": "Reports are read at 10:00"})
    row.refresh_from_db()
    assert row.state == "rejected" and inbox_items(user=gm) == []
    [back] = Notification.objects.filter(user=manager)
    assert back.title == f"{unit.name} 的日報實施細則已退回"
    assert "Reports are read at 10:00" in back.body


def test_the_unit_rules_pages_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    from commission.services import unit_commission_policy_propose

    gm = GMFactory()
    managers = [ManagerFactory() for _ in range(2)]
    for m in managers:
        unit_report_policy_propose(actor=m, unit=m.unit, effective_from=MON, cutoff_days=2)
        unit_commission_policy_propose(actor=m, unit=m.unit, effective_from=MON, commission_percent="55")
    client.force_login(gm)
    pages = [reverse("reports:unit_rules"), reverse("commission:unit_rules"), reverse("sales:unit_rules")]
    counts = []
    for url in pages:
        with django_assert_max_num_queries(20) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few.captured_queries))
    for m in [ManagerFactory() for _ in range(8)]:
        unit_report_policy_propose(actor=m, unit=m.unit, effective_from=MON, cutoff_days=2)
        unit_commission_policy_propose(actor=m, unit=m.unit, effective_from=MON, commission_percent="55")
    for url, count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            page = client.get(url).content.decode()
        if "sales" not in url:
            assert page.count("approve-rules") == 10
