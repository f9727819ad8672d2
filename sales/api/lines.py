"""Quote and contract lines: the input a caller sends and the output it gets (with cost for cost viewers)."""

from __future__ import annotations

from rest_framework import serializers

from sales.models import (
    ContractLine,
    Product,
    QuoteLine,
)
from sales.services.pricing import LineInput


class LineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)
    list_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


def line_inputs(data) -> list[LineInput] | None:
    if data is None:
        return None
    return [LineInput.from_data(d) for d in data]


LINE_FIELDS = [
    "id",
    "product",
    "product_code",
    "product_name",
    "quantity",
    "list_price",
    "discount_percent",
    "unit_price",
    "standard_price",
    "line_total",
]


class ContractLineOutputSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")
    line_total = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        model = ContractLine
        fields = LINE_FIELDS


class ContractLineCostOutputSerializer(ContractLineOutputSerializer):
    class Meta(ContractLineOutputSerializer.Meta):
        fields = [*LINE_FIELDS, "unit_cost"]


class QuoteLineOutputSerializer(ContractLineOutputSerializer):
    class Meta(ContractLineOutputSerializer.Meta):
        model = QuoteLine


class QuoteLineCostOutputSerializer(QuoteLineOutputSerializer):
    class Meta(QuoteLineOutputSerializer.Meta):
        fields = [*LINE_FIELDS, "unit_cost"]


class ComponentOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
