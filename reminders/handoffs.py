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
    ("reports.dailyreport", "commented"): (
        gettext_lazy("Comment on your daily report of %(date)s"),
        gettext_lazy("%(actor)s: %(note)s"),
    ),
    ("reports.dailyreport", "reviewed"): (
        gettext_lazy("Your daily report of %(date)s was reviewed"),
        gettext_lazy("%(actor)s reviewed it. %(note)s"),
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
    ("commission.month", "closed"): (
        gettext_lazy("Commission statement for %(month)s is ready"),
        gettext_lazy("The commission month %(month)s is closed; your statement is final."),
    ),
}

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
