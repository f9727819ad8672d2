"""Contracts and orders with their review workflow (submit, approve, reject, sign, file, cancel)."""

from __future__ import annotations

import functools

from django.db.models import Prefetch
from django.utils import timezone, translation
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import (
    CommentInputSerializer,
    CommentOutputSerializer,
    TimelineEntryOutputSerializer,
    ValuesListMixin,
    VisiblePrimaryKeyRelatedField,
    comment_response,
    date_formatter,
    datetime_formatter,
    money_formatter,
    timeline_response,
    validated,
)
from customers.models import Customer
from sales import selectors, workflows
from sales import timeline as sales_timeline
from sales.models import (
    SOLD_STATUSES,
    Contract,
    ContractApproval,
    ContractBasis,
    ContractEvent,
    ContractLine,
    ContractStatus,
)
from sales.services.comments import contract_comment
from sales.services.contracts import (
    contract_approve,
    contract_cancel,
    contract_create,
    contract_reject,
    contract_sign,
    contract_submit,
    contract_update,
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
from .lines import ContractLineCostOutputSerializer, ContractLineOutputSerializer, LineInputSerializer, line_inputs


class ContractTermsInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    basis = serializers.ChoiceField(choices=ContractBasis.choices, required=False)
    payment_terms = serializers.CharField(required=False, allow_blank=True)
    prepayment_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    retention_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    retention_due_on = serializers.DateField(required=False, allow_null=True)
    prepayment_exception_reason = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    settlement_method = MethodFields.settlement()
    sales_method = MethodFields.sales()


CONTRACT_LIST_FIELDS = [
    "id",
    "number",
    "title",
    "status",
    "basis",
    *METHOD_FIELDS,
    "customer",
    "customer_name",
    "owner",
    "owner_name",
    "unit",
    "amount",
    "paid",
    "receivable",
    "prepayment_amount",
    "prepayment_exception_reason",
    "retention_amount",
    "retention_due_on",
    "signed_on",
    "filing_due_on",
    "filed_on",
    "filing_overdue",
    "created_at",
]


# The columns a list row is written from (ContractViewSet.list reads them with .values(): no model instances).
LIST_VALUES = (
    "id",
    "number",
    "title",
    "status",
    "basis",
    "settlement_method",
    "settlement_method__code",
    "settlement_method__name",
    "settlement_method__name_en",
    "sales_method",
    "sales_method__code",
    "sales_method__name",
    "sales_method__name_en",
    "customer",
    "customer__name",
    "owner",
    "owner__full_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "unit",
    "amount",
    "paid_total",
    "prepayment_amount",
    "prepayment_exception_reason",
    "retention_amount",
    "retention_due_on",
    "signed_on",
    "filing_due_on",
    "filed_on",
    "created_at",
)


def _method_values(method, prefix: str) -> dict:
    if method is None:
        return {prefix: None, f"{prefix}__code": None, f"{prefix}__name": None, f"{prefix}__name_en": None}
    return {
        prefix: method.pk,
        f"{prefix}__code": method.code,
        f"{prefix}__name": method.name,
        f"{prefix}__name_en": method.name_en,
    }


def list_values_of(obj) -> dict:
    """A contract instance (with paid_total) as the LIST_VALUES row its list row is written from."""
    owner = obj.owner
    return {
        "id": obj.id,
        "number": obj.number,
        "title": obj.title,
        "status": obj.status,
        "basis": obj.basis,
        **_method_values(obj.settlement_method, "settlement_method"),
        **_method_values(obj.sales_method, "sales_method"),
        "customer": obj.customer_id,
        "customer__name": obj.customer.name,
        "owner": obj.owner_id,
        "owner__full_name": owner.full_name,
        "owner__first_name": owner.first_name,
        "owner__last_name": owner.last_name,
        "owner__username": owner.username,
        "unit": obj.unit_id,
        "amount": obj.amount,
        "paid_total": obj.paid_total,
        "prepayment_amount": obj.prepayment_amount,
        "prepayment_exception_reason": obj.prepayment_exception_reason,
        "retention_amount": obj.retention_amount,
        "retention_due_on": obj.retention_due_on,
        "signed_on": obj.signed_on,
        "filing_due_on": obj.filing_due_on,
        "filed_on": obj.filed_on,
        "created_at": obj.created_at,
    }


_SOLD = frozenset(SOLD_STATUSES)


def list_row_writer(fields):
    """A function LIST_VALUES row -> the list's output row, for the current request (language, today).

    ``fields`` are the list serializer's bound fields: they format the decimals and dates exactly as the schema
    says. The row is what DRF's generic walk over ContractListOutputSerializer gives (test_contract_list_rows)."""
    money = money_formatter(fields["amount"])
    day = date_formatter(fields["signed_on"])
    stamp = datetime_formatter(fields["created_at"])
    today = timezone.localdate()
    english = (translation.get_language() or "").startswith("en")
    signed = ContractStatus.SIGNED

    def label(r, prefix):
        if r[prefix] is None:
            return ""
        return r[f"{prefix}__name_en"] if english and r[f"{prefix}__name_en"] else r[f"{prefix}__name"]

    def write(r: dict) -> dict:
        amount, paid, status_ = r["amount"], r["paid_total"], r["status"]
        due = r["filing_due_on"]
        retention_amount, retention_due, signed_on, filed_on = (
            r["retention_amount"],
            r["retention_due_on"],
            r["signed_on"],
            r["filed_on"],
        )
        prepayment = r["prepayment_amount"]
        return {
            "id": r["id"],
            "number": r["number"],
            "title": r["title"],
            "status": status_,
            "basis": r["basis"],
            "settlement_method": r["settlement_method__code"] if r["settlement_method"] is not None else None,
            "settlement_method_name": label(r, "settlement_method"),
            "sales_method": r["sales_method__code"] if r["sales_method"] is not None else None,
            "sales_method_name": label(r, "sales_method"),
            "customer": r["customer"],
            "customer_name": r["customer__name"],
            "owner": r["owner"],
            "owner_name": r["owner__full_name"]
            or f"{r['owner__first_name']} {r['owner__last_name']}".strip()
            or r["owner__username"],
            "unit": r["unit"],
            "amount": None if amount is None else money(amount),
            "paid": None if paid is None else money(paid),
            "receivable": str(max(amount - paid, 0)) if status_ in _SOLD else "0.00",
            "prepayment_amount": None if prepayment is None else money(prepayment),
            "prepayment_exception_reason": r["prepayment_exception_reason"],
            "retention_amount": None if retention_amount is None else money(retention_amount),
            "retention_due_on": None if retention_due is None else day(retention_due),
            "signed_on": None if signed_on is None else day(signed_on),
            "filing_due_on": None if due is None else day(due),
            "filed_on": None if filed_on is None else day(filed_on),
            "filing_overdue": bool(status_ == signed and due and due < today),
            "created_at": None if r["created_at"] is None else stamp(r["created_at"]),
        }

    return write


@functools.cache
def _list_fields():
    """The list serializer's fields, built once: only their formatting (to_representation) is used."""
    return ContractListOutputSerializer().fields


class ContractListOutputSerializer(MethodOutputMixin, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    owner_name = serializers.CharField(source="owner.get_full_name")
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, source="paid_total")
    receivable = serializers.SerializerMethodField()
    filing_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = CONTRACT_LIST_FIELDS

    def get_receivable(self, obj) -> str:
        if obj.status not in SOLD_STATUSES:
            return "0.00"
        return str(max(obj.amount - obj.paid_total, 0))

    def get_filing_overdue(self, obj) -> bool:
        return selectors.is_filing_overdue(obj, today=self._today())

    def _today(self):
        if "today" not in self.__dict__:
            self.__dict__["today"] = timezone.localdate()
        return self.__dict__["today"]

    def to_representation(self, obj):
        """The list's row, written by list_row_writer (the list itself writes .values() rows with it, without
        model instances). The declared fields stay the schema and format the decimals and dates;
        test_contract_list_rows checks the output is exactly what DRF's generic walk gives."""
        if type(self) is not ContractListOutputSerializer:
            return super().to_representation(obj)
        return list_row_writer(self.fields)(list_values_of(obj))


class ApprovalOutputSerializer(serializers.ModelSerializer):
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

    @extend_schema_field(RuleHitOutputSerializer(many=True))
    def get_reasons(self, obj) -> list[dict]:
        return hits_for(self.context["request"].user, obj.reasons)


class EventOutputSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.get_full_name", default=None, allow_null=True)

    class Meta:
        model = ContractEvent
        fields = ["at", "actor", "actor_name", "action", "from_status", "to_status", "note"]


class ContractOutputSerializer(ContractListOutputSerializer):
    lines = ContractLineOutputSerializer(many=True)
    approvals = serializers.SerializerMethodField()
    events = EventOutputSerializer(many=True)
    rules = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ContractListOutputSerializer.Meta):
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
            "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        """What the caller may do with this contract now (the contract workflow table)."""
        return workflows.CONTRACT.action_names(self.context["request"].user, obj)

    @extend_schema_field(ApprovalOutputSerializer(many=True))
    def get_approvals(self, obj) -> list[dict]:
        return ApprovalOutputSerializer(obj.approvals.all(), many=True, context=self.context).data

    @extend_schema_field(RuleHitOutputSerializer(many=True))
    def get_rules(self, obj) -> list[dict]:
        """The rules that fire on the contract as it stands now."""
        user = self.context["request"].user
        return hits_for(user, [h.as_dict() for h in selectors.contract_rule_hits(contract=obj)])


class ContractCostOutputSerializer(ContractOutputSerializer):
    lines = ContractLineCostOutputSerializer(many=True)
    margin_percent = serializers.SerializerMethodField()

    class Meta(ContractOutputSerializer.Meta):
        fields = [*ContractOutputSerializer.Meta.fields, "cost_total", "margin_percent"]

    def get_margin_percent(self, obj) -> str | None:
        return margin_or_none(obj.amount, obj.cost_total)


class ContractInputSerializer(ContractTermsInputSerializer):
    customer = VisiblePrimaryKeyRelatedField(queryset=Customer.objects.all())
    lines = LineInputSerializer(many=True)


class ContractUpdateInputSerializer(ContractTermsInputSerializer):
    lines = LineInputSerializer(many=True, required=False)


class ContractCommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SignInputSerializer(serializers.Serializer):
    signed_on = serializers.DateField(required=False)


class ContractViewSet(ValuesListMixin, viewsets.ModelViewSet):
    """Contracts and orders (經濟契約 / 訂單) with their review workflow."""

    list_columns = LIST_VALUES

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["status", "customer", "owner", "unit", "basis", "settlement_method__code", "sales_method__code"]
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["created_at", "amount", "signed_on", "number"]

    def get_queryset(self):
        if self.action == "list":
            # Read as .values(LIST_VALUES) by list(): only the columns the list shows (profiled: wide rows — payment
            # terms, notes, the customer's and the owner's whole records — were most of the database time), and no
            # model instances.
            base = Contract.objects.visible_to(self.request.user)
            return selectors.with_paid(base, retention=False).order_by("-created_at", "-id")
        qs = selectors.with_paid(
            Contract.objects.visible_to(self.request.user).select_related(
                "customer", "owner", "unit", "settlement_method", "sales_method"
            )
        )
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("lines", queryset=ContractLine.objects.select_related("product")),
                Prefetch("approvals", queryset=ContractApproval.objects.select_related("decided_by")),
                Prefetch("events", queryset=ContractEvent.objects.select_related("actor")),
            )
        return qs.order_by("-created_at", "-id")

    def list_row_writer(self):
        return list_row_writer(_list_fields())

    def get_serializer_class(self):
        if self.action == "list":
            return ContractListOutputSerializer
        if self.action == "create":
            return ContractInputSerializer
        if self.action == "partial_update":
            return ContractUpdateInputSerializer
        return for_viewer(self, ContractOutputSerializer, ContractCostOutputSerializer)

    def _out(self, contract, code=status.HTTP_200_OK):
        contract = self.get_queryset().get(pk=contract.pk)
        cls = ContractCostOutputSerializer if selectors.sees_cost(self.request.user) else ContractOutputSerializer
        return Response(cls(contract, context={"request": self.request}).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(ContractInputSerializer, request.data, request=request)
        v = dict(data)
        customer = v.pop("customer")
        lines = line_inputs(v.pop("lines"))
        contract = contract_create(actor=request.user, customer=customer, lines=lines, **v)
        return self._out(contract, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        data = validated(ContractUpdateInputSerializer, request.data, partial=True)
        v = dict(data)
        lines = line_inputs(v.pop("lines", None))
        return self._out(contract_update(actor=request.user, contract=contract, lines=lines, **v))

    @extend_schema(responses=TimelineEntryOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        """Everything that happened to the contract, newest first, as sentences in the reader's language."""
        return timeline_response(sales_timeline.contract_timeline(contract=self.get_object()))

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Comment on the contract; the owner and the @mentioned who may see it are notified."""
        target = self.get_object()
        return comment_response(request, lambda body: contract_comment(contract=target, actor=request.user, body=body))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(contract_submit(actor=request.user, contract=self.get_object()))

    @extend_schema(request=ContractCommentInputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ContractCommentInputSerializer, request.data)
        contract = contract_approve(actor=request.user, contract=target, comment=data["comment"])
        return self._out(contract)

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInputSerializer, request.data)
        contract = contract_reject(actor=request.user, contract=target, reason=data["reason"])
        return self._out(contract)

    @extend_schema(request=SignInputSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(SignInputSerializer, request.data)
        contract = contract_sign(actor=request.user, contract=target, signed_on=data.get("signed_on"))
        return self._out(contract)

    @extend_schema(request=ReasonInputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        target = self.get_object()  # another's id is a 404 before its input is judged
        data = validated(ReasonInputSerializer, request.data)
        contract = contract_cancel(actor=request.user, contract=target, reason=data["reason"])
        return self._out(contract)


class HiddenRuleTripOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")
    actor_name = serializers.CharField(source="actor.get_full_name", default=None, allow_null=True)
    round = serializers.SerializerMethodField()
    hidden_rules = serializers.SerializerMethodField()

    class Meta:
        model = ContractEvent
        fields = ["id", "at", "contract", "contract_number", "actor", "actor_name", "round", "hidden_rules"]

    def get_round(self, obj) -> int | None:
        return obj.data.get("round")

    def get_hidden_rules(self, obj) -> list[str]:
        return list(obj.data.get("hidden_rules", []))


class HiddenRuleTripViewSet(viewsets.ReadOnlyModelViewSet):
    """Submissions that tripped a rule hidden from their submitter (the margin rule for a salesperson who may not
    see cost): each try, for their manager, the GM office, finance and admins. Others get an empty list."""

    serializer_class = HiddenRuleTripOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContractEvent.objects.none()
        return selectors.hidden_rule_trips(viewer=self.request.user)
