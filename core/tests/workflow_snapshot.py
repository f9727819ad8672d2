"""A workflow table as plain data, for the snapshot tests of the tables (sales/tests/test_workflow_tables.py,
tests/test_decision_tables.py): each action's from-states, to-state, who may and flags; and its words."""

from types import SimpleNamespace

from django.utils import translation

from core.workflow import Transition, Workflow

DEFAULTS = {name: f.default for name, f in Transition.__dataclass_fields__.items()}


def _text(message) -> str:
    document = SimpleNamespace(get_status_display=lambda: "‹status›")
    return str(message(document) if callable(message) else message)


def table_rows(workflow: Workflow) -> list[tuple[str, str, str, str, str]]:
    """(action, from-states, to-state, who may, flags): the style, the flags set and every code or field that is
    not the default."""
    rows = []
    for t in workflow.transitions:
        flags = [t.style, *(f for f in ("awaits", "needs_reason", "state_first") if getattr(t, f))]
        flags += [
            f"{f}={getattr(t, f)}"
            for f in ("denied_code", "denied_field", "state_code", "state_field")
            if getattr(t, f) != DEFAULTS[f]
        ]
        who = f"{t.allowed.__module__}.{t.allowed.__qualname__}"
        rows.append((t.action, " ".join(sorted(str(s) for s in t.sources)), str(t.target), who, " ".join(flags)))
    return rows


def table_words(workflow: Workflow) -> list[tuple[str, str, str]]:
    """(label, refusal of who, refusal of state) of each action, in English (a state's name reads ‹status›)."""
    with translation.override("en"):
        return [(str(t.label), _text(t.denied), _text(t.wrong_state)) for t in workflow.transitions]
