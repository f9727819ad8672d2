"""Care writes: check-ups scheduled after deliveries and recorded, cases opened, worked, handed over, escalated and
closed, the customers' lifecycle kept up to date, referrals and gatherings. Every handoff is an event (core.events)
that notifies the person who must act next, once, in their language."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.events import publish
from core.exceptions import ApplicationError, PermissionDenied
from core.numbering import next_number
from customers.models import Customer, CustomerStatus
from customers.rules import MEMBERSHIP_LAPSED
from customers.selectors import member_level_of, membership_state
from sales.models import SOLD_STATUSES, Contract, Shipment

from . import rules
from .models import (
    Case,
    CaseSeverity,
    CaseStatus,
    Checkup,
    CheckupCadence,
    CustomerLifecycle,
    Gathering,
    GatheringGuest,
    LifecycleTransition,
    Referral,
)
from .permissions import can_reassign_case, can_record_checkup
from .selectors import care_policy
from .workflows import CASE

SCHEDULE_WINDOW_DAYS = 120  # deliveries older than this get no new check-ups (the longest default cadence is 90)


# --- check-ups --------------------------------------------------------------------------------------------------


def _level_days(customer: Customer, today: dt.date) -> list[int]:
    level = member_level_of(customer, on=today)
    return list(level.checkup_days) if level else []


def _cadence_tier(customer: Customer, today: dt.date) -> str:
    """A lapsed member is checked on like an ordinary customer until the membership is renewed."""
    lapsed = membership_state(customer, today=today) == MEMBERSHIP_LAPSED
    return "ordinary" if lapsed else customer.tier


def checkups_schedule(*, today: dt.date | None = None) -> int:
    """Create the check-ups of recent deliveries (idempotent: one per delivery and offset). Returns how many."""
    today = today or timezone.localdate()
    policy = care_policy(today)
    cadences: dict[tuple[str, str], list[int]] = {}
    for c in CheckupCadence.objects.all():
        cadences[(c.category, c.tier)] = list(c.days)
    recent = (
        Shipment.objects.filter(shipped_on__gte=today - dt.timedelta(days=SCHEDULE_WINDOW_DAYS), shipped_on__lte=today)
        .filter(contract__customer__owner__isnull=False)
        .select_related("contract__customer__member_level")
        .prefetch_related("lines__contract_line__product")
    )
    shipments = list(recent)
    existing = set(
        Checkup.objects.filter(shipment__in=[s.pk for s in shipments]).values_list("shipment_id", "offset_days")
    )
    rows = []
    for shipment in shipments:
        customer = shipment.contract.customer
        categories = {line.contract_line.product.category for line in shipment.lines.all()}
        offsets = rules.checkup_offsets(
            tier=_cadence_tier(customer, today),
            categories=categories,
            cadences=cadences,
            member_days=policy.member_checkup_days,
            ordinary_days=policy.ordinary_checkup_days,
            level_days=_level_days(customer, today),
        )
        for days in offsets:
            if (shipment.pk, days) in existing:
                continue
            rows.append(
                Checkup(
                    customer=customer,
                    shipment=shipment,
                    offset_days=days,
                    due_on=shipment.shipped_on + dt.timedelta(days=days),
                    owner_id=customer.owner_id,
                )
            )
    Checkup.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)  # a concurrent run: the unique key wins
    return len(rows)


@transaction.atomic
def checkup_record(*, checkup: Checkup, actor: User, score: int, usage_notes: str = "", follow_up: str = "") -> Checkup:
    """Record how the customer is doing; a low score opens a complaint case for the owner at once."""
    checkup = (
        Checkup.objects.select_for_update(of=("self",))
        .select_related("customer", "shipment__contract")
        .get(pk=checkup.pk)
    )
    if not can_record_checkup(actor, checkup):
        raise PermissionDenied(_("Only the customer's salesperson or their manager records this check-up."))
    if checkup.done_at is not None:
        raise ApplicationError(_("This check-up has already been recorded."), field="score", code="done")
    if score not in range(1, 6):
        raise ApplicationError(_("Give a score from 1 to 5."), field="score", code="range")
    checkup.score = score
    checkup.usage_notes = usage_notes.strip()
    checkup.follow_up = follow_up.strip()
    checkup.done_at = timezone.now()
    checkup.done_by = actor
    checkup.save()
    policy = care_policy(timezone.localdate())
    if rules.opens_case(score, low_score=policy.low_score):
        case_open(
            customer=checkup.customer,
            actor=actor,
            kind="complaint",
            severity=CaseSeverity.HIGH,
            subject=_("Low satisfaction score (%(score)s/5) at the check-up") % {"score": score},
            description=checkup.usage_notes,
            contract=checkup.shipment.contract,
            checkup=checkup,
        )
    return checkup


# --- cases ------------------------------------------------------------------------------------------------------


def _case_number(today: dt.date) -> str:
    return next_number(prefix=f"CS{today:%Y}-", model=Case)


def _data(case: Case, **extra: object) -> dict:
    return {
        "number": case.number,
        "customer": case.customer.short_name or case.customer.name,
        "subject": case.subject,
        "url": f"/care/cases/{case.pk}/",
        **extra,
    }


def _manager_of(case: Case) -> User | None:
    unit = case.customer.unit
    return unit.manager if unit is not None and unit.manager_id else None


def _due_percent(customer: Customer) -> int:
    level = member_level_of(customer)
    return level.case_due_percent if level else 100


@transaction.atomic
def case_open(
    *,
    customer: Customer,
    actor: User,
    kind: str,
    severity: str,
    subject: str,
    description: str = "",
    contract: Contract | None = None,
    checkup: Checkup | None = None,
) -> Case:
    """Open a case owned by the customer's salesperson (the opener when the customer has none)."""
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You cannot open a case for this customer."))
    if kind not in {"complaint", "question", "return"}:
        raise ApplicationError(_("Choose complaint, question or return."), field="kind", code="invalid")
    if severity not in CaseSeverity.values:
        raise ApplicationError(_("Choose a severity."), field="severity", code="invalid")
    subject = (subject or "").strip()
    if not subject:
        raise ApplicationError(_("Say in a few words what the case is about."), field="subject", code="required")
    if contract is not None and contract.customer_id != customer.pk:
        raise ApplicationError(_("The contract is not this customer's."), field="contract", code="mismatch")
    now = timezone.now()
    policy = care_policy(timezone.localdate())
    hours = {
        "urgent": policy.urgent_hours,
        "high": policy.high_hours,
        "normal": policy.normal_hours,
        "low": policy.low_hours,
    }
    case = Case.objects.create(
        number=_case_number(timezone.localdate()),
        customer=customer,
        contract=contract,
        kind=kind,
        severity=severity,
        subject=subject[:200],
        description=(description or "").strip(),
        owner_id=customer.owner_id or actor.pk,
        opened_by=actor,
        due_at=rules.case_due_at(now, severity=severity, hours=hours, due_percent=_due_percent(customer)),
        checkup=checkup,
    )
    publish(
        document=CASE.document,
        document_id=case.pk,
        action="opened",
        actor=actor,
        recipients=[case.owner_id],
        data=_data(case, due=f"{timezone.localtime(case.due_at):%Y-%m-%d %H:%M}"),
    )
    return case


