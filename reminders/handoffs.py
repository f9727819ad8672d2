"""Handoff events (`core.events`) turned into in-app notifications, once per recipient, in the recipient's language.

`notify_handoff` is subscribed in `RemindersConfig.ready()`. It runs inside the publishing service's transaction:
one INSERT of every recipient's `Notification`, unique on (activity, user), so a handoff is never notified twice.
Each title and message is rendered under `translation.override(recipient.language)`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.models import Activity

from .models import Notification

# (document, action) -> (title, message); both are %-formatted with the activity's data plus `note`.
MESSAGES: dict[tuple[str, str], tuple[Any, Any]] = {
    ("sales.quote", "submitted"): (
        gettext_lazy("Quote %(number)s waits for your approval"),
        gettext_lazy("%(actor)s submitted the quote for %(customer)s."),
    ),
    ("sales.quote", "approved"): (
        gettext_lazy("Quote %(number)s approved"),
        gettext_lazy("%(actor)s approved the quote for %(customer)s."),
    ),
    ("sales.quote", "rejected"): (
        gettext_lazy("Quote %(number)s rejected"),
        gettext_lazy("%(actor)s rejected the quote: %(note)s"),
    ),
    ("sales.contract", "submitted"): (
        gettext_lazy("Contract %(number)s waits for your review"),
        gettext_lazy("%(actor)s submitted the contract with %(customer)s for review."),
    ),
    ("sales.contract", "approved_step"): (
        gettext_lazy("Contract %(number)s: one approval given"),
        gettext_lazy("%(actor)s approved; the contract still waits for another approver."),
    ),
    ("sales.contract", "approved"): (
        gettext_lazy("Contract %(number)s approved"),
        gettext_lazy("%(actor)s approved the contract with %(customer)s."),
    ),
    ("sales.contract", "rejected"): (
        gettext_lazy("Contract %(number)s rejected"),
        gettext_lazy("%(actor)s rejected the contract: %(note)s"),
    ),
    ("sales.contract", "filed_late"): (
        gettext_lazy("Contract %(number)s filed late"),
        gettext_lazy("The contract with %(customer)s was filed on %(filed_on)s, after its filing deadline."),
    ),
    ("sales.price_inquiry", "requested"): (
        gettext_lazy("Price inquiry %(number)s waits for your answer"),
        gettext_lazy("%(actor)s asks the price of %(product)s (written price inquiry)."),
    ),
    ("sales.price_inquiry", "answered"): (
        gettext_lazy("Price inquiry %(number)s answered"),
        gettext_lazy("%(actor)s answered the price of %(product)s, valid until %(valid_until)s. %(note)s"),
    ),
    ("sales.unit_policy", "proposed"): (
        gettext_lazy("Rules of %(unit)s wait for your approval"),
        gettext_lazy("%(actor)s proposes the unit's rules (實施細則) from %(effective_from)s."),
    ),
    ("sales.unit_policy", "approved"): (
        gettext_lazy("Rules of %(unit)s approved"),
        gettext_lazy("%(actor)s approved the unit's rules; they are in force from %(effective_from)s."),
    ),
    ("sales.unit_policy", "rejected"): (
        gettext_lazy("Rules of %(unit)s rejected"),
        gettext_lazy("%(actor)s rejected the unit's rules: %(note)s"),
    ),
    ("commission.unit_policy", "proposed"): (
        gettext_lazy("Commission rules of %(unit)s wait for your approval"),
        gettext_lazy("%(actor)s proposes the unit's commission rates (實施細則) from %(effective_from)s."),
    ),
    ("commission.unit_policy", "approved"): (
        gettext_lazy("Commission rules of %(unit)s approved"),
        gettext_lazy("%(actor)s approved the unit's commission rates; they are in force from %(effective_from)s."),
    ),
    ("commission.unit_policy", "rejected"): (
        gettext_lazy("Commission rules of %(unit)s rejected"),
        gettext_lazy("%(actor)s rejected the unit's commission rates: %(note)s"),
    ),
    ("reports.unit_policy", "proposed"): (
        gettext_lazy("Report rules of %(unit)s wait for your approval"),
        gettext_lazy("%(actor)s proposes the unit's daily-report cut-off (實施細則) from %(effective_from)s."),
    ),
    ("reports.unit_policy", "approved"): (
        gettext_lazy("Report rules of %(unit)s approved"),
        gettext_lazy("%(actor)s approved the unit's daily-report cut-off; it is in force from %(effective_from)s."),
    ),
    ("reports.unit_policy", "rejected"): (
        gettext_lazy("Report rules of %(unit)s rejected"),
        gettext_lazy("%(actor)s rejected the unit's daily-report cut-off: %(note)s"),
    ),
    ("customers.conflict", "decided"): (
        gettext_lazy("Customer conflict decided: %(customer)s"),
        gettext_lazy("%(actor)s decided: %(outcome)s. %(note)s"),
    ),
    ("customers.customer", "reassigned"): (
        gettext_lazy("Customer %(customer)s reassigned"),
        gettext_lazy("%(actor)s moved the customer from %(old_owner)s to %(new_owner)s. %(note)s"),
    ),
    ("customers.customer", "released"): (
        gettext_lazy("Customer %(customer)s released to the pool"),
        gettext_lazy("The customer is no longer yours: %(note)s"),
    ),
    ("customers.customer", "commented"): (
        gettext_lazy("%(actor)s commented on customer %(customer)s"),
        gettext_lazy("%(note)s"),
    ),
    ("sales.quote", "commented"): (
        gettext_lazy("%(actor)s commented on quote %(number)s"),
        gettext_lazy("%(customer)s: %(note)s"),
    ),
    ("sales.contract", "commented"): (
        gettext_lazy("%(actor)s commented on contract %(number)s"),
        gettext_lazy("%(customer)s: %(note)s"),
    ),
    ("reports.dailyreport", "commented"): (
        gettext_lazy("Comment on your daily report of %(date)s"),
        gettext_lazy("%(actor)s: %(note)s"),
    ),
    ("reports.dailyreport", "reviewed"): (
        gettext_lazy("Your daily report of %(date)s was reviewed"),
        gettext_lazy("%(actor)s reviewed it. %(note)s"),
    ),
    ("reports.dailyreport", "escalated"): (
        gettext_lazy("Urgent problem in the daily report of %(author)s, %(date)s"),
        gettext_lazy("%(actor)s: %(note)s"),
    ),
    ("reports.evaluation", "reviewed"): (
        gettext_lazy("Your evaluation for %(period)s is ready"),
        gettext_lazy("%(actor)s reviewed your period. Read it and acknowledge it."),
    ),
    ("commission.expense", "submitted"): (
        gettext_lazy("Expense claim waits for your decision"),
        gettext_lazy("%(actor)s claims %(amount)s on contract %(number)s: %(note)s"),
    ),
    ("commission.expense", "approved"): (
        gettext_lazy("Expense claim approved"),
        gettext_lazy("%(actor)s approved your claim of %(amount)s on contract %(number)s."),
    ),
    ("commission.expense", "rejected"): (
        gettext_lazy("Expense claim rejected"),
        gettext_lazy("%(actor)s rejected your claim of %(amount)s on contract %(number)s: %(note)s"),
    ),
    ("sales.return", "submitted"): (
        gettext_lazy("Return on contract %(number)s waits for your approval"),
        gettext_lazy(
            "%(actor)s recorded a return of %(quantity)s × %(product)s from %(customer)s, %(amount)s to credit: "
            "%(note)s"
        ),
    ),
    ("sales.return", "approved"): (
        gettext_lazy("Return on contract %(number)s approved"),
        gettext_lazy(
            "%(actor)s approved the return of %(quantity)s × %(product)s: %(amount)s is credited to %(customer)s and "
            "lowers this month's sales and commission."
        ),
    ),
    ("sales.return", "rejected"): (
        gettext_lazy("Return on contract %(number)s rejected"),
        gettext_lazy("%(actor)s rejected the return of %(quantity)s × %(product)s: %(note)s"),
    ),
    ("receivables.write_off", "proposed"): (
        gettext_lazy("Bad-debt write-off waits for your decision"),
        gettext_lazy("%(actor)s proposes to write off %(amount)s of contract %(number)s: %(note)s"),
    ),
    ("receivables.write_off", "approved"): (
        gettext_lazy("Bad-debt write-off approved"),
        gettext_lazy(
            "%(actor)s approved writing off %(amount)s of contract %(number)s; joint liability recorded against "
            "%(liable)s: %(liability)s."
        ),
    ),
    ("receivables.write_off", "rejected"): (
        gettext_lazy("Bad-debt write-off rejected"),
        gettext_lazy("%(actor)s rejected writing off %(amount)s of contract %(number)s: %(note)s"),
    ),
    ("receivables.write_off", "reversed"): (
        gettext_lazy("Bad-debt write-off reversed"),
        gettext_lazy(
            "%(actor)s reversed the write-off of %(amount)s of contract %(number)s (the debt is owed again): %(note)s"
        ),
    ),
    ("commission.liability", "charged"): (
        gettext_lazy("Joint liability for a bad debt on contract %(number)s"),
        gettext_lazy(
            "%(amount)s of contract %(number)s was written off as bad debt; your joint liability of %(liability)s "
            "is deducted on your commission statement for %(month)s. Reason: %(note)s"
        ),
    ),
    ("commission.liability", "credited"): (
        gettext_lazy("Joint liability given back on contract %(number)s"),
        gettext_lazy(
            "The bad-debt write-off of %(amount)s of contract %(number)s was reversed; your joint liability of "
            "%(liability)s is given back on your commission statement for %(month)s. Reason: %(note)s"
        ),
    ),
    ("commission.market_fund", "submitted"): (
        gettext_lazy("Market service fund spending waits for your decision"),
        gettext_lazy("%(actor)s asks to spend %(amount)s of %(unit)s's fund: %(note)s"),
    ),
    ("commission.market_fund", "approved"): (
        gettext_lazy("Market service fund spending approved"),
        gettext_lazy("%(actor)s approved %(amount)s from %(unit)s's fund."),
    ),
    ("commission.market_fund", "rejected"): (
        gettext_lazy("Market service fund spending rejected"),
        gettext_lazy("%(actor)s rejected %(amount)s from %(unit)s's fund: %(note)s"),
    ),
    ("commission.month", "closed"): (
        gettext_lazy("Commission statement for %(month)s is ready"),
        gettext_lazy("The commission month %(month)s is closed; your statement is final."),
    ),
}

# The kinds a user may leave out of the daily e-mail digest, by the handoff's action (the bell still shows them).
DIGEST_KINDS: dict[str, tuple[Any, frozenset[str]]] = {
    "approvals": (gettext_lazy("Approvals and reviews waiting for me"), frozenset({"submitted"})),
    "decisions": (
        gettext_lazy("Decisions on my documents (approved, rejected, conflict decided)"),
        frozenset({"approved", "approved_step", "rejected", "decided", "reviewed", "reversed", "charged", "credited"}),
    ),
    "comments": (gettext_lazy("Comments and mentions"), frozenset({"commented"})),
    "customers": (gettext_lazy("Customers reassigned or released"), frozenset({"reassigned", "released"})),
    "closing": (gettext_lazy("Late filings and closed months"), frozenset({"filed_late", "closed"})),
}


def muted_actions(kinds) -> set[str]:
    return {a for k in kinds if k in DIGEST_KINDS for a in DIGEST_KINDS[k][1]}


OUTCOMES = {
    "confirmed": pgettext_lazy("conflict", "the registered owner keeps the customer"),
    "reassigned": pgettext_lazy("conflict", "the customer goes to the other claimant"),
}


class _Params(dict):
    """Missing keys render as empty text rather than failing a notification."""

    def __missing__(self, key: str) -> str:
        return ""


def render(activity: Activity) -> tuple[str, str]:
    """Title and message of `activity` in the active language."""
    title, body = MESSAGES.get(
        (activity.document, activity.action),
        (gettext_lazy("%(document)s: %(action)s"), gettext_lazy("%(note)s")),
    )
    params = _Params(activity.data or {})
    params.update(note=activity.note, document=activity.document, action=activity.action)
    if "outcome" in params:
        params["outcome"] = str(OUTCOMES.get(params["outcome"], params["outcome"]))
    return (str(title) % params).strip()[:200], (str(body) % params).strip()


def notify_handoff(activity: Activity) -> None:
    """One notification per recipient of `activity`, each in its recipient's language (never twice)."""
    if not activity.recipient_ids:
        return
    users = get_user_model().objects.filter(pk__in=activity.recipient_ids, is_active=True).only("id", "language")
    rows = []
    for user in users:
        with translation.override(user.language or "zh-hant"):
            title, body = render(activity)
        rows.append(
            Notification(user=user, activity=activity, title=title, body=body, url=activity.data.get("url", ""))
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
