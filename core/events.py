"""Every handoff is an event: `publish` records one `Activity` and hands it to the subscribers.

The apps that change documents (customers, sales, commission, reports) sit below the app that tells people
(reminders: notifications, the bell, e-mail). They publish here; reminders subscribes in its `AppConfig.ready()`.
So no app below ever imports reminders.

Subscribers run synchronously, inside the caller's transaction: the activity, the notifications and the state
change commit or roll back together, and a notification can never describe a change that did not happen.
Subscribers must therefore be quick (a few INSERTs) and leave outside channels (e-mail) to a later task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .models import Activity

Subscriber = Callable[[Activity], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    """Register `subscriber` (idempotent: `ready()` may run more than once in tests)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(
    *,
    document: str,
    document_id: int,
    action: str,
    actor: Any | None,
    recipients: Iterable[Any] = (),
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Activity:
    """Record a handoff and notify its `recipients` (users or user ids; the actor is never told of their own act)."""
    actor_id = getattr(actor, "pk", actor)
    ids: list[int] = []
    for r in recipients:
        rid = getattr(r, "pk", r)
        if rid is not None and rid != actor_id and rid not in ids:
            ids.append(int(rid))
    activity = Activity.objects.create(
        document=document,
        document_id=document_id,
        action=action,
        actor_id=actor_id,
        note=note or "",
        data=data or {},
        recipient_ids=ids,
    )
    for subscriber in list(_subscribers):
        subscriber(activity)
    return activity


def publish_for(
    workflow: Any,
    obj: Any,
    *,
    action: str,
    actor: Any,
    recipients: Iterable[Any],
    note: str = "",
    data: dict[str, Any],
) -> Activity:
    """Publish `action` on `obj`, a document of `workflow` (its document type; `obj.pk` its id), with the actor's
    name (their username when they have none) first in the data."""
    return publish(
        document=workflow.document,
        document_id=obj.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={"actor": actor.get_full_name() or actor.get_username(), **data},
    )