@transaction.atomic
def case_act(*, case: Case, actor: User, action: str, note: str = "") -> Case:
    """Take a workflow action on a case (start, resolve, confirm, reopen), guarded by the CASE table."""
    case = Case.objects.select_for_update(of=("self",)).select_related("customer__unit").get(pk=case.pk)
    transition = CASE.check(actor, case, action)
    note = (note or "").strip()
    if transition.needs_reason and not note:
        field = "resolution" if action == "resolve" else "note"
        raise ApplicationError(_("Write what was done or why."), field=field, code="required")
    case.status = transition.target
    now = timezone.now()
    if action == "resolve":
        case.resolution = note
        case.resolved_at = now
    elif action == "confirm":
        case.confirmed_at = now
    elif action == "reopen":
        case.resolved_at = None
    case.save()
    recipients: list[int] = []
    if action in {"resolve", "confirm"} and case.opened_by_id != case.owner_id:
        recipients.append(case.opened_by_id)
    if action == "reopen":
        recipients.append(case.owner_id)
    publish(
        document=CASE.document,
        document_id=case.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data=_data(case),
    )
    return case


@transaction.atomic
def case_reassign(*, case: Case, actor: User, to: User, note: str) -> Case:
    """Hand the case to a named colleague (the rule: introduce the colleague yourself, never push the customer to
    another department): a reason is required and the colleague is told at once."""
    case = Case.objects.select_for_update(of=("self",)).select_related("customer__unit").get(pk=case.pk)
    if not can_reassign_case(actor, case):
        raise PermissionDenied(_("Only the case's owner or their manager can hand it over."))
    if case.status == CaseStatus.CLOSED:
        raise ApplicationError(_("A closed case cannot be handed over."), field="status", code="state")
    if not to.is_active or to.pk == case.owner_id:
        raise ApplicationError(
            _("Choose an active colleague other than the present owner."), field="to", code="invalid"
        )
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write why and what the colleague should know."), field="note", code="required")
    old = case.owner
    case.owner = to
    case.save(update_fields=["owner", "updated_at"])
    publish(
        document=CASE.document,
        document_id=case.pk,
        action="reassigned",
        actor=actor,
        recipients=[to.pk, old.pk],
        note=note,
        data=_data(case, old_owner=str(old), new_owner=str(to)),
    )
    return case


