"""The default report policy and the Celery beat schedule of the dashboard refresh (admins edit both)."""

import datetime as dt
import json

from django.db import migrations


def forwards(apps, schema_editor):
    ReportPolicy = apps.get_model("reports", "ReportPolicy")
    defaults = {"cutoff_days": 1, "cutoff_time": dt.time(10, 0), "working_weekdays": "01234"}
    if any(f.name == "overdue_after_months" for f in ReportPolicy._meta.get_fields()):  # removed in 0006
        defaults["overdue_after_months"] = 2
    ReportPolicy.objects.get_or_create(effective_from=dt.date(2000, 1, 1), defaults=defaults)
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_10, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Taipei"
    )
    PeriodicTask.objects.get_or_create(
        name="reports: refresh dashboard (recent months)",
        defaults={"task": "reports.refresh_dashboard_recent", "interval": every_10, "kwargs": json.dumps({"months_back": 1})},
    )
    PeriodicTask.objects.get_or_create(
        name="reports: refresh dashboard (all history)",
        defaults={"task": "reports.refresh_dashboard_full", "crontab": nightly, "kwargs": "{}"},
    )


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__startswith="reports.refresh_dashboard").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_reports_models"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
