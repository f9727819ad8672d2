"""Every write of the reports app. Keyword-only, typed, atomic; read-then-write takes row locks.

Split by capability: daily reports, plans (with routes and forecasts), targets, evaluation feedback and the
dashboard's summary tables. Code inside the reports app imports from the module that defines a name; this package
re-exports the public names for the other apps."""

from .daily_reports import REPORT_TEXT_FIELDS, can_review, daily_report_comment, daily_report_review, daily_report_save
from .evaluation import evaluation_give_feedback
from .market_prices import PriceInput, daily_report_prices_set, market_prices_from_event
from .plans import forecast_set, plan_save, visit_route_set_day
from .summaries import SUMMARY_LOCK_KEY, months_touched, summary_refresh, summary_refresh_incremental
from .targets import LineInput, can_manage_targets, target_save, target_set_split, targets_import_xlsx
from .unit_rules import unit_report_policy_approve, unit_report_policy_propose, unit_report_policy_reject

__all__ = [
    "REPORT_TEXT_FIELDS",
    "SUMMARY_LOCK_KEY",
    "LineInput",
    "PriceInput",
    "can_manage_targets",
    "can_review",
    "daily_report_comment",
    "daily_report_prices_set",
    "daily_report_review",
    "daily_report_save",
    "evaluation_give_feedback",
    "forecast_set",
    "market_prices_from_event",
    "months_touched",
    "plan_save",
    "summary_refresh",
    "summary_refresh_incremental",
    "target_save",
    "target_set_split",
    "targets_import_xlsx",
    "unit_report_policy_approve",
    "unit_report_policy_propose",
    "unit_report_policy_reject",
    "visit_route_set_day",
]
