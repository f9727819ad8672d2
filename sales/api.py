"""API of the sales app. register() adds its viewsets to the /api/v1/ router.

Input and output serializers are separate; views only translate HTTP to service calls. Cost and margin are in
separate output serializers that salespeople never get (not even as null fields).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import validated
from core.money import round_money
from customers.models import Customer

from . import rules, selectors
from .models import (
    Contract,
    ContractApproval,
    ContractBasis,
    ContractEvent,
    ContractLine,
    DiscountAuthority,
    Invoice,
    Payment,
    PaymentKind,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    SalesLevel,
    SalesPolicy,
    Shipment,
)
from .services import catalogue, contracts, fulfilment, pricing, quotes

# --- products and price lists -----------------------------------------------------------------------------------


def _for_viewer(view, plain, with_cost):
    """The output serializer for this caller: cost fields only for cost viewers.

    The OpenAPI schema documents the plain variant whoever asks for it (cost viewers get extra properties), so
    the schema does not depend on who downloaded it and every caller's response conforms to it.
    """
    if getattr(view, "swagger_fake_view", False):
        return plain
    return with_cost if rules.can_see_cost(view.request.user) else plain


class ProductOutput(serializers.ModelSerializer):
    standard_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="current_price", read_only=True, allow_null=True
    )  # null until a price list prices the product

    class Meta:
        model = Product
        fields = ["id", "code", "name", "name_en", "unit_of_measure", "category", "is_active", "standard_price"]


class ProductCostOutput(ProductOutput):
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="current_cost", read_only=True, allow_null=True
    )

    class Meta(ProductOutput.Meta):
        fields = [*ProductOutput.Meta.fields, "cost"]


class ProductInput(serializers.Serializer):
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
        return selectors.products_with_prices(with_cost=rules.can_see_cost(self.request.user))

    def get_serializer_class(self):
        if self.action == "create":
            return ProductInput
        return _for_viewer(self, ProductOutput, ProductCostOutput)

    def create(self, request, *args, **kwargs):
        data = validated(ProductInput, request.data)
        product = catalogue.product_create(actor=request.user, **data)
        product = self.get_queryset().get(pk=product.pk)
        return Response(self.get_serializer_class()(product).data, status=status.HTTP_201_CREATED)


class PriceListItemOutput(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = PriceListItem
        fields = ["product", "product_code", "product_name", "standard_price"]


class PriceListItemCostOutput(PriceListItemOutput):
    class Meta(PriceListItemOutput.Meta):
        fields = [*PriceListItemOutput.Meta.fields, "cost"]


class PriceListOutput(serializers.ModelSerializer):
    items = PriceListItemOutput(many=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "producing_unit", "effective_from", "note", "items"]


class PriceListCostOutput(PriceListOutput):
    items = PriceListItemCostOutput(many=True)


class PriceItemInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    standard_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class PriceListInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    producing_unit = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    effective_from = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    items = PriceItemInput(many=True)


class PriceListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["producing_unit"]
    ordering_fields = ["effective_from"]

    def get_queryset(self):
        return PriceList.objects.prefetch_related(
            Prefetch("items", queryset=PriceListItem.objects.select_related("product"))
        ).order_by("-effective_from", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return PriceListInput
        return _for_viewer(self, PriceListOutput, PriceListCostOutput)

    def create(self, request, *args, **kwargs):
        data = validated(PriceListInput, request.data)
        v = data
        price_list = catalogue.price_list_create(
            actor=request.user,
            name=v["name"],
            producing_unit=v["producing_unit"],
            effective_from=v["effective_from"],
            note=v["note"],
            items=[catalogue.PriceInput(**item) for item in v["items"]],
        )
        return Response(
            self.get_serializer_class()(self.get_queryset().get(pk=price_list.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- discount authority and policy ------------------------------------------------------------------------------


class DiscountAuthorityOutput(serializers.ModelSerializer):
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


class DiscountAuthorityInput(serializers.Serializer):
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
        return DiscountAuthorityInput if self.action == "create" else DiscountAuthorityOutput

    def create(self, request, *args, **kwargs):
        if not request.user.is_admin_role:
            raise PermissionDenied()
        data = validated(DiscountAuthorityInput, request.data)
        v = data
        row = catalogue.discount_authority_set(
            actor=request.user,
            user=v.get("user"),
            level=v.get("level"),
            max_discount_percent=v["max_discount_percent"],
            effective_from=v.get("effective_from") or timezone.localdate(),
            note=v["note"],
        )
        return Response(DiscountAuthorityOutput(row).data, status=status.HTTP_201_CREATED)


class SalesPolicyOutput(serializers.ModelSerializer):
    class Meta:
        model = SalesPolicy
        fields = ["id", "effective_from", *catalogue.POLICY_FIELDS]


class SalesPolicyInput(serializers.Serializer):
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
        return SalesPolicyInput if self.action == "create" else SalesPolicyOutput

    def create(self, request, *args, **kwargs):
        data = validated(SalesPolicyInput, request.data)
        row = catalogue.sales_policy_set(actor=request.user, **data)
        return Response(SalesPolicyOutput(row).data, status=status.HTTP_201_CREATED)


# --- lines ------------------------------------------------------------------------------------------------------


class LineInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)
    list_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


def _lines(data) -> list[pricing.LineInput] | None:
    if data is None:
        return None
    return [
        pricing.LineInput(
            product=d["product"],
            quantity=d["quantity"],
            discount_percent=d.get("discount_percent") or 0,
            list_price=d.get("list_price"),
        )
        for d in data
    ]


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


class ContractLineOutput(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")
    line_total = serializers.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        model = ContractLine
        fields = LINE_FIELDS


class ContractLineCostOutput(ContractLineOutput):
    class Meta(ContractLineOutput.Meta):
        fields = [*LINE_FIELDS, "unit_cost"]


class QuoteLineOutput(ContractLineOutput):
    class Meta(ContractLineOutput.Meta):
        model = QuoteLine


class QuoteLineCostOutput(QuoteLineOutput):
    class Meta(QuoteLineOutput.Meta):
        fields = [*LINE_FIELDS, "unit_cost"]


def _hits_for(user, hits: list[dict]) -> list[dict]:
    """Stored rule hits as the viewer may see them: confidential numbers only for cost viewers."""
    see = rules.can_see_cost(user)
    out = []
    for h in hits:
        item = {
            "code": h["code"],
            "message": rules.stored_message(h, user),
            "approver": h.get("approver"),
            "blocking": h.get("blocking"),
        }
        if see or not h.get("confidential"):
            item["data"] = h.get("data", {})
            item["params"] = h.get("params", {})
        out.append(item)
    return out


class RuleHitOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(
        help_text="In the reader's language; numbers hidden from salespeople where confidential."
    )
    approver = serializers.CharField(allow_null=True)
    blocking = serializers.BooleanField()


class ComponentOutput(serializers.Serializer):
    name = serializers.CharField()
    rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


# --- quotes -----------------------------------------------------------------------------------------------------


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
    "amount",
    "note",
    "approved_by",
    "approved_at",
    "rejection_reason",
    "created_at",
]


class QuoteListOutput(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    owner_name = serializers.CharField(source="owner.get_full_name")

    class Meta:
        model = Quote
        fields = QUOTE_FIELDS


class QuoteOutput(QuoteListOutput):
    lines = QuoteLineOutput(many=True)
    components = serializers.SerializerMethodField()
    approval_reasons = serializers.SerializerMethodField()

    class Meta(QuoteListOutput.Meta):
        fields = [*QUOTE_FIELDS, "lines", "equipment_cost", "components", "approval_reasons"]

    @extend_schema_field(ComponentOutput(many=True))
    def get_components(self, obj) -> list[dict]:
        if obj.kind != QuoteKind.ENGINEERING:
            return []
        return [
            {"name": name, "rate_percent": str(rate), "amount": str(amount)}
            for name, rate, amount in pricing.engineering_components(
                cost=obj.equipment_cost, rates=pricing.quote_engineering_rates(obj)
            )
        ]

    @extend_schema_field(RuleHitOutput(many=True))
    def get_approval_reasons(self, obj) -> list[dict]:
        return _hits_for(self.context["request"].user, obj.approval_reasons)


class QuoteCostOutput(QuoteOutput):
    lines = QuoteLineCostOutput(many=True)
    margin_percent = serializers.SerializerMethodField()

    class Meta(QuoteOutput.Meta):
        fields = [*QuoteOutput.Meta.fields, "cost_total", "margin_percent"]

    def get_margin_percent(self, obj) -> str | None:
        return _margin(obj.amount, obj.cost_total)


def _margin(amount, cost) -> str | None:
    margin = rules.margin_percent(amount or Decimal("0"), cost or Decimal("0"))
    return None if margin is None else str(round_money(margin))


class QuoteInput(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=QuoteKind.choices, default=QuoteKind.PRODUCT)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInput(many=True, required=False)
    equipment_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    rates = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False)


class QuoteUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    lines = LineInput(many=True, required=False)
    equipment_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    rates = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class QuoteOutcomeInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED])


class ContractTermsInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    basis = serializers.ChoiceField(choices=ContractBasis.choices, required=False)
    payment_terms = serializers.CharField(required=False, allow_blank=True)
    prepayment_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    retention_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    retention_due_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class MakeContractInput(ContractTermsInput):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True),
        required=False,
        help_text="Engineering quotes only: the product that stands for the project.",
    )


class QuoteViewSet(viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["status", "kind", "customer", "owner"]
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["created_at", "amount", "number"]

    def get_queryset(self):
        qs = Quote.objects.visible_to(self.request.user).select_related("customer", "owner", "unit")
        if self.action != "list":
            qs = qs.prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product")))
        return qs.order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return QuoteListOutput
        if self.action == "create":
            return QuoteInput
        if self.action == "partial_update":
            return QuoteUpdateInput
        return _for_viewer(self, QuoteOutput, QuoteCostOutput)

    def _out(self, quote, code=status.HTTP_200_OK):
        quote = self.get_queryset().prefetch_related("lines__product").get(pk=quote.pk)
        cls = QuoteCostOutput if rules.can_see_cost(self.request.user) else QuoteOutput
        return Response(cls(quote, context={"request": self.request}).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(QuoteInput, request.data)
        v = data
        quote = quotes.quote_create(
            actor=request.user,
            customer=v["customer"],
            kind=v["kind"],
            lines=_lines(v.get("lines")),
            equipment_cost=v.get("equipment_cost"),
            rates=v.get("rates"),
            title=v["title"],
            valid_until=v.get("valid_until"),
            note=v["note"],
        )
        return self._out(quote, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        quote = self.get_object()
        data = validated(QuoteUpdateInput, request.data, partial=True)
        v = dict(data)
        lines = _lines(v.pop("lines", None))
        quote = quotes.quote_update(actor=request.user, quote=quote, lines=lines, **v)
        return self._out(quote)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(quotes.quote_submit(actor=request.user, quote=self.get_object()))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._out(quotes.quote_approve(actor=request.user, quote=self.get_object()))

    @extend_schema(request=ReasonInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInput, request.data)
        quote = quotes.quote_reject(actor=request.user, quote=target, reason=data["reason"])
        return self._out(quote)

    @extend_schema(request=QuoteOutcomeInput)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(QuoteOutcomeInput, request.data)
        quote = quotes.quote_set_outcome(actor=request.user, quote=target, status=data["status"])
        return self._out(quote)

    @extend_schema(request=MakeContractInput, responses={201: None})
    @action(detail=True, methods=["post"], url_path="make-contract")
    def make_contract(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(MakeContractInput, request.data)
        contract = contracts.contract_create_from_quote(actor=request.user, quote=target, **data)
        return Response({"id": contract.pk, "number": contract.number}, status=status.HTTP_201_CREATED)


# --- contracts --------------------------------------------------------------------------------------------------


CONTRACT_LIST_FIELDS = [
    "id",
    "number",
    "title",
    "status",
    "basis",
    "customer",
    "customer_name",
    "owner",
    "owner_name",
    "unit",
    "amount",
    "paid",
    "receivable",
    "prepayment_amount",
    "retention_amount",
    "retention_due_on",
    "signed_on",
    "filing_due_on",
    "filed_on",
    "filing_overdue",
    "created_at",
]


class ContractListOutput(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    owner_name = serializers.CharField(source="owner.get_full_name")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, source="paid_total")
    receivable = serializers.SerializerMethodField()
    filing_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = CONTRACT_LIST_FIELDS

    def get_receivable(self, obj) -> str:
        from .models import ContractStatus

        if obj.status not in (ContractStatus.SIGNED, ContractStatus.FILED):
            return "0.00"
        return str(max(obj.amount - obj.paid_total, 0))

    def get_filing_overdue(self, obj) -> bool:
        return selectors.is_filing_overdue(obj)


class ApprovalOutput(serializers.ModelSerializer):
    decided_by_name = serializers.CharField(source="decided_by.get_full_name", default=None, allow_null=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = ContractApproval
        fields = [
            "round",
            "approver_role",
            "decision",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "comment",
            "reasons",
        ]

    @extend_schema_field(RuleHitOutput(many=True))
    def get_reasons(self, obj) -> list[dict]:
        return _hits_for(self.context["request"].user, obj.reasons)


class EventOutput(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.get_full_name", default=None, allow_null=True)

    class Meta:
        model = ContractEvent
        fields = ["at", "actor", "actor_name", "action", "from_status", "to_status", "note"]


class ReceivableOutput(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    retention_outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
    retention_overdue = serializers.BooleanField()
    unshipped = serializers.DecimalField(max_digits=14, decimal_places=2)
    aging = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))


class ContractOutput(ContractListOutput):
    lines = ContractLineOutput(many=True)
    approvals = serializers.SerializerMethodField()
    events = EventOutput(many=True)
    rules = serializers.SerializerMethodField()
    receivable_detail = serializers.SerializerMethodField()

    class Meta(ContractListOutput.Meta):
        fields = [
            *CONTRACT_LIST_FIELDS,
            "payment_terms",
            "note",
            "quote",
            "review_round",
            "rejection_reason",
            "po_consent_by",
            "po_consent_at",
            "lines",
            "approvals",
            "rules",
            "events",
            "receivable_detail",
        ]

    @extend_schema_field(ApprovalOutput(many=True))
    def get_approvals(self, obj) -> list[dict]:
        return ApprovalOutput(obj.approvals.all(), many=True, context=self.context).data

    @extend_schema_field(RuleHitOutput(many=True))
    def get_rules(self, obj) -> list[dict]:
        """The rules that fire on the contract as it stands now."""
        user = self.context["request"].user
        return _hits_for(user, [h.as_dict() for h in selectors.contract_rule_hits(contract=obj)])

    @extend_schema_field(ReceivableOutput)
    def get_receivable_detail(self, obj) -> dict:
        return ReceivableOutput(selectors.receivable_for(contract=obj)).data


class ContractCostOutput(ContractOutput):
    lines = ContractLineCostOutput(many=True)
    margin_percent = serializers.SerializerMethodField()

    class Meta(ContractOutput.Meta):
        fields = [*ContractOutput.Meta.fields, "cost_total", "margin_percent"]

    def get_margin_percent(self, obj) -> str | None:
        return _margin(obj.amount, obj.cost_total)


class ContractInput(ContractTermsInput):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    lines = LineInput(many=True)


class ContractUpdateInput(ContractTermsInput):
    lines = LineInput(many=True, required=False)


class ContractCommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SignInput(serializers.Serializer):
    signed_on = serializers.DateField(required=False)


class FileInput(serializers.Serializer):
    filed_on = serializers.DateField(required=False)


class ContractViewSet(viewsets.ModelViewSet):
    """Contracts and orders (經濟契約 / 訂單) with their review workflow."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["status", "customer", "owner", "unit", "basis"]
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["created_at", "amount", "signed_on", "number"]

    def get_queryset(self):
        qs = selectors.with_paid(
            Contract.objects.visible_to(self.request.user).select_related("customer", "owner", "unit")
        )
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
                Prefetch("approvals", queryset=ContractApproval.objects.select_related("decided_by")),
                Prefetch("events", queryset=ContractEvent.objects.select_related("actor")),
            )
        return qs.order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return ContractListOutput
        if self.action == "create":
            return ContractInput
        if self.action == "partial_update":
            return ContractUpdateInput
        return _for_viewer(self, ContractOutput, ContractCostOutput)

    def _out(self, contract, code=status.HTTP_200_OK):
        contract = self.get_queryset().get(pk=contract.pk)
        cls = ContractCostOutput if rules.can_see_cost(self.request.user) else ContractOutput
        return Response(cls(contract, context={"request": self.request}).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(ContractInput, request.data)
        v = dict(data)
        customer = v.pop("customer")
        lines = _lines(v.pop("lines"))
        contract = contracts.contract_create(actor=request.user, customer=customer, lines=lines, **v)
        return self._out(contract, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        data = validated(ContractUpdateInput, request.data, partial=True)
        v = dict(data)
        lines = _lines(v.pop("lines", None))
        return self._out(contracts.contract_update(actor=request.user, contract=contract, lines=lines, **v))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(contracts.contract_submit(actor=request.user, contract=self.get_object()))

    @extend_schema(request=ContractCommentInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ContractCommentInput, request.data)
        contract = contracts.contract_approve(actor=request.user, contract=target, comment=data["comment"])
        return self._out(contract)

    @extend_schema(request=ReasonInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInput, request.data)
        contract = contracts.contract_reject(actor=request.user, contract=target, reason=data["reason"])
        return self._out(contract)

    @extend_schema(request=SignInput)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(SignInput, request.data)
        contract = contracts.contract_sign(actor=request.user, contract=target, signed_on=data.get("signed_on"))
        return self._out(contract)

    @extend_schema(request=FileInput)
    @action(detail=True, methods=["post"], url_path="file")
    def file_(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(FileInput, request.data)
        contract = contracts.contract_file(actor=request.user, contract=target, filed_on=data.get("filed_on"))
        return self._out(contract)

    @extend_schema(request=ReasonInput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInput, request.data)
        contract = contracts.contract_cancel(actor=request.user, contract=target, reason=data["reason"])
        return self._out(contract)


# --- shipments, invoices, payments -----------------------------------------------------------------------------


def _visible_contracts(request):
    return Contract.objects.visible_to(request.user)


class ShipmentOutput(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")

    class Meta:
        model = Shipment
        fields = ["id", "contract", "contract_number", "shipped_on", "amount", "note", "created_at"]


class ShipLineInput(serializers.Serializer):
    contract_line = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)


class ShipmentInput(serializers.Serializer):
    contract = serializers.IntegerField()
    shipped_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ShipLineInput(many=True, required=False)


def _contract_or_400(request, pk) -> Contract:
    contract = _visible_contracts(request).filter(pk=pk).first()
    if contract is None:
        raise serializers.ValidationError({"contract": ["No such contract."]})
    return contract


class ShipmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["contract"]
    ordering_fields = ["shipped_on"]

    def get_queryset(self):
        return Shipment.objects.visible_to(self.request.user).select_related("contract").order_by("-shipped_on", "-id")

    def get_serializer_class(self):
        return ShipmentInput if self.action == "create" else ShipmentOutput

    def create(self, request, *args, **kwargs):
        data = validated(ShipmentInput, request.data)
        v = data
        contract = _contract_or_400(request, v["contract"])
        lines = None
        if v.get("lines"):
            by_id = {ln.pk: ln for ln in contract.lines.select_related("product")}
            lines = []
            for item in v["lines"]:
                if item["contract_line"] not in by_id:
                    raise serializers.ValidationError({"lines": ["A line does not belong to this contract."]})
                lines.append(
                    fulfilment.ShipInput(contract_line=by_id[item["contract_line"]], quantity=item["quantity"])
                )
        shipment = fulfilment.shipment_create(
            actor=request.user, contract=contract, shipped_on=v["shipped_on"], lines=lines, note=v["note"]
        )
        return Response(ShipmentOutput(shipment).data, status=status.HTTP_201_CREATED)


class PaymentOutput(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name")

    class Meta:
        model = Payment
        fields = ["id", "contract", "contract_number", "paid_on", "amount", "kind", "reference", "recorded_by_name"]


class PaymentInput(serializers.Serializer):
    contract = serializers.IntegerField()
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    kind = serializers.ChoiceField(choices=PaymentKind.choices, default=PaymentKind.PROGRESS)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class PaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["contract", "kind"]
    ordering_fields = ["paid_on", "amount"]

    def get_queryset(self):
        return (
            Payment.objects.visible_to(self.request.user)
            .select_related("contract", "recorded_by")
            .order_by("-paid_on", "-id")
        )

    def get_serializer_class(self):
        return PaymentInput if self.action == "create" else PaymentOutput

    def create(self, request, *args, **kwargs):
        data = validated(PaymentInput, request.data)
        v = dict(data)
        contract = _contract_or_400(request, v.pop("contract"))
        payment = fulfilment.payment_record(actor=request.user, contract=contract, **v)
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class InvoiceOutput(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")

    class Meta:
        model = Invoice
        fields = ["id", "contract", "contract_number", "number", "issued_on", "amount"]


class InvoiceInput(serializers.Serializer):
    contract = serializers.IntegerField()
    number = serializers.CharField(max_length=32)
    issued_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["contract"]

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).select_related("contract").order_by("-issued_on", "-id")

    def get_serializer_class(self):
        return InvoiceInput if self.action == "create" else InvoiceOutput

    def create(self, request, *args, **kwargs):
        data = validated(InvoiceInput, request.data)
        v = dict(data)
        contract = _contract_or_400(request, v.pop("contract"))
        invoice = fulfilment.invoice_create(actor=request.user, contract=contract, **v)
        return Response(InvoiceOutput(invoice).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("price-lists", PriceListViewSet, basename="price-list")
    router.register("discount-authorities", DiscountAuthorityViewSet, basename="discount-authority")
    router.register("sales-policies", SalesPolicyViewSet, basename="sales-policy")
    router.register("quotes", QuoteViewSet, basename="quote")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("shipments", ShipmentViewSet, basename="shipment")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("invoices", InvoiceViewSet, basename="invoice")
