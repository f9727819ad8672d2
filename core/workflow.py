"""One workflow table per document: which action leads from which states to which, and who may take it.

A table is data: a list of `Transition`s. The same table guards the service (`Workflow.check`), draws the page's
buttons and the API's `actions` field (`Workflow.actions_for`) and feeds the inbox (`Workflow.waiting_for`).
The "who may" functions live in each app's `permissions.py`; this module knows no app (core is the bottom layer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .exceptions import ApplicationError, PermissionDenied

Allowed = Callable[[Any, Any], bool]
Message = str | Promise | Callable[[Any], str]


def _text(message: Message, obj: Any) -> str:
    return str(message(obj) if callable(message) else message)


@dataclass(frozen=True)
class Transition:
    """`action` takes a document from any of `sources` to `target` if `allowed(user, obj)`.

    Refusals keep each service's words: `denied` (PermissionDenied → 403, or an ApplicationError with
    `denied_code` when the service always answered 400 for it) and `wrong_state` (ApplicationError, field
    "status", code `state_code`). `state_first` checks the state before the person (used where the service
    has always said "not in review" before "not yours to decide"). `awaits` marks the actions that mean the
    document is waiting for the user (approve, review, decide): the inbox lists those.
    """

    action: str
    sources: frozenset[str]
    target: str
    allowed: Allowed
    label: Any
    denied: Message = "You may not do this."
    wrong_state: Message = "This cannot be done in the document's present state."
    denied_code: str | None = None
    denied_field: str | None = "status"
    state_code: str = "state"
    state_field: str | None = "status"
    state_first: bool = False
    awaits: bool = False
    style: str = "primary"
    needs_reason: bool = False


def decision_pair(
    sources: frozenset[str],
    approved: str,
    rejected: str,
    allowed: Allowed,
    *,
    denied: Message,
    wrong_state: Message,
    reject_denied: Message | None = None,
    approve_style: str = "success",
    **common: Any,
) -> tuple[Transition, Transition]:
    """A document's decision: "approve" (what awaits the decider: the inbox lists it) leads from `sources` to
    `approved`, "reject" (with a reason) to `rejected`, by the same who-may and in the same words (`reject_denied`
    where the refusal of a rejection says otherwise); `common` holds the other fields both share. (The approve
    buttons of the write-off, expense and market-fund tables are plain: `approve_style="primary"`.)"""
    return (
        Transition(
            "approve",
            sources,
            approved,
            allowed,
            gettext_lazy("Approve"),
            denied=denied,
            wrong_state=wrong_state,
            awaits=True,
            style=approve_style,
            **common,
        ),
        Transition(
            "reject",
            sources,
            rejected,
            allowed,
            gettext_lazy("Reject"),
            denied=denied if reject_denied is None else reject_denied,
            wrong_state=wrong_state,
            style="outline-danger",
            needs_reason=True,
            **common,
        ),
    )


@dataclass(frozen=True)
class Workflow:
    document: str  # "sales.quote"; also the document type of its handoff events
    transitions: tuple[Transition, ...]
    state: Callable[[Any], str] = field(default=lambda obj: obj.status)

    def __post_init__(self) -> None:
        names = [t.action for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.document}: an action is listed twice")

    def transition(self, action: str) -> Transition:
        for t in self.transitions:
            if t.action == action:
                return t
        raise ApplicationError(
            gettext("Unknown action “%(action)s”.") % {"action": action}, field="action", code="unknown_action"
        )

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(t.action for t in self.transitions)

    def can(self, user: Any, obj: Any, action: str) -> bool:
        t = self.transition(action)
        return self.state(obj) in t.sources and bool(t.allowed(user, obj))

    def actions_for(self, user: Any, obj: Any) -> list[Transition]:
        """The transitions `user` may take on `obj` now, in table order."""
        state = self.state(obj)
        return [t for t in self.transitions if state in t.sources and t.allowed(user, obj)]

    def action_names(self, user: Any, obj: Any) -> list[str]:
        return [t.action for t in self.actions_for(user, obj)]

    def awaiting(self, user: Any, obj: Any) -> list[Transition]:
        """The actions that mean `obj` is waiting for `user` (the inbox)."""
        return [t for t in self.actions_for(user, obj) if t.awaits]

    def awaiting_states(self) -> frozenset[str]:
        return frozenset().union(*(t.sources for t in self.transitions if t.awaits))

    def check(self, user: Any, obj: Any, action: str) -> Transition:
        """Raise the service's refusal unless `user` may take `action` on `obj` now; return the transition."""
        t = self.transition(action)
        checks: Iterable[Callable[[], None]] = (
            (lambda: self._check_state(t, obj), lambda: self._check_person(t, user, obj))
            if t.state_first
            else (lambda: self._check_person(t, user, obj), lambda: self._check_state(t, obj))
        )
        for run in checks:
            run()
        return t

    @staticmethod
    def _check_person(t: Transition, user: Any, obj: Any) -> None:
        if not t.allowed(user, obj):
            # A refusal of *who* is always the one 403 error, with the service's own wording, field and code.
            raise PermissionDenied(_text(t.denied, obj), field=t.denied_field, code=t.denied_code or "forbidden")

    def _check_state(self, t: Transition, obj: Any) -> None:
        if self.state(obj) not in t.sources:
            raise ApplicationError(_text(t.wrong_state, obj), field=t.state_field, code=t.state_code)
