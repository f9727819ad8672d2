from celery import shared_task
from celery.signals import worker_ready

from .services import heartbeat_record


@shared_task(name="core.heartbeat")
def heartbeat(token: str) -> None:
    heartbeat_record(token=token)


@worker_ready.connect
def heartbeat_on_worker_start(**kwargs) -> None:
    """A worker that has just started counts as alive for /healthz/ready before beat's first heartbeat is due."""
    heartbeat_record(token="worker-start")
