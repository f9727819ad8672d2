"""Discount authority (per person or per sales level) and the sales policy."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import validated
from sales.models import (
    DiscountAuthority,
    SalesLevel,
    SalesPolicy,
)
from sales.services.catalogue import POLICY_FIELDS, discount_authority_set, sales_policy_set


class DiscountAuthorityOutputSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.get_full_name", default=None, allow_null=True)
    level_name = serializers.CharField(source="level.name", default=None, allow_null=True)
    set_by_name = serializers.CharField(source="set_by.get_full_name")

    class Meta:
        model = DiscountAuthority
        fields = [
            "id",
            "user",
            "user_name",
            "level",
            "level_name",
            "max_discount_percent",
            "effective_from",
            "set_by_name",
            "note",
            "created_at",
        ]


class DiscountAuthorityInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=DiscountAuthority._meta.get_field("user").related_model.objects.all(), required=False, allow_null=True
    )
    level = serializers.PrimaryKeyRelatedField(queryset=SalesLevel.objects.all(), required=False, allow_null=True)
    max_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    effective_from = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DiscountAuthorityViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """折扣許可權 history: admins see and append all rows; everyone else sees only their own, read-only."""

    filterset_fields = ["user", "level"]

    def get_queryset(self):
        qs = DiscountAuthority.objects.select_related("user", "level", "set_by").order_by("-effective_from", "-id")
        if getattr(self, "swagger_fake_view", False) or self.request.user.is_admin_role:
            return qs
        return qs.filter(user=self.request.user)

    def get_serializer_class(self):
        return DiscountAuthorityInputSerializer if self.action == "create" else DiscountAuthorityOutputSerializer

    def create(self, request, *args, **kwargs):
        if not request.user.is_admin_role:
            raise PermissionDenied()
        data = validated(DiscountAuthorityInputSerializer, request.data)
        v = data
        row = discount_authority_set(
            actor=request.user,
            user=v.get("user"),
            level=v.get("level"),
            max_discount_percent=v["max_discount_percent"],
            effective_from=v.get("effective_from") or timezone.localdate(),
            note=v["note"],
        )
        return Response(DiscountAuthorityOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class SalesPolicyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesPolicy
        fields = ["id", "effective_from", *POLICY_FIELDS]


class SalesPolicyInputSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    margin_review_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    prepayment_threshold = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    filing_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    default_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    design_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    commissioning_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    contingency_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    management_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    profit_tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)


class SalesPolicyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Thresholds and rates with effective dates (readable by everyone: they explain the rules)."""

    queryset = SalesPolicy.objects.order_by("-effective_from", "-id")

    def get_serializer_class(self):
        return SalesPolicyInputSerializer if self.action == "create" else SalesPolicyOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(SalesPolicyInputSerializer, request.data)
        row = sales_policy_set(actor=request.user, **data)
        return Response(SalesPolicyOutputSerializer(row).data, status=status.HTTP_201_CREATED)
