"""Lessons (成功的經驗…推廣): a manager publishes a successful case for the unit; each reader is counted once."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import SalesUnit, User
from core.exceptions import ApplicationError, PermissionDenied
from customers.models import Customer
from sales.models import Contract

from ..models import Lesson, LessonRead


@transaction.atomic
def lesson_publish(
    *,
    actor: User,
    unit: SalesUnit,
    title: str,
    body: str,
    customer: Customer | None = None,
    contract: Contract | None = None,
) -> Lesson:
    """Publish a lesson for one of the manager's units; the customer and contract must be ones the manager sees."""
    if not (actor.is_manager and unit.pk in actor.team_unit_ids):
        raise PermissionDenied(_("Only the unit's manager can publish a lesson."))
    if not title.strip():
        raise ApplicationError(_("Give the lesson a title."), field="title", code="required")
    if not body.strip():
        raise ApplicationError(_("Write what worked."), field="body", code="required")
    if customer is not None and not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ApplicationError(_("Choose one of your team's customers."), field="customer")
    if contract is not None:
        if not Contract.objects.visible_to(actor).filter(pk=contract.pk).exists():
            raise ApplicationError(_("Choose one of your team's contracts."), field="contract")
        if customer is not None and contract.customer_id != customer.pk:
            raise ApplicationError(_("The contract is not this customer's."), field="contract")
        customer = customer or contract.customer
    return Lesson.objects.create(
        unit=unit, author=actor, title=title.strip(), body=body.strip(), customer=customer, contract=contract
    )


def lesson_mark_read(*, reader: User, lesson: Lesson) -> bool:
    """Count `reader` once (True the first time); the author's own reads are not counted."""
    if reader.pk == lesson.author_id:
        return False
    _read, created = LessonRead.objects.get_or_create(lesson=lesson, reader=reader)
    return created
