"""Reads of the receivables app for pages, the API and the apps above (commission, reports, reminders)."""

from .policy import interest_terms, policies_by_month, policy_for, policy_row
from .positions import ContractFacts, facts_for, position_for, positions_for, write_off_credits
from .sql import (
    ContractSummary,
    SegmentRow,
    aged_sql,
    segments,
    sold_contracts,
    sold_contracts_maybe_open,
    summaries,
    summary_sql,
)
from .statement import StatementOfAccount, collection_notes, promises_missed, statement_of_account
from .workbench import PAGE_SIZE, Filters, Workbench, workbench
from .write_offs import WriteOffLiability, write_off_liability

__all__ = [
    "PAGE_SIZE",
    "ContractFacts",
    "ContractSummary",
    "Filters",
    "SegmentRow",
    "StatementOfAccount",
    "Workbench",
    "WriteOffLiability",
    "aged_sql",
    "collection_notes",
    "facts_for",
    "interest_terms",
    "policies_by_month",
    "policy_for",
    "policy_row",
    "position_for",
    "positions_for",
    "promises_missed",
    "segments",
    "sold_contracts",
    "sold_contracts_maybe_open",
    "statement_of_account",
    "summaries",
    "summary_sql",
    "workbench",
    "write_off_credits",
    "write_off_liability",
]
