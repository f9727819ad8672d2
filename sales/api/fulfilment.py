"""Shipments, payments and invoices recorded against a contract."""

from __future__ import annotations

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import validated
from sales.models import (
    Contract,
    Invoice,
    Payment,
    PaymentKind,
    Shipment,
)
from sales.services.fulfilment import ShipInput, invoice_create, payment_record, shipment_create


def _visible_contracts(request):
    return Contract.objects.visible_to(request.user)


class ShipmentOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")

    class Meta:
        model = Shipment
        fields = ["id", "contract", "contract_number", "shipped_on", "amount", "note", "created_at"]


class ShipLineInputSerializer(serializers.Serializer):
    contract_line = serializers.IntegerField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)


class ShipmentInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    shipped_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ShipLineInputSerializer(many=True, required=False)


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
        return ShipmentInputSerializer if self.action == "create" else ShipmentOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(ShipmentInputSerializer, request.data)
        v = data
        contract = _contract_or_400(request, v["contract"])
        lines = None
        if v.get("lines"):
            by_id = {ln.pk: ln for ln in contract.lines.select_related("product")}
            lines = []
            for item in v["lines"]:
                if item["contract_line"] not in by_id:
                    raise serializers.ValidationError({"lines": ["A line does not belong to this contract."]})
                lines.append(ShipInput(contract_line=by_id[item["contract_line"]], quantity=item["quantity"]))
        shipment = shipment_create(
            actor=request.user, contract=contract, shipped_on=v["shipped_on"], lines=lines, note=v["note"]
        )
        return Response(ShipmentOutputSerializer(shipment).data, status=status.HTTP_201_CREATED)


class PaymentOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name")

    class Meta:
        model = Payment
        fields = ["id", "contract", "contract_number", "paid_on", "amount", "kind", "reference", "recorded_by_name"]


class PaymentInputSerializer(serializers.Serializer):
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
        return PaymentInputSerializer if self.action == "create" else PaymentOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(PaymentInputSerializer, request.data)
        v = dict(data)
        contract = _contract_or_400(request, v.pop("contract"))
        payment = payment_record(actor=request.user, contract=contract, **v)
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)


class InvoiceOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")

    class Meta:
        model = Invoice
        fields = ["id", "contract", "contract_number", "number", "issued_on", "amount"]


class InvoiceInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    number = serializers.CharField(max_length=32)
    issued_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_fields = ["contract"]

    def get_queryset(self):
        return Invoice.objects.visible_to(self.request.user).select_related("contract").order_by("-issued_on", "-id")

    def get_serializer_class(self):
        return InvoiceInputSerializer if self.action == "create" else InvoiceOutputSerializer

    def create(self, request, *args, **kwargs):
        data = validated(InvoiceInputSerializer, request.data)
        v = dict(data)
        contract = _contract_or_400(request, v.pop("contract"))
        invoice = invoice_create(actor=request.user, contract=contract, **v)
        return Response(InvoiceOutputSerializer(invoice).data, status=status.HTTP_201_CREATED)
