"""The sales workflow tables, snapshot: every action's from-states, to-state, who may, flags and words. Written
before the approve/reject pairs were built by one helper (core.workflow.decision_pair), so that the helper is proven
to leave each table as it was."""

from types import SimpleNamespace

from core.tests.workflow_snapshot import table_rows, table_words
from sales import workflows

TABLE = {
    "QUOTE": [
        ("change", "approved draft in_review", "draft", "sales.permissions.may_work_on_quote", "primary"),
        ("submit", "draft", "in_review", "sales.permissions.may_work_on_quote", "primary"),
        ("approve", "in_review", "approved", "sales.permissions.may_review_quote", "success awaits"),
        ("reject", "in_review", "draft", "sales.permissions.may_review_quote", "outline-danger needs_reason"),
        ("sent", "approved", "sent", "sales.permissions.may_work_on_quote", "primary"),
        ("accepted", "sent", "accepted", "sales.permissions.may_work_on_quote", "success"),
        ("declined", "approved sent", "declined", "sales.permissions.may_work_on_quote", "outline-danger"),
        ("contract", "accepted approved sent", "accepted", "sales.permissions.may_work_on_quote", "outline-primary"),
    ],
    "CONTRACT": [
        ("change", "draft rejected", "draft", "sales.permissions.may_work_on_contract", "primary"),
        ("submit", "draft rejected", "in_review", "sales.permissions.may_work_on_contract", "primary"),
        ("approve", "in_review", "approved", "sales.permissions.may_decide_contract", "success awaits state_first"),
        (
            "reject",
            "in_review",
            "rejected",
            "sales.permissions.may_decide_contract",
            "outline-danger needs_reason state_first",
        ),
        ("sign", "approved", "signed", "sales.permissions.may_work_on_contract", "primary"),
        (
            "cancel",
            "approved draft in_review rejected",
            "cancelled",
            "sales.permissions.may_work_on_contract",
            "primary needs_reason",
        ),
    ],
    "PRICE_INQUIRY": [
        ("answer", "open", "answered", "sales.permissions.may_answer_inquiry", "success awaits"),
        ("attach", "answered open", "open", "sales.permissions.may_withdraw_inquiry", "outline-primary"),
        ("cancel", "open", "cancelled", "sales.permissions.may_withdraw_inquiry", "outline-danger"),
    ],
    "UNIT_POLICY": [
        ("approve", "proposed", "approved", "accounts.unit_policy.may_decide", "success awaits state_code=decided"),
        (
            "reject",
            "proposed",
            "rejected",
            "accounts.unit_policy.may_decide",
            "outline-danger needs_reason state_code=decided",
        ),
    ],
    "SALES_RETURN": [
        ("approve", "pending", "approved", "sales.permissions.may_decide_return", "success awaits state_code=decided"),
        (
            "reject",
            "pending",
            "rejected",
            "sales.permissions.may_decide_return",
            "outline-danger needs_reason state_code=decided",
        ),
    ],
}

MESSAGES = {
    "QUOTE": [
        (
            "Change",
            "Only the salesperson or their manager may change this quote.",
            "A quote sent to the customer cannot be changed.",
        ),
        (
            "Submit",
            "Only the salesperson or their manager may submit this quote.",
            "Only a draft quote can be submitted.",
        ),
        ("Approve", "Only the department manager may approve this quote.", "This quote is not awaiting approval."),
        ("Reject", "Only the department manager may approve this quote.", "This quote is not awaiting approval."),
        (
            "Mark sent to customer",
            "Only the salesperson or their manager may do this.",
            "A quote in status “‹status›” cannot go to “Sent to customer”.",
        ),
        (
            "Accepted",
            "Only the salesperson or their manager may do this.",
            "A quote in status “‹status›” cannot go to “Accepted”.",
        ),
        (
            "Declined",
            "Only the salesperson or their manager may do this.",
            "A quote in status “‹status›” cannot go to “Declined”.",
        ),
        (
            "Make a contract",
            "Only the salesperson or their manager may do this.",
            "Only an approved quote can become a contract.",
        ),
    ],
    "CONTRACT": [
        (
            "Change",
            "Only the salesperson or their manager may change this contract.",
            "A contract in status “‹status›” cannot be changed.",
        ),
        (
            "Submit for review",
            "Only the salesperson or their manager may submit this contract.",
            "Only a draft or rejected contract can be submitted (it is “‹status›”).",
        ),
        ("Approve", "This contract needs no approval from you.", "This contract is not in review (it is “‹status›”)."),
        ("Reject", "This contract needs no decision from you.", "This contract is not in review (it is “‹status›”)."),
        (
            "Record signature",
            "Only the salesperson or their manager may sign this contract.",
            "Only an approved contract can be signed (it is “‹status›”).",
        ),
        (
            "Cancel contract",
            "Only the salesperson or their manager may cancel this contract.",
            "A signed contract cannot be cancelled.",
        ),
    ],
    "PRICE_INQUIRY": [
        (
            "Answer",
            "Only the producing unit's manager answers this price inquiry.",
            "This price inquiry is not awaiting an answer.",
        ),
        (
            "Attach the stamped inquiry",
            "Only whoever asked, or their manager, may attach the stamped inquiry.",
            "A cancelled price inquiry cannot be changed.",
        ),
        (
            "Withdraw",
            "Only whoever asked, or their manager, may withdraw this price inquiry.",
            "This price inquiry is not awaiting an answer.",
        ),
    ],
    "UNIT_POLICY": [
        ("Approve", "Only the GM office approves a unit's rules.", "These rules are already decided."),
        ("Reject", "Only the GM office approves a unit's rules.", "These rules are already decided."),
    ],
    "SALES_RETURN": [
        (
            "Approve",
            "Only the unit's manager decides a return, and not one they recorded.",
            "This return has already been decided.",
        ),
        (
            "Reject",
            "Only the unit's manager decides a return, and not one they recorded.",
            "This return has already been decided.",
        ),
    ],
}


def test_each_sales_workflow_table_keeps_its_actions_states_and_who_may():
    assert {name: table_rows(getattr(workflows, name)) for name in TABLE} == TABLE


def test_each_sales_workflow_table_keeps_its_words():
    assert {name: table_words(getattr(workflows, name)) for name in MESSAGES} == MESSAGES


def test_each_sales_workflow_keeps_its_document_and_state():
    row = SimpleNamespace(status="the status", state="the state")
    assert {name: (w.document, w.state(row)) for name in TABLE for w in [getattr(workflows, name)]} == {
        "QUOTE": ("sales.quote", "the status"),
        "CONTRACT": ("sales.contract", "the status"),
        "PRICE_INQUIRY": ("sales.price_inquiry", "the status"),
        "UNIT_POLICY": ("sales.unit_policy", "the state"),
        "SALES_RETURN": ("sales.return", "the status"),
    }
