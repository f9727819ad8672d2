"""Each statement line in words a salesperson understands, in every language the CRM ships.

Texts are produced once per language with translation.override and stored with the line, so a closed
statement keeps exactly the words it was closed with.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import rules as p

LIABILITY = "liability"  # a bad-debt write-off's joint liability (連帶賠償), posted by services.liability

COMPONENT_LABELS = {
    p.RELEASE: gettext_noop("Commission released"),
    p.RETENTION_RELEASE: gettext_noop("Retention hold released"),
    p.INTEREST: gettext_noop("Overdue interest"),
    p.EXPENSE: gettext_noop("Expense excess"),
    p.BONUS: gettext_noop("Cooperation bonus"),
    p.RETURN: gettext_noop("Returned goods"),
    p.HELD: gettext_noop("Held"),
    "adjustment": gettext_noop("Adjustment"),
    "correction": gettext_noop("Correction by finance"),
    LIABILITY: gettext_noop("Joint liability (bad debt)"),
}


def money(value: str | Decimal) -> str:
    return f"{Decimal(value):,.2f}"


def _texts(params: dict, *, rule: str, full: bool) -> str:
    text = _rule_text(params, rule=rule, full=full)
    if params.get("returned_above_standard") and rule != "sales_return":
        q = {k: money(params[k]) for k in ("gross_above_standard", "returned_above_standard")}
        text += " " + _(
            "(Above-standard part {gross_above_standard} less {returned_above_standard} for goods returned by then.)"
        ).format(**q)
    return text


# Long on purpose: one translatable sentence per rule, kept side by side so translators see them together.
def _rule_text(params: dict, *, rule: str, full: bool) -> str:
    q = {k: (money(v) if isinstance(v, str) and _is_money_key(k) else v) for k, v in params.items()}
    if rule == "sales_return":
        return _(
            "Goods returned, approved on {approved_on}: {quantity} × {product} at {unit_price} against the standard "
            "price {standard_price}: above-standard part {returned_above_standard} × {commission_rate} % is taken "
            "back (the contract was settled on {settled_on}; {credit} is credited to the customer)."
        ).format(**q)
    if rule == "release":
        return _(
            "Above-standard part {above_standard} × {commission_rate} % = commission {earned}. "
            "All of the contract ({amount}) was collected with the payment of {payment_amount} on {paid_on}, "
            "so the whole commission is released this month."
        ).format(**q)
    if rule == "release_with_retention":
        return _(
            "Above-standard part {above_standard} × {commission_rate} % = commission {earned}. "
            "Everything except the retention money ({target} of {amount}) was collected with the payment of "
            "{payment_amount} on {paid_on}: {release} is released; {hold_rate} % ({held}) stays held until the "
            "retention money {retention} is collected."
        ).format(release=money(Decimal(params["earned"]) - Decimal(params["held"])), **q)
    if rule == "retention_release":
        return _(
            "The retention money was collected with the payment of {payment_amount} on {paid_on}: the {hold_rate} % "
            "of commission {earned} held for it is released."
        ).format(**q)
    if rule == "interest":
        parts = "; ".join(
            _("shipped {shipped_on}: {base} unpaid {start} to {end} ({days} days)").format(
                shipped_on=s.get("shipped_on", params["shipped_on"]),
                base=money(s["base"]),
                start=s["from"],
                end=s["to"],
                days=s["days"],
            )
            for s in params["segments"]
        )
        text = _(
            "Each shipment's unpaid part (retention excluded) is overdue from {grace_months} months after its own "
            "shipping date and costs {rate} % per month, counted per day of the month ({days_in_month} days); "
            "payments settle the invoice they name, otherwise the oldest shipment first: {parts}."
        ).format(parts=parts, **q)
        write_offs = params.get("write_offs") or []
        if write_offs:
            done = "; ".join(
                (
                    _("{amount} reinstated on {on} (the write-off was reversed)")
                    if w["reinstated"]
                    else _("{amount} written off on {on}")
                ).format(amount=money(w["amount"]), on=w["on"])
                for w in write_offs
            )
            text += " " + _(
                "A bad-debt write-off settles like a payment, oldest shipment first, from the day it is approved: "
                "the part written off accrues no interest from that day ({write_offs})."
            ).format(write_offs=done)
        return text
    if rule.startswith("expense_"):
        if rule == "expense_no_cost":
            basis = _(
                "No cost is recorded for this contract, so the allowance is {high_rate} % of sales {amount} = "
                "{allowance}."
            ).format(**q)
        elif rule == "expense_low_margin":
            if full:
                basis = _(
                    "Margin {margin} % is under {threshold} % (cost {cost}, gross profit {gross_profit}), so the "
                    "allowance is {low_rate} % of the gross profit = {allowance}."
                ).format(**q)
            else:
                basis = _(
                    "The margin is under {threshold} %, so the allowance is {low_rate} % of the gross profit = "
                    "{allowance}."
                ).format(**q)
        elif full:
            basis = _(
                "Margin {margin} % is at least {threshold} % (cost {cost}, gross profit {gross_profit}), so the "
                "allowance is {high_rate} % of sales {amount} = {allowance}."
            ).format(**q)
        else:
            basis = _(
                "The margin is at least {threshold} %, so the allowance is {high_rate} % of sales {amount} = "
                "{allowance}."
            ).format(**q)
        return " ".join(
            [
                basis,
                _(
                    "Approved expenses {expenses} exceed it by {excess}; {already_deducted} was deducted before, "
                    "the rest is deducted now."
                ).format(**q),
            ]
        )
    if rule == "cooperation_bonus":
        if params["basis"] == "profit":
            if full:
                text = _("{rate} % of the gross profit {basis_amount}").format(**q)
            else:
                text = _("{rate} % of the gross profit").format(**q)
        else:
            text = _("{rate} % of sales {basis_amount}").format(**q)
        return _(
            "Cooperation bonus for bringing in the deal: {text}, released when it was collected on {paid_on}."
        ).format(text=text, **q)
    if rule == "held_not_collected":
        return _(
            "Commission {earned} ({commission_rate} % of the above-standard part {above_standard}) is held: "
            "{collected} of {target} (retention excluded) is collected, {outstanding} is still outstanding."
        ).format(**q)
    if rule == "held_retention":
        return _(
            "{hold_rate} % of commission {earned} is held until the retention money {retention} is collected "
            "({retention_outstanding} outstanding)."
        ).format(**q)
    if rule == "correction":
        return _("Recorded by {by} on {on}: {reason}").format(**q)
    if rule == "bad_debt":
        return _("Bad debt charged under joint liability, recorded by {by} on {on}: {reason}").format(**q)
    if rule == "liability":
        return _(
            "Bad debts caused by the salesperson are recorded against them (joint liability): {written_off} of "
            "contract {contract} was written off as bad debt, approved by {approved_by} on {approved_on}, with a "
            "joint liability of {liability}, deducted here. Reason: {reason}"
        ).format(**q)
    if rule == "liability_reversal":
        return _(
            "The write-off of {written_off} of contract {contract} (approved on {approved_on}) was reversed by "
            "{reversed_by} on {reversed_on}, so its joint liability of {liability} is given back. Reason: "
            "{reversal_note}"
        ).format(**q)
    if rule == "adjustment":
        return _(
            "Correction to closed months up to {through}: by today's payments, data and rules the closed months "
            "should have had {expected} for “{label}” but had {frozen}; the difference is settled now."
        ).format(label=_(COMPONENT_LABELS[params["component"]]), **q)
    return rule


MONEY_KEYS = {
    "above_standard",
    "gross_above_standard",
    "returned_above_standard",
    "unit_price",
    "standard_price",
    "credit",
    "earned",
    "amount",
    "retention",
    "target",
    "payment_amount",
    "held",
    "base",
    "expenses",
    "allowance",
    "excess",
    "already_deducted",
    "cost",
    "gross_profit",
    "basis_amount",
    "collected",
    "outstanding",
    "retention_outstanding",
    "expected",
    "frozen",
    "written_off",
    "liability",
}


def _is_money_key(key: str) -> bool:
    return key in MONEY_KEYS


def describe_many(items: list[tuple[str, dict, dict]]) -> list[dict]:
    """describe() for many (rule, params, confidential) at once: one language switch per language."""
    out: list[dict[str, Any]] = [{"text": {}, "text_full": {}} for _item in items]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for words, (rule, params, confidential) in zip(out, items, strict=True):
                words["text"][code] = _texts(params, rule=rule, full=False)
                if confidential:
                    words["text_full"][code] = _texts({**params, **confidential}, rule=rule, full=True)
    for words in out:
        words["text_full"] = words["text_full"] or None
    return out


def public_expense_text(amount: str) -> dict:
    """An expense line for whoever may not see cost, in every language: only what is deducted (or given back)."""
    out = {}
    value = Decimal(amount)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if value <= 0:
                out[code] = _(
                    "Approved expenses on this contract exceed its expense allowance: {amount} is deducted this month."
                ).format(amount=money(-value))
            else:
                out[code] = _(
                    "The expense deduction on this contract is reduced: {amount} is given back this month."
                ).format(amount=money(value))
    return out


_LABELS: dict[str, dict] = {}


def describe(*, rule: str, params: dict, confidential: dict) -> dict:
    """{"text": {lang: ...}, "text_full": {lang: ...} or None} — text_full includes the confidential inputs."""
    text, text_full = {}, {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text[code] = _texts(params, rule=rule, full=False)
            if confidential:
                text_full[code] = _texts({**params, **confidential}, rule=rule, full=True)
    return {"text": text, "text_full": text_full or None}


def component_label(component: str) -> dict:
    """Labels in every language (cached per process: they change only with a new catalogue)."""
    if component in _LABELS:
        return dict(_LABELS[component])
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = _(COMPONENT_LABELS[component])
    _LABELS[component] = out
    return dict(out)
