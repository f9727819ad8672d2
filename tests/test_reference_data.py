"""Reference rows (default policies, the rule book's lists, the periodic tasks) survive a database flush.

Every transactional test flushes the database when it ends, and `--reuse-db` keeps that flushed database for the
next run: the rows the data migrations made must come back, or tests (and a flushed install) see no settlement
methods, no default rule set, no pool policy and no beat schedule.
"""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from commission.models import CommissionRuleSet
from customers.models import PoolPolicy
from reminders.models import FollowUpRule, ReminderSettings
from reports.models import ReportPolicy, ReviewWeights
from sales.models import SalesMethod, SettlementMethod

TASKS = {
    "Worker heartbeat",
    "care: check-ups and lifecycle",
    "care: escalate overdue cases",
    "customers: release idle customers to the pool",
    "reminders: scan for due reminders",
    "reminders: send due reminders",
    "reminders: daily e-mail digest",
    "reports: refresh dashboard (recent months)",
    "reports: refresh dashboard (all history)",
}


def _reference_rows() -> dict:
    return {
        "settlement": sorted(SettlementMethod.objects.values_list("code", flat=True)),
        "sales": sorted(SalesMethod.objects.values_list("code", flat=True)),
        "rule sets": CommissionRuleSet.objects.count(),
        "pool policies": PoolPolicy.objects.count(),
        "report policies": ReportPolicy.objects.count(),
        "review weights": ReviewWeights.objects.count(),
        "reminder settings": ReminderSettings.objects.count(),
        "follow-up rules": FollowUpRule.objects.count(),
        "tasks": set(PeriodicTask.objects.values_list("name", flat=True)) >= TASKS,
    }


EXPECTED = {
    "settlement": ["cash", "lc", "monthly", "note", "transfer"],
    "sales": ["direct", "distributor", "project"],
    "rule sets": 1,
    "pool policies": 1,
    "report policies": 1,
    "review weights": 1,
    "reminder settings": 1,
    "follow-up rules": 1,
    "tasks": True,
}


@pytest.mark.django_db(transaction=True)
def test_reference_rows_come_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert _reference_rows() == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_an_admins_lists_are_kept_through_a_migrate():
    SettlementMethod.objects.exclude(code="monthly").delete()
    SettlementMethod.objects.filter(code="monthly").update(name="月結 60 天")
    call_command("migrate", verbosity=0)
    assert list(SettlementMethod.objects.values_list("code", "name")) == [("monthly", "月結 60 天")]
