"""API of the receivables app: /api/v1/receivables/ (the workbench; a contract's position by id),
/api/v1/receivables-statements/<customer id>/, /api/v1/collection-notes/, /api/v1/write-offs/."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response

from core.api import validated
from core.exceptions import ApplicationError
from customers.models import Customer
from sales.models import Contract

from . import permissions, selectors, services, workflows
from .models import CollectionNote, NoteKind, WriteOff
from .selectors.workbench import MAX_PAGES


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class WorkbenchQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, max_value=2**31)
    salesperson = serializers.IntegerField(required=False, min_value=1, max_value=2**31)
    customer = serializers.IntegerField(required=False, min_value=1, max_value=2**31)
    bucket = serializers.CharField(required=False, max_length=20)
    retention_only = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=["amount", "age", "overdue"], required=False, default="amount")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGES, default=1)


class WorkbenchRowOutputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    number = serializers.CharField(source="contract.number")
    customer = serializers.IntegerField(source="contract.customer_id")
    customer_name = serializers.CharField(source="contract.customer.name")
    salesperson = serializers.IntegerField(source="contract.owner_id")
    balance = _money()
    overdue = _money()
    days_past_due = serializers.IntegerField()
    retention_outstanding = _money()
    retention_overdue = serializers.BooleanField()
    unshipped = _money()
    aging = serializers.DictField(child=_money())


class WorkbenchOutputSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    buckets = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()
    page = serializers.IntegerField(source="filters.page")
    pages = serializers.IntegerField()
    totals = serializers.DictField(child=_money())
    results = WorkbenchRowOutputSerializer(many=True, source="rows")


class ShipmentDueOutputSerializer(serializers.Serializer):
    shipment_id = serializers.IntegerField()
    shipped_on = serializers.DateField()
    due_on = serializers.DateField()
    receivable = _money()
    open = _money()
    days_past_due = serializers.IntegerField()
    bucket = serializers.CharField()


class InvoiceDueOutputSerializer(serializers.Serializer):
    invoice_id = serializers.IntegerField()
    issued_on = serializers.DateField()
    receivable = _money()
    open = _money()


class PositionOutputSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    as_of = serializers.DateField()
    amount = _money()
    paid = _money()
    balance = _money()
    retention_outstanding = _money()
    retention_due_on = serializers.DateField(allow_null=True)
    retention_overdue = serializers.BooleanField()
    unshipped = _money()
    overdue = _money()
    aging = serializers.DictField(child=_money())
    shipments = ShipmentDueOutputSerializer(many=True)
    invoices = InvoiceDueOutputSerializer(many=True)


class _WorkbenchSchema(AutoSchema):
    """The workbench's `list` answers one object (totals, buckets and a page of rows), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False if getattr(self.view, "action", None) == "list" else super()._is_list_view(serializer)


class ReceivableViewSet(viewsets.ViewSet):
    """The collections workbench (list) and one contract's receivable (retrieve, by contract id)."""

    schema = _WorkbenchSchema()

    @extend_schema(
        operation_id="v1_receivables_list", parameters=[WorkbenchQuerySerializer], responses=WorkbenchOutputSerializer
    )
    def list(self, request):
        if not permissions.can_use_workbench(request.user):
            raise DRFPermissionDenied
        q = validated(WorkbenchQuerySerializer, request.query_params)
        filters = selectors.Filters(
            unit_id=q.get("unit"),
            owner_id=q.get("salesperson"),
            customer_id=q.get("customer"),
            bucket=q.get("bucket"),
            retention_only=q["retention_only"],
            sort=q["sort"],
            page=q["page"],
        )
        return Response(WorkbenchOutputSerializer(selectors.workbench(user=request.user, filters=filters)).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=PositionOutputSerializer,
    )
    def retrieve(self, request, pk=None):
        if not str(pk).isascii() or not str(pk).isdigit() or int(pk) > 2**63 - 1:
            raise NotFound
        contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=int(pk))
        return Response(PositionOutputSerializer(selectors.position_for(contract=contract)).data)


class StatementViewSet(viewsets.ViewSet):
    """A customer's statement of account (by customer id)."""

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request, pk=None):
        if not str(pk).isascii() or not str(pk).isdigit() or int(pk) > 2**63 - 1:
            raise NotFound
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=int(pk))
        soa = selectors.statement_of_account(customer)
        return Response(_jsonable(asdict(soa)))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)


class CollectionNoteOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name")

    class Meta:
        model = CollectionNote
        fields = [
            "id",
            "customer",
            "contract",
            "kind",
            "happened_on",
            "promised_on",
            "promised_amount",
            "note",
            "author",
            "author_name",
        ]


class CollectionNoteInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=2**31)
    contract = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31)
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    happened_on = serializers.DateField()
    promised_on = serializers.DateField(required=False, allow_null=True)
    promised_amount = serializers.DecimalField(required=False, allow_null=True, max_digits=14, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CollectionNoteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Calls, visits, notes and promises to pay, per customer (only customers the caller may see)."""

    serializer_class = CollectionNoteOutputSerializer
    filterset_fields = ["customer", "kind"]

    def get_queryset(self):
        return (
            CollectionNote.objects.filter(customer__in=Customer.objects.visible_to(self.request.user))
            .select_related("author")
            .order_by("-happened_on", "-id")
        )

    @extend_schema(request=CollectionNoteInputSerializer, responses={201: CollectionNoteOutputSerializer})
    def create(self, request, *args, **kwargs):
        v = dict(validated(CollectionNoteInputSerializer, request.data))
        customer = Customer.objects.visible_to(request.user).filter(pk=v.pop("customer")).first()
        if customer is None:
            raise ApplicationError(_("No such customer."), field="customer", code="not_found")
        contract_id = v.pop("contract", None)
        contract = None
        if contract_id:
            contract = Contract.objects.visible_to(request.user).filter(pk=contract_id).first()
            if contract is None:
                raise ApplicationError(_("No such contract."), field="contract", code="not_found")
        note = services.collection_note_create(actor=request.user, customer=customer, contract=contract, **v)
        return Response(CollectionNoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)


class WriteOffOutputSerializer(serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = WriteOff
        fields = [
            "id",
            "contract",
            "amount",
            "reason",
            "liable",
            "liability_amount",
            "status",
            "proposed_by",
            "decided_by",
            "decided_on",
            "decision_note",
            "reversed_by",
            "reversed_on",
            "reversal_note",
            "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        return workflows.WRITE_OFF.action_names(self.context["request"].user, obj)


class WriteOffInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**31)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    liability_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=2000)


class WriteOffDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WriteOffViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bad-debt write-offs with the salesperson's joint liability; finance or the GM office decide."""

    serializer_class = WriteOffOutputSerializer
    filterset_fields = ["status", "contract"]

    def get_queryset(self):
        return WriteOff.objects.filter(contract__in=Contract.objects.visible_to(self.request.user)).order_by(
            "-created_at", "-id"
        )

    @extend_schema(request=WriteOffInputSerializer, responses={201: WriteOffOutputSerializer})
    def create(self, request, *args, **kwargs):
        v = dict(validated(WriteOffInputSerializer, request.data))
        contract = Contract.objects.visible_to(request.user).filter(pk=v.pop("contract")).first()
        if contract is None:
            raise ApplicationError(_("No such contract."), field="contract", code="not_found")
        write_off = services.write_off_propose(actor=request.user, contract=contract, **v)
        return Response(
            WriteOffOutputSerializer(write_off, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def _decide(self, request, verb: str):
        write_off = self.get_object()
        note = validated(WriteOffDecisionInputSerializer, request.data)["note"]
        write_off = services.write_off_decide(actor=request.user, write_off=write_off, action=verb, note=note)
        return Response(WriteOffOutputSerializer(write_off, context={"request": request}).data)

    @extend_schema(request=WriteOffDecisionInputSerializer, responses=WriteOffOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, "approve")

    @extend_schema(request=WriteOffDecisionInputSerializer, responses=WriteOffOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, "reject")

    @extend_schema(request=WriteOffDecisionInputSerializer, responses=WriteOffOutputSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reinstate the debt of an approved write-off (a reason is required); its joint liability is given back."""
        return self._decide(request, "reverse")


def register(router) -> None:
    router.register("receivables", ReceivableViewSet, basename="receivable")
    router.register("receivables-statements", StatementViewSet, basename="receivables-statement")
    router.register("collection-notes", CollectionNoteViewSet, basename="collection-note")
    router.register("write-offs", WriteOffViewSet, basename="write-off")
