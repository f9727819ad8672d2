"""API of the commission app: /api/v1/commission-statements/ and /api/v1/commission-rules/."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from . import selectors, services
from .models import CommissionRuleSet

MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; default: the current month")
PERSON_PARAM = OpenApiParameter("salesperson", OpenApiTypes.INT, description="id of the salesperson")


class StatementOutputSerializer(serializers.Serializer):
    month = serializers.CharField()
    closed = serializers.BooleanField()
    closed_at = serializers.CharField(allow_null=True)
    salesperson = serializers.DictField()
    rules = serializers.DictField()
    contracts = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(parameters=[MONTH_PARAM, PERSON_PARAM], responses=StatementOutputSerializer(many=True)),
    retrieve=extend_schema(parameters=[MONTH_PARAM], responses=StatementOutputSerializer),
)
class CommissionStatementViewSet(viewsets.GenericViewSet):
    """Monthly statements: stored as closed for closed months, computed for open ones. `id` is the person's id."""

    serializer_class = StatementOutputSerializer
    filter_backends: list = []

    def _month(self):
        raw = self.request.query_params.get("month")
        month = selectors.parse_month(raw, default=selectors.current_month())
        if raw and selectors.parse_month(raw) is None:
            raise serializers.ValidationError({"month": ["Use the form YYYY-MM."]})
        return month

    def list(self, request):
        person = request.query_params.get("salesperson")
        if person is not None and not person.isdigit():
            raise serializers.ValidationError({"salesperson": ["A number is required."]})
        rows = selectors.statements_for_month(
            viewer=request.user, month=self._month(), salesperson_id=int(person) if person else None
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page)

    def retrieve(self, request, pk=None):
        if not str(pk).isdigit():
            raise Http404
        data = selectors.statement_for(viewer=request.user, month=self._month(), salesperson_id=int(pk))
        if data is None:
            raise Http404
        return Response(data)


class RuleSetOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionRuleSet
        fields = [
            "id",
            "name",
            "effective_from",
            "commission_percent",
            "retention_hold_percent",
            "interest_grace_months",
            "interest_percent_per_month",
            "expense_margin_threshold_percent",
            "expense_low_margin_percent",
            "expense_high_margin_percent",
            "market_fund_percent",
            "note",
        ]


class RuleSetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    effective_from = serializers.DateField()
    commission_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    retention_hold_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    interest_grace_months = serializers.IntegerField(min_value=0, max_value=36, required=False)
    interest_percent_per_month = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_margin_threshold_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_low_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_high_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    market_fund_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class CommissionRuleSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The rule sets with their effective dates. Everyone reads them; admins add new ones (never edit history)."""

    serializer_class = RuleSetOutputSerializer
    queryset = CommissionRuleSet.objects.order_by("-effective_from")
    filterset_fields = ["effective_from"]
    ordering_fields = ["effective_from"]
    search_fields = ["name"]

    @extend_schema(request=RuleSetInputSerializer, responses={201: RuleSetOutputSerializer})
    def create(self, request, *args, **kwargs):
        data = RuleSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rs = services.rule_set_create(actor=request.user, **data.validated_data)
        return Response(RuleSetOutputSerializer(rs).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("commission-statements", CommissionStatementViewSet, basename="commission-statement")
    router.register("commission-rules", CommissionRuleSetViewSet, basename="commission-rule")
