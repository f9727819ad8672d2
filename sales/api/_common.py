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


class MethodFields:
    """Input fields for the settlement and sales methods, by code (active entries only; omitted: the default)."""

    @staticmethod
    def settlement():
        from sales.models import SettlementMethod

        return serializers.SlugRelatedField(
            slug_field="code",
            queryset=SettlementMethod.objects.filter(is_active=True),
            required=False,
            allow_null=True,
            help_text="Settlement method code (結算方式), e.g. cash, transfer, monthly, lc; omitted: the default.",
        )

    @staticmethod
    def sales():
        from sales.models import SalesMethod

        return serializers.SlugRelatedField(
            slug_field="code",
            queryset=SalesMethod.objects.filter(is_active=True),
            required=False,
            allow_null=True,
            help_text="Sales method code (銷售方式), e.g. direct, distributor, project; omitted: the default.",
        )


class MethodOutputMixin(serializers.Serializer):
    """The recorded methods: code and name in the reader's language."""

    settlement_method = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    settlement_method_name = serializers.CharField(source="settlement_method.label", read_only=True, default="")
    sales_method = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sales_method_name = serializers.CharField(source="sales_method.label", read_only=True, default="")


METHOD_FIELDS = ["settlement_method", "settlement_method_name", "sales_method", "sales_method_name"]
