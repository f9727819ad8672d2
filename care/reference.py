"""The care app's periodic tasks (see core.reference_data)."""

from core.reference_data import periodic_task


def seed(apps) -> None:
    periodic_task(
        apps, "care: check-ups and lifecycle", "care.daily", crontab={"minute": "30", "hour": "6"}, queue="default"
    )
    periodic_task(apps, "care: escalate overdue cases", "care.escalate", every=(15, "minutes"), queue="default")
