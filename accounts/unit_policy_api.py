"""The API of the units' own rules (實施細則), shared by the apps whose policy a unit may set (commission, reports),
as `unit_policy_views` shares their pages: the same people, the same refusals, the same history.

- Read: whoever has the pages (`unit_policy.may_view`: managers their team's units, admins and the GM office every
  unit); anyone else gets 403 on every route. Another unit's row answers 404, exactly as a missing id.
- Write: a proposal (POST) is a new row, never an edit: the page keeps every row as the unit's history, so the API
  has no PUT, PATCH or DELETE. Its unit's manager or an admin proposes (a unit outside their reach is refused as a
  unit that does not exist, 400 naming `unit`); the GM office approves or rejects with a reason (`approve`,
  `reject`), through the app's own services.

Each app subclasses `UnitPolicyViewSet` in its api module with its output and input serializers and services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import validated
from core.exceptions import PermissionDenied

from .models import SalesUnit
from .unit_policy import (
    STATES,
    UnitPolicy,
    may_propose_any,
    may_view,
    proposable_units,
    visible_to,
)

# The fields every unit policy shows, around the app's own overrides (`OVERRIDES`, between the date and set_by).
HEAD_FIELDS = ["id", "unit", "unit_name", "effective_from"]
TAIL_FIELDS = [
    "set_by",
    "set_by_name",
    "state",
    "approved_by",
    "approved_at",
    "rejected_at",
    "rejection_reason",
    "created_at",
    "actions",
]


class UnitPolicyOutputSerializer(serializers.ModelSerializer):
    """A unit's rules row; `actions` are what the caller may do with it now (approve, reject)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    set_by_name = serializers.CharField(source="set_by.get_full_name", read_only=True)
    state = serializers.ChoiceField(choices=STATES, read_only=True)
    actions = serializers.SerializerMethodField()

    workflow: ClassVar[Any] = None  # the app's unit-policy workflow table

    def get_actions(self, obj) -> list[str]:
        return list(self.workflow.action_names(self.context["request"].user, obj))


class ProposableUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the caller may propose rules for; any other id answers as a unit that does not exist."""

    def get_queryset(self):
        return proposable_units(SalesUnit.objects.all(), self.context["request"].user)


class UnitPolicyInputSerializer(serializers.Serializer):
    """The unit and the date; each app's subclass adds its overrides (all optional: empty keeps the company's)."""

    unit = ProposableUnitField(queryset=SalesUnit.objects.all())
    effective_from = serializers.DateField()


class UnitPolicyRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class UnitPolicyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List, read, propose, approve and reject a unit's rules (each app sets the class attributes)."""

    model: ClassVar[type[UnitPolicy]]
    output_serializer: ClassVar[type[UnitPolicyOutputSerializer]]
    input_serializer: ClassVar[type[UnitPolicyInputSerializer]]
    propose: ClassVar[Callable[..., Any]]
    approve_service: ClassVar[Callable[..., Any]]
    reject_service: ClassVar[Callable[..., Any]]

    filterset_fields = ["unit", "effective_from"]
    ordering_fields = ["effective_from", "created_at"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not may_view(request.user):
            raise PermissionDenied(_("Only managers, admins and the GM office see the units' rules."))

    def get_queryset(self):
        qs = self.model.objects.select_related("unit", "set_by").order_by("unit__code", "-effective_from", "-id")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return visible_to(qs, self.request.user)

    def get_serializer_class(self):
        return self.input_serializer if self.action == "create" else self.output_serializer

    def _answer(self, row, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.output_serializer(row, context={"request": self.request}).data, status=code)

    def create(self, request, *args, **kwargs):
        if not may_propose_any(request.user):
            raise PermissionDenied(_("Only the unit's manager or an admin may set the unit's rules."))
        data = dict(validated(self.input_serializer, request.data, request=request))
        row = type(self).propose(actor=request.user, **data)
        return self._answer(self.get_queryset().get(pk=row.pk), status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        row = type(self).approve_service(actor=request.user, policy=self.get_object())
        return self._answer(row)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        target = self.get_object()  # another unit's id is a 404 before its input is judged
        data = validated(UnitPolicyRejectInputSerializer, request.data)
        row = type(self).reject_service(actor=request.user, policy=target, reason=data["reason"])
        return self._answer(row)
