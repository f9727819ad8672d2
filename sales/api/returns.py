"""Returns (退貨) recorded against a contract's shipped lines; the unit's manager approves or rejects them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import validated
from sales import workflows
from sales.models import Contract, SalesReturn
from sales.services.returns import return_decide, return_record


class SalesReturnOutputSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number")
    product = serializers.CharField(source="contract_line.product.code")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SalesReturn
        fields = [
            "id",
            "contract",
            "contract_number",
            "contract_line",
            "product",
            "quantity",
            "amount",
            "reason",
            "returned_on",
            "status",
            "requested_by",
            "decided_by",
            "decided_on",
            "decision_note",
            "actions",
        ]

    def get_actions(self, obj) -> list[str]:
        return workflows.SALES_RETURN.action_names(self.context["request"].user, obj)


class SalesReturnInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(min_value=1, max_value=2**31)
    contract_line = serializers.IntegerField(min_value=1, max_value=2**31)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    returned_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class SalesReturnDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SalesReturnViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Returns of the contracts the user sees; another's contract is a 404."""

    serializer_class = SalesReturnOutputSerializer
    filterset_fields = ["status", "contract"]

    def get_queryset(self):
        return (
            SalesReturn.objects.visible_to(self.request.user)
            .select_related("contract", "contract_line__product")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=SalesReturnInputSerializer, responses={201: SalesReturnOutputSerializer})
    def create(self, request, *args, **kwargs):
        v = dict(validated(SalesReturnInputSerializer, request.data))
        contract = Contract.objects.visible_to(request.user).filter(pk=v.pop("contract")).first()
        if contract is None:
            raise NotFound()
        sales_return = return_record(actor=request.user, contract=contract, **v)
        return Response(
            SalesReturnOutputSerializer(sales_return, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def _decide(self, request, verb: str):
        sales_return = self.get_object()
        note = validated(SalesReturnDecisionInputSerializer, request.data)["note"]
        sales_return = return_decide(actor=request.user, sales_return=sales_return, action=verb, note=note)
        return Response(SalesReturnOutputSerializer(sales_return, context={"request": request}).data)

    @extend_schema(request=SalesReturnDecisionInputSerializer, responses=SalesReturnOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, "approve")

    @extend_schema(request=SalesReturnDecisionInputSerializer, responses=SalesReturnOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, "reject")
