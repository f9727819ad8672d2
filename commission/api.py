"""API of the commission app: /api/v1/commission-statements/, /api/v1/commission-rules/, the units' own rates
(/api/v1/unit-commission-policies/) and the rest registered below."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import unit_policy_api
from core.exceptions import ApplicationError
from core.exceptions import PermissionDenied as CorePermissionDenied
from sales.models import Contract

from . import selectors, services
from .models import (
    CommissionRuleSet,
    ExpenseClaim,
    ExpenseKind,
    FundPurpose,
    MarketFundEntry,
    MarketFundSpend,
    UnitCommissionPolicy,
)
from .permissions import can_see_profit, can_view_market_fund
from .workflows import MARKET_FUND, UNIT_POLICY

MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; default: the current month")
PERSON_PARAM = OpenApiParameter("salesperson", OpenApiTypes.INT, description="id of the salesperson")


class CommissionStatementOutputSerializer(serializers.Serializer):
    month = serializers.CharField()
    closed = serializers.BooleanField()
    closed_at = serializers.CharField(allow_null=True)
    salesperson = serializers.DictField()
    rules = serializers.DictField()
    contracts = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField(child=serializers.CharField())


def _is_id(value: str) -> bool:
    """ASCII digits that fit a database id ("²".isdigit() is True, but int("²") raises: that was a 500)."""
    return value.isascii() and value.isdigit() and int(value) <= 2**63 - 1


@extend_schema_view(
    list=extend_schema(
        parameters=[MONTH_PARAM, PERSON_PARAM], responses=CommissionStatementOutputSerializer(many=True)
    ),
    retrieve=extend_schema(
        parameters=[
            MONTH_PARAM,
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="person id"),
        ],
        responses=CommissionStatementOutputSerializer,
    ),
)
class CommissionStatementViewSet(viewsets.GenericViewSet):
    """Monthly statements: stored as closed for closed months, computed for open ones. `id` is the person's id."""

    serializer_class = CommissionStatementOutputSerializer
    filter_backends: list = []

    def _month(self):
        raw = self.request.query_params.get("month")
        month = selectors.parse_month(raw, default=selectors.current_month())
        if raw and selectors.parse_month(raw) is None:
            raise serializers.ValidationError({"month": ["Use the form YYYY-MM."]})
        return month

    def list(self, request):
        person = request.query_params.get("salesperson")
        if person is not None and not _is_id(person):
            raise serializers.ValidationError({"salesperson": ["A number is required."]})
        rows = selectors.statements_for_month(
            viewer=request.user, month=self._month(), salesperson_id=int(person) if person else None
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page)

    def retrieve(self, request, pk=None):
        if not _is_id(str(pk)):
            raise Http404
        data = selectors.statement_for(viewer=request.user, month=self._month(), salesperson_id=int(pk))
        if data is None:
            raise Http404
        return Response(data)


class CommissionRuleSetOutputSerializer(serializers.ModelSerializer):
    """The expense-allowance numbers are null for whoever may not see cost: with an expense line or an allowance
    they would give the gross profit, so the cost (docs/confidentiality.md)."""

    expense_margin_threshold_percent = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    expense_low_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    expense_high_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)

    HIDDEN = ("expense_margin_threshold_percent", "expense_low_margin_percent", "expense_high_margin_percent")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not selectors.can_see_cost(request.user):
            data.update(dict.fromkeys(self.HIDDEN))
        return data

    class Meta:
        model = CommissionRuleSet
        fields = [
            "id",
            "name",
            "effective_from",
            "commission_percent",
            "retention_hold_percent",
            "expense_margin_threshold_percent",
            "expense_low_margin_percent",
            "expense_high_margin_percent",
            "market_fund_percent",
            "note",
        ]


class CommissionRuleSetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    effective_from = serializers.DateField()
    commission_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    retention_hold_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_margin_threshold_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_low_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    expense_high_margin_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    market_fund_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class CommissionRuleSetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The rule sets with their effective dates. Everyone reads them; admins add new ones (never edit history)."""

    serializer_class = CommissionRuleSetOutputSerializer
    queryset = CommissionRuleSet.objects.order_by("-effective_from")
    filterset_fields = ["effective_from"]
    ordering_fields = ["effective_from"]
    search_fields = ["name"]

    @extend_schema(request=CommissionRuleSetInputSerializer, responses={201: CommissionRuleSetOutputSerializer})
    def create(self, request, *args, **kwargs):
        data = CommissionRuleSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rs = services.rule_set_create(actor=request.user, **data.validated_data)
        return Response(
            CommissionRuleSetOutputSerializer(rs, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class CommissionExpenseOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    claimant_name = serializers.CharField(source="claimant.get_full_name", read_only=True)

    class Meta:
        model = ExpenseClaim
        fields = [
            "id",
            "contract",
            "contract_number",
            "claimant",
            "claimant_name",
            "kind",
            "amount",
            "description",
            "incurred_on",
            "status",
            "decided_by",
            "decided_on",
            "decision_note",
            "created_at",
        ]


class CommissionExpenseInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExpenseKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    description = serializers.CharField(max_length=200)
    incurred_on = serializers.DateField()


# The schema keeps the name it had before the Input/Output naming.
@extend_schema_serializer(component_name="CommissionExpenseDecision")
class CommissionExpenseDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExpenseClaimViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Expense advances and claims on contracts; the department manager approves or rejects them first."""

    serializer_class = CommissionExpenseOutputSerializer
    filterset_fields = ["status", "kind", "contract"]
    ordering_fields = ["incurred_on", "amount", "created_at"]
    search_fields = ["description", "contract__number"]

    def get_queryset(self):
        return selectors.expenses_visible(self.request.user)

    @extend_schema(request=CommissionExpenseInputSerializer, responses={201: CommissionExpenseOutputSerializer})
    def create(self, request, *args, **kwargs):
        data = CommissionExpenseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        contract = Contract.objects.visible_to(request.user).filter(pk=values.pop("contract")).first()
        if contract is None:
            raise ApplicationError(_("No such contract."), field="contract", code="not_found")
        claim = services.expense_submit(contract=contract, claimant=request.user, **values)
        return Response(CommissionExpenseOutputSerializer(claim).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve: bool):
        claim = self.get_object()
        data = CommissionExpenseDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.expense_decide(
            claim=claim, actor=request.user, approve=approve, note=data.validated_data["note"]
        )
        return Response(CommissionExpenseOutputSerializer(claim).data)

    @extend_schema(request=CommissionExpenseDecisionInputSerializer, responses=CommissionExpenseOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=CommissionExpenseDecisionInputSerializer, responses=CommissionExpenseOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


# --------------------------------------------------------------------------------------------------------------
# Market service fund (市場服務基金)
# --------------------------------------------------------------------------------------------------------------
class FundSpendOutputSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = MarketFundSpend
        fields = [
            "id",
            "unit",
            "unit_name",
            "purpose",
            "amount",
            "description",
            "spend_on",
            "recipient",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        return MARKET_FUND.action_names(self.context["request"].user, obj)


class FundSpendInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    purpose = serializers.ChoiceField(choices=FundPurpose.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    description = serializers.CharField(max_length=300)
    spend_on = serializers.DateField()
    recipient = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class FundDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FundEntryOutputSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MarketFundEntry
        fields = [
            "id",
            "unit",
            "unit_name",
            "month",
            "kind",
            "amount",
            "sales_base",
            "rate_percent",
            "spend",
            "note",
            "recorded_at",
        ]


class FundBalanceOutputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    name = serializers.CharField(source="unit")
    accrued = serializers.DecimalField(max_digits=16, decimal_places=2)
    visits = serializers.DecimalField(max_digits=16, decimal_places=2)
    awards = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    pending = serializers.DecimalField(max_digits=16, decimal_places=2)


class MarketFundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spending requests of the market service fund (市場服務基金); `balances` per unit and company; `ledger` (the
    append-only lines). Managers (their units), the GM office, finance and admins; salespeople get 403."""

    serializer_class = FundSpendOutputSerializer
    queryset = MarketFundSpend.objects.none()  # for the schema; requests use get_queryset
    filterset_fields = ["status", "purpose", "unit"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_view_market_fund(request.user):
            raise CorePermissionDenied(_("Salespeople do not manage the market service fund."))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MarketFundSpend.objects.none()
        return selectors.fund_spends_visible(self.request.user)

    @extend_schema(request=FundSpendInputSerializer, responses={201: FundSpendOutputSerializer})
    def create(self, request, *args, **kwargs):
        from accounts.models import SalesUnit, User

        data = FundSpendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = SalesUnit.objects.filter(pk=values.pop("unit")).first()
        if unit is None:
            raise ApplicationError(_("No such sales unit."), field="unit", code="not_found")
        recipient_id = values.pop("recipient", None)
        recipient = User.objects.filter(pk=recipient_id).first() if recipient_id else None
        if recipient_id and recipient is None:
            raise ApplicationError(_("No such salesperson."), field="recipient", code="not_found")
        spend = services.market_fund_spend_request(actor=request.user, unit=unit, recipient=recipient, **values)
        return Response(
            FundSpendOutputSerializer(spend, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def _decide(self, request, approve: bool):
        spend = self.get_object()
        data = FundDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spend = services.market_fund_spend_decide(
            spend=spend, actor=request.user, approve=approve, note=data.validated_data["note"]
        )
        return Response(FundSpendOutputSerializer(spend, context={"request": request}).data)

    @extend_schema(request=FundDecisionInputSerializer, responses=FundSpendOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=FundDecisionInputSerializer, responses=FundSpendOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)

    @extend_schema(responses=FundBalanceOutputSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def balances(self, request):
        rows, total = selectors.fund_balances(viewer=request.user)
        return Response(FundBalanceOutputSerializer([*rows, total], many=True).data)

    @extend_schema(responses=FundEntryOutputSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def ledger(self, request):
        page = self.paginate_queryset(selectors.fund_entries_visible(request.user))
        return self.get_paginated_response(FundEntryOutputSerializer(page, many=True).data)


class ProfitRowOutputSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(source="label")
    sales = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    gross_profit = serializers.DecimalField(max_digits=16, decimal_places=2)
    expenses = serializers.DecimalField(max_digits=16, decimal_places=2)
    contribution = serializers.DecimalField(max_digits=16, decimal_places=2)
    margin = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    uncosted_sales = serializers.DecimalField(max_digits=16, decimal_places=2)
    contracts = serializers.IntegerField()


PROFIT_PARAMS = [
    OpenApiParameter("by", OpenApiTypes.STR, enum=["salesperson", "customer", "product", "unit"]),
    OpenApiParameter("period_type", OpenApiTypes.STR, enum=["month", "quarter", "year"]),
    OpenApiParameter("period_start", OpenApiTypes.DATE),
]


class ProfitContributionViewSet(viewsets.ViewSet):
    """Profit contribution (利潤貢獻) of the contracts sold in a period, by salesperson, customer, product or unit.
    It shows cost: managers (their units) and the company-wide roles only; anyone else gets 403."""

    @extend_schema(parameters=PROFIT_PARAMS, responses=ProfitRowOutputSerializer(many=True))
    def list(self, request):
        from django.utils import timezone

        from core import periods

        if not can_see_profit(request.user):
            raise CorePermissionDenied(_("Only managers and above see profit contribution."))
        q = request.query_params
        period_type, start = periods.parse_period(
            q.get("period_type"), q.get("period_start"), today=timezone.localdate()
        )
        end = periods.period_bounds(period_type, start)[1]
        rows = selectors.profit_contribution(viewer=request.user, start=start, end=end, by=q.get("by") or "salesperson")
        return Response(ProfitRowOutputSerializer(rows, many=True).data)


# --------------------------------------------------------------------------------------------------------------
# The units' own commission rates (實施細則): accounts.unit_policy_api, as on the page commission:unit_rules
# --------------------------------------------------------------------------------------------------------------
class UnitCommissionPolicyOutputSerializer(unit_policy_api.UnitPolicyOutputSerializer):
    """A unit's own rates; empty values keep the company's rule set. Only managers (their units), admins and the
    GM office read them, all of whom see cost, so the expense-allowance rates are not hidden here."""

    workflow = UNIT_POLICY

    class Meta:
        model = UnitCommissionPolicy
        fields = [
            *unit_policy_api.HEAD_FIELDS,
            *UnitCommissionPolicy.OVERRIDES,
            *unit_policy_api.TAIL_FIELDS,
        ]


def _unit_percent() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=3, min_value=0, max_value=100, required=False, allow_null=True
    )


class UnitCommissionPolicyInputSerializer(unit_policy_api.UnitPolicyInputSerializer):
    commission_percent = _unit_percent()
    retention_hold_percent = _unit_percent()
    expense_margin_threshold_percent = _unit_percent()
    expense_low_margin_percent = _unit_percent()
    expense_high_margin_percent = _unit_percent()


UNIT_POLICY_SCHEMA = {
    "create": extend_schema(
        request=UnitCommissionPolicyInputSerializer, responses={201: UnitCommissionPolicyOutputSerializer}
    ),
    "approve": extend_schema(request=None, responses=UnitCommissionPolicyOutputSerializer),
    "reject": extend_schema(
        request=unit_policy_api.UnitPolicyRejectInputSerializer, responses=UnitCommissionPolicyOutputSerializer
    ),
}


@extend_schema_view(**UNIT_POLICY_SCHEMA)
class UnitCommissionPolicyViewSet(unit_policy_api.UnitPolicyViewSet):
    """A unit's own commission rates over the company's rule set (實施細則): its manager or an admin proposes
    (a new row each time: the history stays), the GM office approves or rejects with a reason."""

    model = UnitCommissionPolicy
    output_serializer = UnitCommissionPolicyOutputSerializer
    input_serializer = UnitCommissionPolicyInputSerializer
    propose = services.unit_commission_policy_propose
    approve_service = services.unit_commission_policy_approve
    reject_service = services.unit_commission_policy_reject


def register(router) -> None:
    router.register("commission-statements", CommissionStatementViewSet, basename="commission-statement")
    router.register("commission-rules", CommissionRuleSetViewSet, basename="commission-rule")
    router.register("commission-expenses", ExpenseClaimViewSet, basename="commission-expense")
    router.register("market-fund", MarketFundViewSet, basename="market-fund")
    router.register("profit-contribution", ProfitContributionViewSet, basename="profit-contribution")
    router.register("unit-commission-policies", UnitCommissionPolicyViewSet, basename="unit-commission-policy")
