"""Reminder settings, the catch-all follow-up rule and the reminder tasks (see core.reference_data)."""

from core.reference_data import periodic_task


def seed(apps) -> None:
    apps.get_model("reminders", "ReminderSettings").objects.get_or_create(pk=1)
    rules = apps.get_model("reminders", "FollowUpRule")
    if not rules.objects.exists():
        rules.objects.create(category="", days_after_delivery=7)
    periodic_task(apps, "reminders: scan for due reminders", "reminders.scan", every=(15, "minutes"), queue="reminders")
    periodic_task(apps, "reminders: send due reminders", "reminders.send_due", every=(1, "minutes"), queue="reminders")
    periodic_task(
        apps,
        "reminders: daily e-mail digest",
        "reminders.send_digests",
        crontab={"minute": "0", "hour": "18"},
        queue="reminders",
    )
