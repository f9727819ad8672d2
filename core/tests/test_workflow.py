"""core.workflow: the generic table (no app imported: core is the bottom layer)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from core.exceptions import PermissionDenied as CorePermissionDenied
from core.workflow import Transition, Workflow

DOC = Workflow(
    document="test.doc",
    transitions=(
        Transition("submit", frozenset({"draft"}), "review", lambda u, o: u.owner, "Submit", denied="not yours"),
        Transition(
            "approve",
            frozenset({"review"}),
            "done",
            lambda u, o: u.boss,
            "Approve",
            wrong_state="not in review",
            awaits=True,
        ),
        Transition(
            "decide",
            frozenset({"review"}),
            "done",
            lambda u, o: u.boss,
            "Decide",
            denied="boss only",
            denied_code="forbidden",
            state_first=True,
        ),
    ),
)
OWNER = SimpleNamespace(owner=True, boss=False)
BOSS = SimpleNamespace(owner=False, boss=True)


def test_actions_for_follow_state_and_person():
    assert DOC.action_names(OWNER, SimpleNamespace(status="draft")) == ["submit"]
    assert DOC.action_names(BOSS, SimpleNamespace(status="draft")) == []
    assert DOC.action_names(BOSS, SimpleNamespace(status="review")) == ["approve", "decide"]
    assert [t.action for t in DOC.awaiting(BOSS, SimpleNamespace(status="review"))] == ["approve"]
    assert DOC.awaiting_states() == {"review"}


def test_check_raises_the_declared_refusals_in_the_declared_order():
    with pytest.raises(PermissionDenied, match="not yours"):
        DOC.check(BOSS, SimpleNamespace(status="review"), "submit")  # person before state
    with pytest.raises(ApplicationError) as exc:
        DOC.check(BOSS, SimpleNamespace(status="draft"), "approve")
    assert (exc.value.message, exc.value.code, exc.value.field) == ("not in review", "state", "status")
    with pytest.raises(ApplicationError) as exc:
        DOC.check(OWNER, SimpleNamespace(status="draft"), "decide")  # state first here
    assert exc.value.code == "state"
    with pytest.raises(CorePermissionDenied) as exc:  # a refusal of who is always the one 403 error
        DOC.check(OWNER, SimpleNamespace(status="review"), "decide")
    assert exc.value.code == "forbidden" and not isinstance(exc.value, ApplicationError)
    assert DOC.check(BOSS, SimpleNamespace(status="review"), "approve").target == "done"


def test_unknown_action_and_duplicate_actions():
    with pytest.raises(ApplicationError):
        DOC.check(BOSS, SimpleNamespace(status="review"), "nope")
    t = Transition("a", frozenset({"x"}), "y", lambda u, o: True, "A")
    with pytest.raises(ValueError):
        Workflow(document="dup", transitions=(t, t))