def cases_escalate(*, now: dt.datetime | None = None) -> int:
    """Overdue unresolved cases go to the unit's manager, once each. Returns how many were escalated."""
    now = now or timezone.now()
    count = 0
    due = Case.objects.filter(
        status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS], escalated_at__isnull=True, due_at__lt=now
    )
    for pk in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("customer__unit__manager", "owner")
                .filter(pk=pk)
                .first()
            )
            if case is None or not rules.must_escalate(
                status=case.status, due_at=case.due_at, escalated=case.escalated_at is not None, now=now
            ):
                continue
            case.escalated_at = now
            case.save(update_fields=["escalated_at", "updated_at"])
            manager = _manager_of(case)
            recipients = (
                [manager.pk]
                if manager
                else list(User.objects.filter(role="gm_office", is_active=True).values_list("pk", flat=True))
            )
            publish(
                document=CASE.document,
                document_id=case.pk,
                action="escalated",
                actor=None,
                recipients=recipients,
                data=_data(case, owner=str(case.owner), due=f"{timezone.localtime(case.due_at):%Y-%m-%d %H:%M}"),
            )
            count += 1
    return count


# --- lifecycle --------------------------------------------------------------------------------------------------


def _expected_reorder(dates: list[dt.date]) -> dt.date | None:
    """The next order expected from the customer's own rhythm: last order + median gap between orders."""
    if len(dates) < 2:
        return None
    gaps = [(b - a).days for a, b in itertools.pairwise(dates) if (b - a).days > 0]
    if not gaps:
        return None
    return dates[-1] + dt.timedelta(days=int(statistics.median(gaps)))


def lifecycle_refresh(*, today: dt.date | None = None) -> dict[str, int]:
    """Recompute every customer's stage; log each change. Returns the number of changes per new stage."""
    today = today or timezone.localdate()
    policy = care_policy(today)
    sales: dict[int, list[dt.date]] = defaultdict(list)
    rows = (
        Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__isnull=False, signed_on__lte=today)
        .order_by("customer_id", "signed_on")
        .values_list("customer_id", "signed_on")
    )
    for customer_id, signed_on in rows.iterator(chunk_size=5000):
        if not sales[customer_id] or sales[customer_id][-1] != signed_on:
            sales[customer_id].append(signed_on)
    current = dict(CustomerLifecycle.objects.values_list("customer_id", "stage"))
    changes: dict[str, int] = defaultdict(int)
    for customer_id in Customer.objects.values_list("pk", flat=True).iterator(chunk_size=5000):
        dates = sales.get(customer_id, [])
        stage, since = rules.lifecycle_stage(
            first_sale_on=dates[0] if dates else None,
            last_sale_on=dates[-1] if dates else None,
            expected_reorder_on=_expected_reorder(dates),
            today=today,
            lapse_margin_days=policy.lapse_margin_days,
            dormant_after_days=policy.dormant_after_days,
        )
        old = current.get(customer_id)
        if old == stage:
            continue
        reason = _stage_reason(stage, dates)
        with transaction.atomic():
            CustomerLifecycle.objects.update_or_create(
                customer_id=customer_id, defaults={"stage": stage, "since": since or today, "reason": reason}
            )
            LifecycleTransition.objects.create(
                customer_id=customer_id, from_stage=old or "", to_stage=stage, on=today, reason=reason
            )
            # The customer card's status follows, except a customer marked lost by hand.
            Customer.objects.filter(pk=customer_id).exclude(status=CustomerStatus.LOST).update(status=stage)
        changes[stage] += 1
    return dict(changes)


