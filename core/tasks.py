from celery import shared_task

from .services import heartbeat_record


@shared_task(name="core.heartbeat")
def heartbeat(token: str) -> None:
    heartbeat_record(token=token)
