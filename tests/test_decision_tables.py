"""The decision tables of the other apps, snapshot (as sales/tests/test_workflow_tables.py for sales): the bad-debt
write-off, the expense claim and the market fund spending. Written before their approve/reject pairs were built by
core.workflow.decision_pair, so that the helper is proven to leave each table as it was."""

import importlib
from types import SimpleNamespace

from core.tests.workflow_snapshot import table_rows, table_words

TABLE = {
    "receivables.workflows.WRITE_OFF": [
        (
            "approve",
            "proposed",
            "approved",
            "receivables.permissions.can_decide_write_off",
            "primary awaits state_code=decided",
        ),
        (
            "reject",
            "proposed",
            "rejected",
            "receivables.permissions.can_decide_write_off",
            "outline-danger needs_reason state_code=decided",
        ),
        (
            "reverse",
            "approved",
            "reversed",
            "receivables.permissions.can_reverse_write_off",
            "outline-secondary needs_reason state_code=not_approved",
        ),
    ],
    "commission.workflows.EXPENSE": [
        (
            "approve",
            "pending",
            "approved",
            "commission.permissions.can_decide_expense",
            "primary awaits denied_code=forbidden state_code=decided",
        ),
        (
            "reject",
            "pending",
            "rejected",
            "commission.permissions.can_decide_expense",
            "outline-danger needs_reason denied_code=forbidden state_code=decided",
        ),
    ],
    "commission.workflows.MARKET_FUND": [
        (
            "approve",
            "pending",
            "approved",
            "commission.permissions.can_decide_fund_spend",
            "primary awaits denied_code=forbidden state_code=decided",
        ),
        (
            "reject",
            "pending",
            "rejected",
            "commission.permissions.can_decide_fund_spend",
            "outline-danger needs_reason denied_code=forbidden state_code=decided",
        ),
    ],
}

MESSAGES = {
    "receivables.workflows.WRITE_OFF": [
        (
            "Approve",
            "Only finance or the GM office decide a write-off, and not their own proposal.",
            "This write-off has already been decided.",
        ),
        (
            "Reject",
            "Only finance or the GM office decide a write-off, and not their own proposal.",
            "This write-off has already been decided.",
        ),
        (
            "Reverse (reinstate the debt)",
            "Only finance or the GM office reverse a write-off.",
            "Only an approved write-off can be reversed.",
        ),
    ],
    "commission.workflows.EXPENSE": [
        ("Approve", "Only the department manager can decide this expense.", "This expense has already been decided."),
        ("Reject", "Only the department manager can decide this expense.", "This expense has already been decided."),
    ],
    "commission.workflows.MARKET_FUND": [
        (
            "Approve",
            "Only the GM office can decide spending from the market service fund.",
            "This request has already been decided.",
        ),
        (
            "Reject",
            "Only the GM office can decide spending from the market service fund.",
            "This request has already been decided.",
        ),
    ],
}


def _workflow(name: str):
    module, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), attr)


def test_each_decision_table_keeps_its_actions_states_and_who_may():
    assert {name: table_rows(_workflow(name)) for name in TABLE} == TABLE


def test_each_decision_table_keeps_its_words():
    assert {name: table_words(_workflow(name)) for name in MESSAGES} == MESSAGES


def test_each_decision_workflow_keeps_its_document_and_state():
    row = SimpleNamespace(status="the status", state="the state")
    assert {name: (_workflow(name).document, _workflow(name).state(row)) for name in TABLE} == {
        "receivables.workflows.WRITE_OFF": ("receivables.write_off", "the status"),
        "commission.workflows.EXPENSE": ("commission.expense", "the status"),
        "commission.workflows.MARKET_FUND": ("commission.market_fund", "the status"),
    }