def _stage_reason(stage: str, dates: list[dt.date]) -> str:
    if stage == "prospect":
        return "no sale yet"
    expected = _expected_reorder(dates)
    if stage == "active":
        return f"last sale {dates[-1].isoformat()}"
    return f"expected reorder {expected.isoformat() if expected else '?'} missed; last sale {dates[-1].isoformat()}"


# --- referrals --------------------------------------------------------------------------------------------------


@transaction.atomic
def referral_record(*, customer: Customer, referrer: Customer, actor: User, contact_id: int | None = None) -> Referral:
    visible = Customer.objects.visible_to(actor)
    if not visible.filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You cannot change this customer."))
    if referrer.pk == customer.pk:
        raise ApplicationError(_("A customer cannot refer itself."), field="referrer", code="self")
    referral, _created = Referral.objects.update_or_create(
        customer=customer, defaults={"referrer": referrer, "referrer_contact_id": contact_id, "noted_by": actor}
    )
    return referral


# --- customer gatherings ----------------------------------------------------------------------------------------


@transaction.atomic
def gathering_create(
    *, actor: User, title: str, held_on: dt.date, place: str, customers: list[Customer], cost: Decimal | None = None
) -> Gathering:
    """Plan a customer gathering (家庭式小聚會) of the actor's unit with the customers invited."""
    if actor.unit_id is None:
        raise PermissionDenied(_("Only members of a sales unit organise gatherings."))
    if not (title or "").strip():
        raise ApplicationError(_("Give the gathering a title."), field="title", code="required")
    if not (place or "").strip():
        raise ApplicationError(_("Say where it takes place."), field="place", code="required")
    visible = set(
        Customer.objects.visible_to(actor).filter(pk__in=[c.pk for c in customers]).values_list("pk", flat=True)
    )
    if not customers or len(visible) != len({c.pk for c in customers}):
        raise ApplicationError(_("Invite customers you look after."), field="customers", code="invalid")
    if cost is not None and cost < 0:
        raise ApplicationError(_("The cost cannot be negative."), field="cost", code="negative")
    gathering = Gathering.objects.create(
        title=title.strip()[:200],
        held_on=held_on,
        place=place.strip()[:200],
        unit_id=actor.unit_id,
        owner=actor,
        cost=cost or Decimal("0"),
    )
    GatheringGuest.objects.bulk_create([GatheringGuest(gathering=gathering, customer_id=pk) for pk in sorted(visible)])
    return gathering


@transaction.atomic
def gathering_record(
    *, gathering: Gathering, actor: User, attended: set[int], outcome: str, notes: dict[int, str]
) -> Gathering:
    """Record who came and what came of it. Each guest who came gets a visit in their contact log (written by the
    customers app when it hears the event) and their salesperson is told, once."""
    gathering = Gathering.objects.select_for_update().get(pk=gathering.pk)
    if not (gathering.owner_id == actor.pk or (actor.is_manager and gathering.unit_id in actor.team_unit_ids)):
        raise PermissionDenied(_("Only the organiser or their manager records the gathering."))
    if gathering.held_on > timezone.localdate():
        raise ApplicationError(_("Attendance is recorded after the gathering."), field="attended", code="future")
    gathering.outcome = (outcome or "").strip()
    gathering.save(update_fields=["outcome", "updated_at"])
    guests = list(
        GatheringGuest.objects.select_for_update(of=("self",)).filter(gathering=gathering).select_related("customer")
    )
    for guest in guests:
        came = guest.customer_id in attended
        first_time = came and guest.attended is not True
        guest.attended = came
        guest.notes = (notes.get(guest.customer_id) or "").strip()[:500]
        guest.save(update_fields=["attended", "notes"])
        if first_time:
            publish(
                document="care.gathering",
                document_id=gathering.pk,
                action="attended",
                actor=actor,
                recipients=[guest.customer.owner_id] if guest.customer.owner_id else [],
                note=guest.notes,
                data={
                    "customer_id": guest.customer_id,
                    "customer": guest.customer.short_name or guest.customer.name,
                    "title": gathering.title,
                    "held_on": gathering.held_on.isoformat(),
                    "url": f"/care/gatherings/{gathering.pk}/",
                },
            )
    return gathering
