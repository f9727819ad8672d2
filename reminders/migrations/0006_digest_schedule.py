"""The daily e-mail digest at 18:00 local time (a django-celery-beat crontab row, editable in admin)."""

from django.db import migrations

NAME = "reminders: daily e-mail digest"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="18", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Taipei"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": "reminders.send_digests", "crontab": schedule, "queue": "reminders", "enabled": True},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0005_handoff_notifications_and_digest"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
