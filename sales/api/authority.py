"""Discount authority (per person or per sales level) and the sales policy."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts.models import SalesUnit
from core.api import validated
from sales import selectors
from sales.models import (
    DiscountAuthority,
    SalesLevel,
    SalesPolicy,
    UnitAuthorityCeiling,
    UnitSalesPolicy,
)
from sales.services.access import may_set_authority_for
from sales.services.catalogue import (
    POLICY_FIELDS,
    UNIT_POLICY_FIELDS,
    authority_ceiling_set,
    discount_authority_set,
    sales_policy_set,
    unit_sales_policy_approve,
    unit_sales_policy_propose,
    unit_sales_policy_reject,
)

from ._common import ReasonInputSerializer


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
    """折扣許可權 history: admins see and append all rows; a unit's manager sees their team's rows and appends rows
    for their own salespeople (within the unit's ceiling); everyone else sees only their own, read-only."""

    filterset_fields = ["user", "level"]

    def get_queryset(self):
        qs = DiscountAuthority.objects.select_related("user", "level", "set_by").order_by("-effective_from", "-id")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or user.is_admin_role:
            return qs
        if user.is_manager:
            return qs.filter(Q(user=user) | Q(user__unit_id__in=user.team_unit_ids))
        return qs.filter(user=user)

    def get_serializer_class(self):
        return DiscountAuthorityInputSerializer if self.action == "create" else DiscountAuthorityOutputSerializer

    def create(self, request, *args, **kwargs):
        if not (request.user.is_admin_role or request.user.is_manager):
            raise PermissionDenied()
        data = validated(DiscountAuthorityInputSerializer, request.data)
        v = data
        target = v.get("user")
        if target is not None and not may_set_authority_for(request.user, target) and target.pk != request.user.pk:
            raise NotFound()  # another unit's salesperson: not one of the manager's people
        row = discount_authority_set(
            actor=request.user,
            user=v.get("user"),
            level=v.get("level"),
            max_discount_percent=v["max_discount_percent"],
            effective_from=v.get("effective_from") or timezone.localdate(),
            note=v["note"],
        )
        return Response(DiscountAuthorityOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class _HidesMarginThreshold(serializers.ModelSerializer):
    """The margin threshold is null for whoever may not see cost: with it and the margin rule, the cost follows."""

    margin_review_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="null for whoever may not see cost"
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not selectors.sees_cost(request.user):
            data["margin_review_percent"] = None
        return data


class SalesPolicyOutputSerializer(_HidesMarginThreshold):
    class Meta:
        model = SalesPolicy
        fields = ["id", "effective_from", *POLICY_FIELDS]


class SalesPolicyInputSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    margin_review_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    prepayment_threshold = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    filing_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    quote_valid_days = serializers.IntegerField(min_value=1, max_value=366, required=False)
    default_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    design_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    commissioning_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    contingency_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    management_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    profit_tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    salespeople_see_cost = serializers.BooleanField(required=False)


class SalesPolicyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Thresholds and rates with effective dates (readable by everyone: they explain the rules)."""

    queryset = SalesPolicy.objects.order_by("-effective_from", "-id")

    def get_serializer_class(self):
        return SalesPolicyInputSerializer if self.action == "create" else SalesPolicyOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(SalesPolicyInputSerializer, request.data)
        row = sales_policy_set(actor=request.user, **data)
        return Response(
            SalesPolicyOutputSerializer(row, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class UnitAuthorityCeilingOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitAuthorityCeiling
        fields = ["id", "unit", "max_discount_percent", "effective_from", "set_by", "created_at"]


class UnitAuthorityCeilingInputSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=SalesUnit.objects.all())
    max_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    effective_from = serializers.DateField(required=False)


class UnitAuthorityCeilingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The discount-authority ceiling per unit: admins set it; a manager reads their units' ceilings."""

    filterset_fields = ["unit"]

    def get_queryset(self):
        qs = UnitAuthorityCeiling.objects.order_by("unit_id", "-effective_from", "-id")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or user.is_company_wide:
            return qs
        return qs.filter(unit_id__in=user.team_unit_ids) if user.is_manager else qs.none()

    def get_serializer_class(self):
        return UnitAuthorityCeilingInputSerializer if self.action == "create" else UnitAuthorityCeilingOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(UnitAuthorityCeilingInputSerializer, request.data)
        row = authority_ceiling_set(
            actor=request.user,
            unit=data["unit"],
            max_discount_percent=data["max_discount_percent"],
            effective_from=data.get("effective_from") or timezone.localdate(),
        )
        return Response(UnitAuthorityCeilingOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class UnitSalesPolicyOutputSerializer(_HidesMarginThreshold):
    class Meta:
        model = UnitSalesPolicy
        fields = [
            "id",
            "unit",
            "effective_from",
            *UNIT_POLICY_FIELDS,
            "set_by",
            "state",
            "approved_by",
            "approved_at",
            "rejected_at",
            "rejection_reason",
        ]


class UnitSalesPolicyInputSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=SalesUnit.objects.all())
    effective_from = serializers.DateField()
    review_waiver_below = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    margin_review_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    prepayment_threshold = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    default_discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class UnitSalesPolicyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A unit's own sales rules (實施細則): its manager or an admin proposes, the GM office approves."""

    filterset_fields = ["unit"]

    def get_queryset(self):
        qs = UnitSalesPolicy.objects.order_by("unit_id", "-effective_from", "-id")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or user.is_company_wide:
            return qs
        return qs.filter(unit_id__in=user.team_unit_ids) if user.is_manager else qs.filter(unit_id=user.unit_id)

    def get_serializer_class(self):
        return UnitSalesPolicyInputSerializer if self.action == "create" else UnitSalesPolicyOutputSerializer

    def create(self, request, *args, **kwargs):
        data = dict(validated(UnitSalesPolicyInputSerializer, request.data))
        row = unit_sales_policy_propose(actor=request.user, **data)
        return Response(
            UnitSalesPolicyOutputSerializer(row, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        row = unit_sales_policy_approve(actor=request.user, policy=self.get_object())
        return Response(UnitSalesPolicyOutputSerializer(row, context={"request": request}).data)

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another unit's id is a 404 before its input is judged
        data = validated(ReasonInputSerializer, request.data)
        row = unit_sales_policy_reject(actor=request.user, policy=target, reason=data["reason"])
        return Response(UnitSalesPolicyOutputSerializer(row, context={"request": request}).data)
