"""Default settings, a catch-all follow-up rule and the periodic tasks (django-celery-beat rows, editable in admin)."""

from django.db import migrations

TASKS = [
    ("reminders: scan for due reminders", "reminders.scan", 15, "minutes"),
    ("reminders: send due reminders", "reminders.send_due", 1, "minutes"),
]


def forwards(apps, schema_editor):
    ReminderSettings = apps.get_model("reminders", "ReminderSettings")
    FollowUpRule = apps.get_model("reminders", "FollowUpRule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReminderSettings.objects.get_or_create(pk=1)
    FollowUpRule.objects.get_or_create(category="", defaults={"days_after_delivery": 7})
    for name, task, every, period in TASKS:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": schedule, "queue": "reminders", "enabled": True}
        )


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
