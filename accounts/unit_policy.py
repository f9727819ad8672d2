"""Unit rules (各單位制訂實施細則,報集團總裁核准): one machinery for every policy a unit may set for itself.

A unit policy is a row of nullable overrides of a company-wide policy (sales thresholds, commission rates, the
daily-report cut-off…), with an effective date. Its unit's manager (or an admin) proposes it; the GM office,
on the group president's behalf, approves it (in force from `effective_from`) or rejects it with a reason (never in
force). The approved row in force on a day is the latest approved `effective_from` not after that day, and each of
its values that is not empty wins over the company's.

Each app declares its own concrete model (`sales.UnitSalesPolicy`, `commission.UnitCommissionPolicy`,
`reports.UnitReportPolicy`) on `UnitPolicy`, its workflow table with `unit_policy_workflow` and calls `propose`,
`approve` and `reject` from its services; the GM office's inbox, the handoff notifications and the pages
(`accounts.unit_policy_views`) are the same for all of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.models import TimeStampedModel
from core.workflow import Workflow, decision_pair

PROPOSED, APPROVED, REJECTED = "proposed", "approved", "rejected"
STATES = (PROPOSED, APPROVED, REJECTED)  # the API's enum of a unit policy's state


class UnitPolicyQuerySet(models.QuerySet):
    def approved(self) -> UnitPolicyQuerySet:
        return self.filter(approved_at__isnull=False)

    def proposed(self) -> UnitPolicyQuerySet:
        return self.filter(approved_at__isnull=True, rejected_at__isnull=True)

    def in_force(self, *, unit_id: int | None, on: dt.date) -> Any:
        """The unit's approved row in force on `on`, or None (one query)."""
        if unit_id is None:
            return None
        return (
            self.approved().filter(unit_id=unit_id, effective_from__lte=on).order_by("-effective_from", "-id").first()
        )


