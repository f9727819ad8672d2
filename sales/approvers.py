"""Who must act on a quote or contract now (reads only): the approvers a submission waits for, named on the
submitter's page and notified by the handoff events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Role, User
from sales.models import ApprovalDecision, ApproverRole, Contract, Quote
from sales.permissions import round_approvals


def _active() -> Q:
    return Q(is_active=True)


def unit_managers(unit_id: int, *, exclude: int | None = None) -> list[User]:
    """The managers who lead the unit (its manager, and managers belonging to it)."""
    qs = User.objects.filter(_active(), role=Role.MANAGER).filter(Q(managed_units=unit_id) | Q(unit_id=unit_id))
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.distinct().order_by("id"))


def gm_office_users(*, exclude: int | None = None) -> list[User]:
    qs = User.objects.filter(_active(), role=Role.GM_OFFICE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("id"))


@dataclass(frozen=True)
class Waiting:
    """One step a document waits for: the people who may take it and the role they act in."""

    role: str
    people: tuple[User, ...]

    @property
    def label(self) -> str:
        if self.role == ApproverRole.GM_OFFICE:
            return _("the GM office")
        names = ", ".join(p.get_full_name() for p in self.people) or "—"
        return _("%(names)s (department manager)") % {"names": names}


def quote_waiting_for(quote: Quote) -> list[Waiting]:
    return [Waiting(ApproverRole.MANAGER, tuple(unit_managers(quote.unit_id, exclude=quote.owner_id)))]


def contract_waiting_for(contract: Contract) -> list[Waiting]:
    """The pending steps of the current review round, each with who may decide it."""
    steps = []
    for approval in sorted(round_approvals(contract), key=lambda a: a.approver_role != ApproverRole.MANAGER):
        if approval.decision != ApprovalDecision.PENDING:
            continue
        if approval.approver_role == ApproverRole.MANAGER and not contract.owner.is_manager:
            steps.append(
                Waiting(ApproverRole.MANAGER, tuple(unit_managers(contract.unit_id, exclude=contract.owner_id)))
            )
        else:
            steps.append(Waiting(ApproverRole.GM_OFFICE, tuple(gm_office_users(exclude=contract.owner_id))))
    merged: dict[str, Waiting] = {}
    for step in steps:
        merged.setdefault(step.role, step)
    return list(merged.values())


def waiting_label(steps: list[Waiting]) -> str:
    """“陳經理 (department manager) and the GM office”."""
    labels = [s.label for s in steps]
    if not labels:
        return ""
    if len(labels) == 1:
        return labels[0]
    return _("%(first)s and %(second)s") % {"first": ", ".join(labels[:-1]), "second": labels[-1]}


def recipients(steps: list[Waiting]) -> list[User]:
    seen: dict[int, User] = {}
    for step in steps:
        for person in step.people:
            seen.setdefault(person.pk, person)
    return list(seen.values())
