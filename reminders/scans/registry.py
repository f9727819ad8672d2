"""The reminder kinds: kind → scan (which rows are due) and resolve rules (when a pending reminder is no longer
needed). Each kind's module registers itself with `register(...)`; adding a kind is one module plus its import in
`reminders/scans/__init__.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import Reminder, ReminderKind

# (*, now, cfg) -> the number of candidate rows offered to the database (existing dedup keys are skipped)
Scan = Callable[..., int]
# (open staff reminders of the kind, *, now, close) -> how many were closed with `.update(**close)`
Resolve = Callable[..., int]
# (a reminder about to be sent) -> False when its cause went away and it should be cancelled instead
StillRelevant = Callable[[Reminder], bool]


@dataclass(frozen=True)
class ReminderKindRules:
    kind: ReminderKind
    scan: Scan
    resolve: Resolve | None = None  # run by every scan over the open reminders of this kind
    still_relevant: StillRelevant | None = None  # asked by the sender just before delivering


REGISTRY: dict[str, ReminderKindRules] = {}


def register(
    kind: ReminderKind,
    *,
    scan: Scan,
    resolve: Resolve | None = None,
    still_relevant: StillRelevant | None = None,
) -> ReminderKindRules:
    if kind in REGISTRY:
        raise ValueError(f"reminder kind {kind} is registered twice")
    rules = ReminderKindRules(kind=kind, scan=scan, resolve=resolve, still_relevant=still_relevant)
    REGISTRY[kind] = rules
    return rules


def registered() -> list[ReminderKindRules]:
    """The registered kinds in the order of `ReminderKind` (the order scans run in)."""
    return [REGISTRY[kind] for kind in ReminderKind if kind in REGISTRY]


def still_relevant(reminder: Reminder) -> bool:
    """Kinds whose cause can go away before sending: a filed contract, a report submitted meanwhile."""
    rules = REGISTRY.get(reminder.kind)
    if rules is None or rules.still_relevant is None:
        return True
    return rules.still_relevant(reminder)
