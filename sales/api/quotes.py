"""Quotes: product and engineering turnkey quotes, their approval and outcome, and making a contract."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import (
    CommentInputSerializer,
    CommentOutputSerializer,
    TimelineEntryOutputSerializer,
    VisiblePrimaryKeyRelatedField,
    comment_response,
    timeline_response,
    validated,
)
from customers.models import Customer
from sales import selectors, workflows
from sales import timeline as sales_timeline
from sales.models import (
    Product,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
)
from sales.services.comments import quote_comment
from sales.services.contracts import contract_create_from_quote
from sales.services.pricing import engineering_components, quote_engineering_rates
from sales.services.quotes import (
    quote_approve,
    quote_create,
    quote_reject,
    quote_set_outcome,
    quote_submit,
    quote_update,
)

from ._common import (
    METHOD_FIELDS,
    MethodFields,
    MethodOutputMixin,
    ReasonInputSerializer,
    RuleHitOutputSerializer,
    for_viewer,
    hits_for,
    margin_or_none,
)
from .contracts import ContractTermsInputSerializer
from .lines import (
    ComponentOutputSerializer,
    LineInputSerializer,
    QuoteLineCostOutputSerializer,
    QuoteLineOutputSerializer,
    line_inputs,
)

QUOTE_FIELDS = [
    "id",
    "number",
    "kind",
    "status",
    "customer",
    "customer_name",
    "owner",
    "owner_name",
    "unit",
    "title",
    "valid_until",
    *METHOD_FIELDS,
    "amount",
    "note",
    "approved_by",
    "approved_at",
    "rejection_reason",
    "created_at",
]


class QuoteListOutputSerializer(MethodOutputMixin, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    owner_name = serializers.CharField(source="owner.get_full_name")

    class Meta:
        model = Quote
        fields = QUOTE_FIELDS


class QuoteOutputSerializer(QuoteListOutputSerializer):
    """What everyone who may see the quote reads: the external lines (the customer's prices), never the internal
    sheet of an engineering quote."""

    lines = QuoteLineOutputSerializer(many=True)
    approval_reasons = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(QuoteListOutputSerializer.Meta):
        fields = [*QUOTE_FIELDS, "lines", "approval_reasons", "actions"]

    def get_actions(self, obj) -> list[str]:
        """What the caller may do with this quote now (the quote workflow table)."""
        return workflows.QUOTE.action_names(self.context["request"].user, obj)

    @extend_schema_field(RuleHitOutputSerializer(many=True))
    def get_approval_reasons(self, obj) -> list[dict]:
        return hits_for(self.context["request"].user, obj.approval_reasons)


class QuoteCostOutputSerializer(QuoteOutputSerializer):
    """For cost viewers: costs, the margin and, for an engineering quote, the internal sheet (C, the cost-plus
    components and the internal price)."""

    lines = QuoteLineCostOutputSerializer(many=True)
    margin_percent = serializers.SerializerMethodField()
    components = serializers.SerializerMethodField()

    class Meta(QuoteOutputSerializer.Meta):
        fields = [
            *QuoteOutputSerializer.Meta.fields,
            "cost_total",
            "margin_percent",
            "equipment_cost",
            "internal_price",
            "components",
        ]

    def get_margin_percent(self, obj) -> str | None:
        return margin_or_none(obj.amount, obj.cost_total)

    @extend_schema_field(ComponentOutputSerializer(many=True))
    def get_components(self, obj) -> list[dict]:
        if obj.kind != QuoteKind.ENGINEERING:
            return []
        return [
            {"name": name, "rate_percent": str(rate), "amount": str(amount)}
            for name, rate, amount in engineering_components(
                cost=obj.equipment_cost, rates=quote_engineering_rates(obj)
            )
        ]


class QuoteInputSerializer(serializers.Serializer):
    customer = VisiblePrimaryKeyRelatedField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=QuoteKind.choices, default=QuoteKind.PRODUCT)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    settlement_method = MethodFields.settlement()
    sales_method = MethodFields.sales()
    lines = LineInputSerializer(many=True, required=False)
    equipment_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    rates = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False)
    project_product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Engineering quotes: the product that stands for the project (default: the general one).",
    )
    customer_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Engineering quotes: the price to the customer, set by the unit (default: the internal price).",
    )
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class QuoteUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    settlement_method = MethodFields.settlement()
    sales_method = MethodFields.sales()
    lines = LineInputSerializer(many=True, required=False)
    equipment_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    rates = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False)
    project_product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Engineering quotes: the product that stands for the project (default: the general one).",
    )
    customer_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Engineering quotes: the price to the customer, set by the unit (default: the internal price).",
    )
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class QuoteOutcomeInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED])


class MakeContractInputSerializer(ContractTermsInputSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True),
        required=False,
        help_text="Engineering quotes only: the product that stands for the project.",
    )


class QuoteViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["status", "kind", "customer", "owner", "settlement_method__code", "sales_method__code"]
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["created_at", "amount", "number"]

    def get_queryset(self):
        qs = Quote.objects.visible_to(self.request.user).select_related(
            "customer", "owner", "unit", "settlement_method", "sales_method"
        )
        if self.action != "list":
            qs = qs.prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")))
        return qs.order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return QuoteListOutputSerializer
        if self.action == "create":
            return QuoteInputSerializer
        if self.action == "partial_update":
            return QuoteUpdateInputSerializer
        return for_viewer(self, QuoteOutputSerializer, QuoteCostOutputSerializer)

    def _out(self, quote, code=status.HTTP_200_OK):
        quote = self.get_queryset().prefetch_related("lines__product").get(pk=quote.pk)
        cls = QuoteCostOutputSerializer if selectors.sees_cost(self.request.user) else QuoteOutputSerializer
        return Response(cls(quote, context={"request": self.request}).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(QuoteInputSerializer, request.data, request=request)
        v = data
        quote = quote_create(
            actor=request.user,
            customer=v["customer"],
            kind=v["kind"],
            lines=line_inputs(v.get("lines")),
            equipment_cost=v.get("equipment_cost"),
            rates=v.get("rates"),
            project_product=v.get("project_product"),
            customer_price=v.get("customer_price"),
            discount_percent=v.get("discount_percent"),
            title=v["title"],
            valid_until=v.get("valid_until"),
            note=v["note"],
            settlement_method=v.get("settlement_method"),
            sales_method=v.get("sales_method"),
        )
        return self._out(quote, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        quote = self.get_object()
        data = validated(QuoteUpdateInputSerializer, request.data, partial=True)
        v = dict(data)
        lines = line_inputs(v.pop("lines", None))
        quote = quote_update(actor=request.user, quote=quote, lines=lines, **v)
        return self._out(quote)

    @extend_schema(responses=TimelineEntryOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        """Everything that happened to the quote, newest first, as sentences in the reader's language."""
        return timeline_response(sales_timeline.quote_timeline(quote=self.get_object()))

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Comment on the quote; the owner and the @mentioned who may see it are notified."""
        target = self.get_object()
        return comment_response(request, lambda body: quote_comment(quote=target, actor=request.user, body=body))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(quote_submit(actor=request.user, quote=self.get_object()))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._out(quote_approve(actor=request.user, quote=self.get_object()))

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInputSerializer, request.data)
        quote = quote_reject(actor=request.user, quote=target, reason=data["reason"])
        return self._out(quote)

    @extend_schema(request=QuoteOutcomeInputSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(QuoteOutcomeInputSerializer, request.data)
        quote = quote_set_outcome(actor=request.user, quote=target, status=data["status"])
        return self._out(quote)

    @extend_schema(request=MakeContractInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="make-contract")
    def make_contract(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(MakeContractInputSerializer, request.data)
        contract = contract_create_from_quote(actor=request.user, quote=target, **data)
        return Response({"id": contract.pk, "number": contract.number}, status=status.HTTP_201_CREATED)