class UnitPolicy(TimeStampedModel):
    """The common part of a unit's policy row: unit, date, who proposed it and the GM office's decision."""

    # The names of the nullable override fields of the concrete model, in the order pages show them.
    OVERRIDES: ClassVar[tuple[str, ...]] = ()

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=gettext_lazy("sales unit"), on_delete=models.PROTECT, related_name="+"
    )
    effective_from = models.DateField(gettext_lazy("effective from"), db_index=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("set by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(gettext_lazy("approved at"), null=True, blank=True)
    rejected_at = models.DateTimeField(gettext_lazy("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(gettext_lazy("rejection reason"), blank=True)

    objects = UnitPolicyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["unit", "-effective_from", "-id"]

    @property
    def state(self) -> str:
        """proposed → approved (in force from effective_from) or rejected (never in force)."""
        if self.approved_at:
            return APPROVED
        if self.rejected_at:
            return REJECTED
        return PROPOSED

    def overrides(self) -> dict[str, Any]:
        """The values this unit sets (the empty ones keep the company's)."""
        return {name: getattr(self, name) for name in self.OVERRIDES if getattr(self, name) is not None}


def approval_constraint(name: str) -> models.CheckConstraint:
    """An approved row names its approver and the moment, or neither."""
    return models.CheckConstraint(
        condition=(models.Q(approved_by__isnull=True) & models.Q(approved_at__isnull=True))
        | (models.Q(approved_by__isnull=False) & models.Q(approved_at__isnull=False)),
        name=name,
    )


def overlay(company: Any, unit: UnitPolicy | None, names: tuple[str, ...]) -> dict[str, Any]:
    """`names` read from the unit's row where it sets them, else from the company's policy."""
    values = unit.overrides() if unit is not None else {}
    return {name: values[name] if name in values else getattr(company, name) for name in names}


# --- who may ---------------------------------------------------------------------------------------------------


def may_view(user: Any) -> bool:
    """Who has the units' rules at all (the pages, the API): managers, admins and the GM office."""
    return bool(user.is_authenticated and (user.is_manager or user.is_admin_role or user.is_gm_office))


def may_propose_any(user: Any) -> bool:
    """Who writes units' rules (for some unit): admins and managers."""
    return bool(user.is_authenticated and (user.is_admin_role or user.is_manager))


def proposable_units(qs: Any, user: Any) -> Any:
    """The units `user` may propose rules for (a SalesUnit queryset): every unit for an admin, a manager's team's."""
    if user.is_admin_role:
        return qs
    if user.is_manager:
        return qs.filter(pk__in=user.team_unit_ids)
    return qs.none()


def may_propose(actor: Any, unit_id: int) -> bool:
    """A unit's own rules are written by its manager or an admin."""
    return bool(actor.is_admin_role or (actor.is_manager and unit_id in actor.team_unit_ids))


def may_decide(user: Any, policy: UnitPolicy) -> bool:
    """The GM office decides a unit's rules on the group president's behalf, never its own proposal."""
    return bool(user.is_gm_office and user.pk != policy.set_by_id)


def visible_to(qs: UnitPolicyQuerySet, user: Any) -> UnitPolicyQuerySet:
    """Company-wide roles see every unit's rules; a manager their team's units'; anyone else none."""
    if user.is_company_wide:
        return qs
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    return qs.none()


def awaiting(qs: UnitPolicyQuerySet, user: Any) -> UnitPolicyQuerySet:
    """Proposals waiting for this user's decision: the GM office's, except its own."""
    if not user.is_gm_office:
        return qs.none()
    return qs.proposed().exclude(set_by=user)


def unit_policy_workflow(document: str) -> Workflow:
    """The workflow table of a unit policy: proposed → approved / rejected by the GM office."""
    return Workflow(
        document=document,
        state=lambda policy: policy.state,
        transitions=decision_pair(
            frozenset({PROPOSED}),
            APPROVED,
            REJECTED,
            may_decide,
            denied=gettext_lazy("Only the GM office approves a unit's rules."),
            wrong_state=gettext_lazy("These rules are already decided."),
            state_code="decided",
        ),
    )


# --- writes (called by each app's services) -------------------------------------------------------------------


def gm_office_users(*, exclude: int | None = None) -> list[Any]:
    from accounts.models import Role, User

    qs = User.objects.filter(is_active=True, role=Role.GM_OFFICE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("id"))


def _publish(workflow: Workflow, policy: UnitPolicy, action: str, actor: Any, *, recipients, url: str, note: str = ""):
    events.publish(
        document=workflow.document,
        document_id=policy.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "unit": policy.unit.name,
            "actor": actor.get_full_name(),
            "effective_from": policy.effective_from.isoformat(),
            "url": url,
        },
    )


def clean_values(model: type[UnitPolicy], values: dict[str, Any]) -> dict[str, Any]:
    """The override values checked by the model's fields (type, range): a clear error naming the field."""
    values = dict(values)
    out: dict[str, Any] = {}
    for name in model.OVERRIDES:
        value = values.pop(name, None)
        if value in (None, ""):
            out[name] = None
            continue
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            out[name] = field.clean(value, None)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field=name, code="invalid") from exc
    if values:
        raise ApplicationError(_("Unknown setting."), field=next(iter(values)), code="unknown")
    return out


@transaction.atomic
def propose(
    model: type[UnitPolicy],
    workflow: Workflow,
    *,
    actor: Any,
    unit: Any,
    effective_from: dt.date,
    values: dict[str, Any],
    url: str,
) -> Any:
    """A unit's own values of a policy from a date; not in force until the GM office approves them. The GM office
    is notified (in each reader's language) and finds the proposal in its inbox."""
    if not may_propose(actor, unit.pk):
        raise PermissionDenied(_("Only the unit's manager or an admin may set the unit's rules."), field="unit")
    if effective_from is None:
        raise ApplicationError(_("This field is required."), field="effective_from", code="required")
    row = model(unit=unit, effective_from=effective_from, set_by=actor, **clean_values(model, values))
    row.save()
    _publish(workflow, row, "proposed", actor, recipients=gm_office_users(exclude=actor.pk), url=url)
    return row


@transaction.atomic
def approve(workflow: Workflow, *, actor: Any, policy: UnitPolicy, url: str) -> Any:
    """The GM office approves a unit's rules on the group president's behalf; in force from their date."""
    policy = type(policy).objects.select_for_update().select_related("unit").get(pk=policy.pk)
    workflow.check(actor, policy, "approve")
    policy.approved_by = actor
    policy.approved_at = timezone.now()
    policy.save(update_fields=["approved_by", "approved_at", "updated_at"])
    _publish(workflow, policy, "approved", actor, recipients=[policy.set_by_id], url=url)
    return policy


@transaction.atomic
def reject(workflow: Workflow, *, actor: Any, policy: UnitPolicy, reason: str, url: str) -> Any:
    """The GM office sends the unit's rules back with a reason; they never take effect (a new proposal may)."""
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason for the rejection."), field="reason", code="required")
    policy = type(policy).objects.select_for_update().select_related("unit").get(pk=policy.pk)
    workflow.check(actor, policy, "reject")
    policy.rejected_at = timezone.now()
    policy.rejection_reason = reason.strip()
    policy.save(update_fields=["rejected_at", "rejection_reason", "updated_at"])
    _publish(workflow, policy, "rejected", actor, recipients=[policy.set_by_id], note=policy.rejection_reason, url=url)
    return policy
