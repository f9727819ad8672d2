"""Reads of the reports app: report pre-fill, compliance, targets, evaluation figures, plans, the dashboard and
its scope (drill-down).

Every function runs a bounded number of queries, whatever the number of people, customers or orders. Code inside
the reports app imports from the module that defines a name; this package re-exports the public names for the
other apps."""

from ._common import ZERO, pct
from .compliance import Compliance, compliance_slices, report_compliance
from .dashboard import (
    Dashboard,
    DashboardQuery,
    PeriodFigures,
    age_buckets,
    dashboard_cached,
    dashboard_data,
    dashboard_period_label,
)
from .evaluation import Figures, evaluation_figures, overdue_by_owner, people_in_scope
from .market import market_price_months, market_prices_of
from .plans import PlanActuals, month_summary_draft, plan_actuals
from .prefill import Prefill, contact_counts, daily_report_prefill
from .scope import Scope, ScopeNotFound, resolve_scope
from .targets import (
    SplitRow,
    SplitView,
    TargetBook,
    TargetProgress,
    target_book,
    target_books,
    target_progress,
    target_splits,
)

__all__ = [
    "ZERO",
    "Compliance",
    "Dashboard",
    "DashboardQuery",
    "Figures",
    "PeriodFigures",
    "PlanActuals",
    "Prefill",
    "Scope",
    "ScopeNotFound",
    "SplitRow",
    "SplitView",
    "TargetBook",
    "TargetProgress",
    "age_buckets",
    "compliance_slices",
    "contact_counts",
    "daily_report_prefill",
    "dashboard_cached",
    "dashboard_data",
    "dashboard_period_label",
    "evaluation_figures",
    "market_price_months",
    "market_prices_of",
    "month_summary_draft",
    "overdue_by_owner",
    "pct",
    "people_in_scope",
    "plan_actuals",
    "report_compliance",
    "resolve_scope",
    "target_book",
    "target_books",
    "target_progress",
    "target_splits",
]
