"""Helpers shared by the sales API modules: the output serializer for the viewer, rule hits, margins."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from core.money import round_money
from sales import rules, selectors


def for_viewer(view, plain, with_cost):
    """The output serializer for this caller: cost fields only for cost viewers.

    The OpenAPI schema documents the plain variant whoever asks for it (cost viewers get extra properties), so
    the schema does not depend on who downloaded it and every caller's response conforms to it.
    """
    if getattr(view, "swagger_fake_view", False):
        return plain
    return with_cost if selectors.sees_cost(view.request.user) else plain


def hits_for(user, hits: list[dict]) -> list[dict]:
    """Rule hits (as stored, RuleHit.as_dict) as the viewer may see them: a confidential hit (cost, margin) is
    left out entirely for whoever may not see cost — its mere presence would give the cost away by bisection."""
    see = selectors.sees_cost(user)
    return [
        {
            "code": h["code"],
            "message": rules.stored_message(h, see),
            "approver": h.get("approver"),
            "blocking": h.get("blocking"),
            "data": h.get("data", {}),
            "params": h.get("params", {}),
        }
        for h in rules.visible_stored_hits(hits, see_cost=see)
    ]


class RuleHitOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(
        help_text="In the reader's language; numbers hidden from salespeople where confidential."
    )
    approver = serializers.CharField(allow_null=True)
    blocking = serializers.BooleanField()


def margin_or_none(amount, cost) -> str | None:
    margin = rules.margin_percent(amount or Decimal("0"), cost or Decimal("0"))
    return None if margin is None else str(round_money(margin))


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
