"""The care schedules (django-celery-beat rows, editable in admin): check-ups and lifecycle daily at 06:30,
escalation of overdue cases every 15 minutes."""

from django.db import migrations

DAILY = "care: check-ups and lifecycle"
ESCALATE = "care: escalate overdue cases"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Taipei"
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=DAILY, defaults={"task": "care.daily", "crontab": daily, "queue": "default", "enabled": True}
    )
    PeriodicTask.objects.get_or_create(
        name=ESCALATE, defaults={"task": "care.escalate", "interval": every, "queue": "default", "enabled": True}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[DAILY, ESCALATE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_care_checkups_cases_lifecycle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
