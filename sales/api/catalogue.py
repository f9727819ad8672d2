"""Products and price lists."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import validated
from sales import selectors
from sales.models import (
    PriceList,
    PriceListItem,
    Product,
)
from sales.services.catalogue import PriceInput, price_list_create, product_create

from ._common import for_viewer


class ProductOutputSerializer(serializers.ModelSerializer):
    standard_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="current_price", read_only=True, allow_null=True
    )  # null until a price list prices the product

    class Meta:
        model = Product
        fields = ["id", "code", "name", "name_en", "unit_of_measure", "category", "is_active", "standard_price"]


class ProductCostOutputSerializer(ProductOutputSerializer):
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="current_cost", read_only=True, allow_null=True
    )

    class Meta(ProductOutputSerializer.Meta):
        fields = [*ProductOutputSerializer.Meta.fields, "cost"]


class ProductInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit_of_measure = serializers.CharField(max_length=20, required=False, default="pcs")
    category = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ProductViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Products with the standard price in force today; cost only for managers, GM office, finance, admins."""

    search_fields = ["code", "name", "name_en"]
    filterset_fields = ["category", "is_active"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.products_with_prices(with_cost=selectors.sees_cost(self.request.user))

    def get_serializer_class(self):
        if self.action == "create":
            return ProductInputSerializer
        return for_viewer(self, ProductOutputSerializer, ProductCostOutputSerializer)

    def create(self, request, *args, **kwargs):
        data = validated(ProductInputSerializer, request.data)
        product = product_create(actor=request.user, **data)
        product = self.get_queryset().get(pk=product.pk)
        return Response(self.get_serializer_class()(product).data, status=status.HTTP_201_CREATED)


class PriceListItemOutputSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = PriceListItem
        fields = ["product", "product_code", "product_name", "standard_price"]


class PriceListItemCostOutputSerializer(PriceListItemOutputSerializer):
    class Meta(PriceListItemOutputSerializer.Meta):
        fields = [*PriceListItemOutputSerializer.Meta.fields, "cost"]


class PriceListOutputSerializer(serializers.ModelSerializer):
    items = PriceListItemOutputSerializer(many=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "producing_unit", "effective_from", "note", "items"]


class PriceListCostOutputSerializer(PriceListOutputSerializer):
    items = PriceListItemCostOutputSerializer(many=True)


class PriceItemInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    standard_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class PriceListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    producing_unit = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    effective_from = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    items = PriceItemInputSerializer(many=True)


class PriceListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["producing_unit"]
    ordering_fields = ["effective_from"]

    def get_queryset(self):
        return PriceList.objects.prefetch_related(
            Prefetch("items", queryset=PriceListItem.objects.select_related("product"))
        ).order_by("-effective_from", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return PriceListInputSerializer
        return for_viewer(self, PriceListOutputSerializer, PriceListCostOutputSerializer)

    def create(self, request, *args, **kwargs):
        data = validated(PriceListInputSerializer, request.data)
        v = data
        price_list = price_list_create(
            actor=request.user,
            name=v["name"],
            producing_unit=v["producing_unit"],
            effective_from=v["effective_from"],
            note=v["note"],
            items=[PriceInput(**item) for item in v["items"]],
        )
        return Response(
            self.get_serializer_class()(self.get_queryset().get(pk=price_list.pk)).data,
            status=status.HTTP_201_CREATED,
        )
