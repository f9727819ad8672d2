from celery import shared_task

from . import services


@shared_task(name="care.daily")
def care_daily() -> dict:
    """Schedule the check-ups of recent deliveries and refresh the customers' lifecycle (once a day)."""
    return {"checkups": services.checkups_schedule(), "lifecycle": services.lifecycle_refresh()}


@shared_task(name="care.escalate")
def care_escalate() -> int:
    """Overdue cases to the managers (every 15 minutes)."""
    return services.cases_escalate()
