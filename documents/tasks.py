from celery import shared_task

from .services import dispatch_deliver


@shared_task(name="documents.deliver_dispatch", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_dispatch(dispatch_id: int) -> str:
    """E-mail one queued document to the customer (exactly once: the service locks the row and checks its status)."""
    return dispatch_deliver(dispatch_id=dispatch_id).status
