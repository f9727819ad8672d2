"""Every write of the customers app. Keyword-only, typed, atomic; read-then-write takes row locks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import SalesUnit, User
from core import events, timeline
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from core.periods import add_months, month_start

from . import permissions, workflows
from . import timeline as customer_timeline
from .fields import CARD_FIELDS, CREDIT_FIELDS, IDENTITY_FIELDS, STRATEGY_FIELDS
from .identity import identity_keys, phone_digits, phonetic_tokens, search_key
from .models import (
    ConflictStatus,
    Contact,
    ContactKind,
    ContactLog,
    Customer,
    CustomerConflict,
    CustomerIdentity,
    CustomerStatus,
    CustomerStrategy,
    CustomerTier,
    IdentityKind,
    MemberLevel,
    MonthlyEvaluation,
    MonthlyFiling,
    ObjectionTag,
    OwnershipEvent,
    OwnershipEventKind,
    SignalTag,
)
from .selectors import pool_policy_for


class RegistrationRefused(ApplicationError):
    """The customer is already registered (先入為主). `conflict` is the recorded conflict, if one was recorded."""

    def __init__(self, message: str, *, code: str, field: str, holder: Customer, conflict: CustomerConflict | None):
        extra: dict[str, Any] = {"matched_on": field}
        if conflict is not None:
            extra["conflict_id"] = conflict.pk
        super().__init__(message, field=_field_for_kind(field), code=code, extra=extra)
        self.holder = holder
        self.conflict = conflict
        self.matched_on = field


def _field_for_kind(kind: str) -> str:
    return {IdentityKind.TAX: "tax_id", IdentityKind.NAME: "name", IdentityKind.PHONE: "phone"}.get(kind, kind)


# ---------------------------------------------------------------------------------------------------------------
# Registration (備案) and conflicts (碰車)


def _clean_card(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    unknown = set(data) - set(CARD_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    out = dict(data)
    for key in ("name", "short_name", "tax_id", "email", "address", "delivery_address", "region", "industry", "source"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if not partial or "name" in out:
        if not out.get("name"):
            raise ApplicationError(_("The legal name is required."), field="name", code="required")
    if "phone" in out:
        raw = out["phone"]
        out["phone"] = "" if not raw else str(raw).strip()
        if out["phone"]:
            from phonenumber_field.phonenumber import to_python

            parsed = to_python(out["phone"])
            if parsed is None or not parsed.is_valid():
                raise ApplicationError(_("Enter a valid phone number."), field="phone", code="invalid_phone")
            out["phone"] = parsed.as_e164
    if "credit_limit" in out:
        try:
            value = round_money(out["credit_limit"] if out["credit_limit"] not in (None, "") else 0)
        except (InvalidOperation, TypeError) as exc:
            raise ApplicationError(_("Enter a valid amount."), field="credit_limit", code="invalid") from exc
        if value < 0:
            raise ApplicationError(_("The credit limit cannot be negative."), field="credit_limit", code="negative")
        out["credit_limit"] = value
    if "status" in out and out["status"] not in CustomerStatus.values:
        raise ApplicationError(_("Unknown status."), field="status", code="invalid")
    if "tier" in out and out["tier"] not in CustomerTier.values:
        raise ApplicationError(_("Unknown tier."), field="tier", code="invalid")
    if out.get("tier", None if partial else CustomerTier.ORDINARY) == CustomerTier.ORDINARY:
        out["member_level"] = None  # only members have a level
    if out.get("member_level") is not None and not isinstance(out["member_level"], MemberLevel):
        key = str(out["member_level"]).strip()  # a level, its id or its name
        level = MemberLevel.objects.filter(Q(name=key) | Q(pk=int(key)) if key.isdigit() else Q(name=key)).first()
        if level is None:
            raise ApplicationError(_("Unknown member level."), field="member_level", code="invalid")
        out["member_level"] = level
    since, renews = out.get("member_since"), out.get("member_renews_on")
    if since and renews and renews < since:
        raise ApplicationError(
            _("The renewal date cannot be before the member-since date."), field="member_renews_on", code="invalid"
        )
    return out


def _holder_of(keys: dict[str, str], *, exclude_customer_id: int | None = None) -> tuple[str, Customer] | None:
    """The customer that already holds one of these keys, by priority tax > name > phone."""
    if not keys:
        return None
    q = Q()
    for kind, key in keys.items():
        q |= Q(kind=kind, key=key)
    rows = CustomerIdentity.objects.filter(q).select_related("customer__owner", "customer__unit")
    if exclude_customer_id:
        rows = rows.exclude(customer_id=exclude_customer_id)
    found = {row.kind: row.customer for row in rows}
    for kind in (IdentityKind.TAX, IdentityKind.NAME, IdentityKind.PHONE):
        if kind in found:
            return kind, found[kind]
    return None


def _owner_label(customer: Customer) -> tuple[str, str, str]:
    owner = customer.owner.get_full_name() if customer.owner else _("the customer pool")
    unit = customer.unit.name if customer.unit else "-"
    since = customer.owned_since or customer.registered_at
    return owner, unit, date_format(timezone.localtime(since), "Y-m-d")


@transaction.atomic
def _record_conflict(
    *, holder: Customer, matched_on: str, claimant: User, name: str, tax_id: str, phone: str, source: str
) -> CustomerConflict:
    return CustomerConflict.objects.create(
        customer=holder,
        claimant=claimant,
        claimant_unit_id=claimant.unit_id,
        owner_at_claim_id=holder.owner_id,
        owner_unit_at_claim_id=holder.unit_id,
        matched_on=matched_on,
        claimed_name=name[:200],
        claimed_tax_id=(tax_id or "")[:32],
        claimed_phone=str(phone or "")[:32],
        source=source,
    )


def _refuse(
    *, matched_on: str, holder: Customer, claimant: User, name: str, tax_id: str, phone: str, source: str
) -> RegistrationRefused:
    """Build the refusal for a claim on a held customer; records a conflict when another owner holds it."""
    owner, unit, since = _owner_label(holder)
    if holder.owner_id is None:
        return RegistrationRefused(
            _("This customer is already in the customer pool (%(name)s); claim it from the pool.")
            % {"name": holder.name},
            code="in_pool",
            field=matched_on,
            holder=holder,
            conflict=None,
        )
    if holder.owner_id == claimant.id:
        return RegistrationRefused(
            _("You already registered this customer: %(name)s, on %(date)s.") % {"name": holder.name, "date": since},
            code="duplicate",
            field=matched_on,
            holder=holder,
            conflict=None,
        )
    conflict = _record_conflict(
        holder=holder, matched_on=matched_on, claimant=claimant, name=name, tax_id=tax_id, phone=phone, source=source
    )
    return RegistrationRefused(
        _("Already registered by %(owner)s, %(unit)s, on %(date)s.") % {"owner": owner, "unit": unit, "date": since},
        code="already_registered",
        field=matched_on,
        holder=holder,
        conflict=conflict,
    )


def _resolve_owner(*, actor: User, owner: User | None, to_pool: bool) -> User | None:
    if to_pool:
        if not actor.is_company_wide:
            raise PermissionDenied(_("Only the GM office or an admin may put a customer in the pool."), field="owner")
        return None
    if owner is None:
        if actor.is_company_wide:
            return None  # the GM office registering without an owner puts the customer in the pool
        return actor
    if owner.pk == actor.pk or actor.is_company_wide:
        return owner
    if actor.is_manager and owner.unit_id in actor.team_unit_ids:
        return owner
    raise ApplicationError(_("You may only register customers for yourself or your team."), field="owner")


def _apply_derived(customer: Customer) -> None:
    customer.search_text = search_key(customer.name, customer.short_name)[:300]
    customer.search_phonetic = phonetic_tokens(customer.name, customer.short_name)[:60]
    customer.phone_digits = phone_digits(str(customer.phone or ""))[:32]


def customer_register(
    *,
    actor: User,
    data: dict[str, Any],
    owner: User | None = None,
    to_pool: bool = False,
    source: str = "register",
    registered_at: dt.datetime | None = None,
) -> Customer:
    """Register (備案) a customer for `owner` (default: the actor). The first registration of a key wins.

    A refused claim raises RegistrationRefused; when another salesperson holds the customer the refusal is
    also stored as a CustomerConflict for the GM office (committed even though the claim fails).
    """
    if not permissions.can_register(actor):
        raise PermissionDenied(_("You may not register customers."))
    card = _clean_card(data)
    owner = _resolve_owner(actor=actor, owner=owner, to_pool=to_pool)
    if not (actor.is_company_wide or actor.is_manager):
        if card.get("credit_limit") or card.get("credit_rating") or card.get("is_trusted"):
            field = next(f for f in ("credit_limit", "credit_rating", "is_trusted") if card.get(f))
            raise PermissionDenied(
                _("Only the department manager, the GM office or finance may set the credit terms."),
                field=field,
            )
    keys = identity_keys(name=card["name"], tax_id=card.get("tax_id", ""), phone=card.get("phone", ""))
    if "name" not in keys:
        raise ApplicationError(_("The legal name must contain letters or digits."), field="name", code="invalid")
    claimed = {"name": card["name"], "tax_id": card.get("tax_id", ""), "phone": card.get("phone", "")}
    claimant = owner or actor

    held = _holder_of(keys)
    if held is None:
        now = timezone.now()
        try:
            with transaction.atomic():
                customer = Customer(**card)
                customer.owner = owner
                customer.unit_id = owner.unit_id if owner else None
                customer.registered_at = registered_at or now
                customer.owned_since = customer.registered_at if owner else None
                _apply_derived(customer)
                customer._history_user = actor
                customer._change_reason = f"registered ({source})"[:100]
                customer.save()
                # The unique constraint on (kind, key) decides a race: the second inserter waits for the first
                # transaction and then fails here.
                CustomerIdentity.objects.bulk_create(
                    [CustomerIdentity(customer=customer, kind=k, key=v) for k, v in keys.items()]
                )
                OwnershipEvent.objects.create(
                    customer=customer,
                    kind=OwnershipEventKind.REGISTER,
                    to_owner=owner,
                    to_unit_id=customer.unit_id,
                    actor=actor,
                    reason=source,
                    created_at=now,
                )
                return customer
        except IntegrityError:
            held = _holder_of(keys)
            if held is None:  # not an identity clash
                raise
    matched_on, holder = held
    raise _refuse(matched_on=matched_on, holder=holder, claimant=claimant, source=source, **claimed)


def _lock_customer(customer_id: int) -> Customer:
    return Customer.objects.select_for_update(of=("self",)).select_related("owner", "unit").get(pk=customer_id)


@transaction.atomic
def customer_update(*, customer: Customer, actor: User, data: dict[str, Any]) -> Customer:
    """Edit a card. Credit fields need a manager, GM office, finance or admin; identity changes are re-registered."""
    locked = _lock_customer(customer.pk)
    card = _clean_card(data, partial=True)
    changed = {
        k: v for k, v in card.items() if getattr(locked, k) != v and not (k == "phone" and str(locked.phone or "") == v)
    }
    if not changed:
        return locked
    credit_changes = [k for k in changed if k in CREDIT_FIELDS]
    other_changes = [k for k in changed if k not in CREDIT_FIELDS]
    if credit_changes and not permissions.can_set_credit(actor, locked):
        raise PermissionDenied(
            _("Only the department manager, the GM office or finance may change the credit terms."),
            field=credit_changes[0],
        )
    if other_changes and not permissions.can_edit_customer(actor, locked):
        raise PermissionDenied(_("You may not edit this customer."), field=other_changes[0])
    for key, value in changed.items():
        setattr(locked, key, value)
    if locked.tier == CustomerTier.ORDINARY:
        locked.member_level = None
    if any(k in changed for k in IDENTITY_FIELDS):
        keys = identity_keys(name=locked.name, tax_id=locked.tax_id, phone=str(locked.phone or ""))
        if "name" not in keys:
            raise ApplicationError(_("The legal name must contain letters or digits."), field="name", code="invalid")
        held = _holder_of(keys, exclude_customer_id=locked.pk)
        if held is None:
            try:
                with transaction.atomic():
                    CustomerIdentity.objects.filter(customer=locked).delete()
                    CustomerIdentity.objects.bulk_create(
                        [CustomerIdentity(customer=locked, kind=k, key=v) for k, v in keys.items()]
                    )
            except IntegrityError:
                held = _holder_of(keys, exclude_customer_id=locked.pk)
                if held is None:
                    raise
        if held is not None:
            kind, holder = held
            owner, unit, since = _owner_label(holder)
            raise ApplicationError(
                _("Already registered by %(owner)s, %(unit)s, on %(date)s.")
                % {"owner": owner, "unit": unit, "date": since},
                field=_field_for_kind(kind),
                code="already_registered",
            )
    _apply_derived(locked)
    locked._history_user = actor
    # history_change_reason is a varchar(100): editing every field at once made the save a 500
    reason = "edited: " + ", ".join(sorted(changed))
    locked._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    locked.save()
    return locked


def _move_owner(
    *,
    customer: Customer,
    kind: str,
    new_owner: User | None,
    actor: User | None,
    reason: str,
    conflict: CustomerConflict | None = None,
) -> Customer:
    now = timezone.now()
    releasing = kind == OwnershipEventKind.RELEASE
    event = OwnershipEvent(
        customer=customer,
        kind=kind,
        from_owner_id=customer.owner_id,
        from_unit_id=customer.unit_id,
        to_owner=new_owner,
        to_unit_id=new_owner.unit_id if new_owner else None,
        actor=actor,
        reason=reason,
        conflict=conflict,
        created_at=now,
        owned_since=customer.owned_since if releasing else None,
        release_warned_at=customer.release_warned_at if releasing else None,
    )
    resumed = _resumed_clock(customer, new_owner) if kind == OwnershipEventKind.CLAIM else None
    customer.owner = new_owner
    customer.unit_id = new_owner.unit_id if new_owner else None
    customer.owned_since = (resumed.owned_since if resumed else now) if new_owner else None
    customer.release_warned_at = resumed.release_warned_at if resumed else None
    customer._history_user = actor
    customer._change_reason = f"{kind}: {reason}"[:100]
    customer.save()
    event.save()
    _publish_move(event, customer)
    return customer


def _resumed_clock(customer: Customer, claimant: User | None) -> OwnershipEvent | None:
    """The release whose pool clock a claim resumes: the customer's last release, when the claimant is the owner
    who lost it (released it, or the sweep did). Anyone else starts a fresh clock."""
    if claimant is None:
        return None
    last = (
        OwnershipEvent.objects.filter(customer=customer, kind=OwnershipEventKind.RELEASE)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.from_owner_id != claimant.pk or last.owned_since is None:
        return None
    return last


def _publish_move(event: OwnershipEvent, customer: Customer) -> None:
    """A reassignment reaches the new and the old owner; a release to the pool reaches the old owner."""
    if event.kind not in (OwnershipEventKind.REASSIGN, OwnershipEventKind.RELEASE) or not event.from_owner_id:
        return
    reassign = event.kind == OwnershipEventKind.REASSIGN
    old = User.objects.filter(pk=event.from_owner_id).first()
    events.publish(
        document="customers.customer",
        document_id=customer.pk,
        action="reassigned" if reassign else "released",
        actor=event.actor,
        recipients=[event.to_owner_id, event.from_owner_id] if reassign else [event.from_owner_id],
        note=event.reason,
        data={
            "customer": customer.name,
            "actor": event.actor.get_full_name() if event.actor else "",
            "old_owner": old.get_full_name() if old else "",
            "new_owner": event.to_owner.get_full_name() if event.to_owner else "",
            "url": reverse("customers:detail", args=[customer.pk]) if reassign else reverse("customers:pool"),
        },
    )


def customer_claim_from_pool(*, customer_id: int, actor: User) -> Customer:
    """Claim an unowned customer from the pool (公海). Same first-come rule: the row lock orders two claims."""
    if not permissions.can_claim_from_pool(actor):
        raise PermissionDenied(_("Only salespeople and managers may claim customers from the pool."))
    refusal = None
    with transaction.atomic():
        try:
            customer = _lock_customer(customer_id)
        except Customer.DoesNotExist as exc:
            raise ApplicationError(_("No such customer in the pool."), code="not_found") from exc
        if customer.owner_id is None:
            return _move_owner(
                customer=customer, kind=OwnershipEventKind.CLAIM, new_owner=actor, actor=actor, reason=""
            )
        phone = str(customer.phone or "")
        refusal = dict(
            matched_on=IdentityKind.NAME, holder=customer, name=customer.name, tax_id=customer.tax_id, phone=phone
        )
    # Outside the claim's transaction, so the conflict is kept although the claim fails.
    raise _refuse(claimant=actor, source="pool", **refusal)


@transaction.atomic
def customer_release(*, customer: Customer, actor: User | None, reason: str) -> Customer:
    """Give a customer back to the pool: by its owner, their manager, the GM office, or the nightly sweep."""
    locked = _lock_customer(customer.pk)
    if locked.owner_id is None:
        raise ApplicationError(_("This customer is already in the pool."), code="in_pool")
    if actor is not None and actor.pk != locked.owner_id and not permissions.can_reassign(actor, locked):
        raise PermissionDenied(_("You may not release this customer."))
    return _move_owner(customer=locked, kind=OwnershipEventKind.RELEASE, new_owner=None, actor=actor, reason=reason)


@transaction.atomic
def customer_reassign(
    *, customer: Customer, new_owner: User, actor: User, reason: str, conflict: CustomerConflict | None = None
) -> Customer:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the reassignment."), field="reason", code="required")
    locked = _lock_customer(customer.pk)
    if not permissions.can_reassign(actor, locked, new_owner):
        raise PermissionDenied(_("You may not reassign this customer."), field="new_owner")
    if not new_owner.is_active:
        raise ApplicationError(_("The new owner is not an active user."), field="new_owner", code="inactive")
    if locked.owner_id == new_owner.pk:
        raise ApplicationError(_("This salesperson already owns the customer."), field="new_owner", code="same_owner")
    return _move_owner(
        customer=locked,
        kind=OwnershipEventKind.REASSIGN,
        new_owner=new_owner,
        actor=actor,
        reason=reason,
        conflict=conflict,
    )


def _lock_open_conflict(conflict_id: int, *, actor: User, action: str) -> CustomerConflict:
    conflict = CustomerConflict.objects.select_for_update().get(pk=conflict_id)
    workflows.CONFLICT.check(actor, conflict, action)
    return conflict


def _publish_conflict(conflict: CustomerConflict, actor: User) -> None:
    """Both claimants learn the GM office's decision."""
    events.publish(
        document=workflows.CONFLICT.document,
        document_id=conflict.pk,
        action="decided",
        actor=actor,
        recipients=[conflict.claimant_id, conflict.owner_at_claim_id],
        note=conflict.decision_reason,
        data={
            "customer": conflict.customer.name,
            "actor": actor.get_full_name(),
            "outcome": conflict.status,
            "url": reverse("customers:detail", args=[conflict.customer_id]),
        },
    )


@transaction.atomic
def conflict_confirm_owner(*, conflict: CustomerConflict, actor: User, reason: str = "") -> CustomerConflict:
    """The GM office confirms the first registration (先入為主)."""
    workflows.CONFLICT.check(actor, conflict, "confirm")
    locked = _lock_open_conflict(conflict.pk, actor=actor, action="confirm")
    customer = _lock_customer(locked.customer_id)
    locked.status = ConflictStatus.CONFIRMED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = (reason or "").strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    OwnershipEvent.objects.create(
        customer=customer,
        kind=OwnershipEventKind.CONFIRM,
        from_owner_id=customer.owner_id,
        from_unit_id=customer.unit_id,
        to_owner_id=customer.owner_id,
        to_unit_id=customer.unit_id,
        actor=actor,
        reason=locked.decision_reason,
        conflict=locked,
    )
    _publish_conflict(locked, actor)
    return locked


@transaction.atomic
def conflict_reassign(*, conflict: CustomerConflict, actor: User, reason: str) -> CustomerConflict:
    """The GM office gives the customer to the claimant; the reason is kept in the ownership log and history."""
    workflows.CONFLICT.check(actor, conflict, "reassign")
    if not (reason or "").strip():
        raise ApplicationError(_("Give a reason for the reassignment."), field="reason", code="required")
    locked = _lock_open_conflict(conflict.pk, actor=actor, action="reassign")
    claimant = User.objects.get(pk=locked.claimant_id)
    customer_reassign(customer=locked.customer, new_owner=claimant, actor=actor, reason=reason.strip(), conflict=locked)
    locked.status = ConflictStatus.REASSIGNED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _publish_conflict(locked, actor)
    return locked


# ---------------------------------------------------------------------------------------------------------------
# Contacts, contact log, strategy and evaluation cards


def _require_edit(actor: User, customer: Customer) -> None:
    if not permissions.can_edit_customer(actor, customer):
        raise PermissionDenied(_("You may not change this customer."))


CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary", "notes")


def _clean_contact(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ApplicationError(_("The contact's name is required."), field="name", code="required")
    if out.get("phone"):
        from phonenumber_field.phonenumber import to_python

        parsed = to_python(str(out["phone"]))
        if parsed is None or not parsed.is_valid():
            raise ApplicationError(_("Enter a valid phone number."), field="phone", code="invalid_phone")
        out["phone"] = parsed.as_e164
    return out


@transaction.atomic
def contact_create(*, customer: Customer, actor: User, data: dict[str, Any]) -> Contact:
    _require_edit(actor, customer)
    clean = _clean_contact(data)
    if not clean.get("name"):
        raise ApplicationError(_("The contact's name is required."), field="name", code="required")
    if clean.get("is_primary"):
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    return Contact.objects.create(customer=customer, **clean)


@transaction.atomic
def contact_update(*, contact: Contact, actor: User, data: dict[str, Any]) -> Contact:
    locked = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    _require_edit(actor, locked.customer)
    clean = _clean_contact(data)
    if clean.get("is_primary"):
        Contact.objects.filter(customer_id=locked.customer_id, is_primary=True).exclude(pk=locked.pk).update(
            is_primary=False
        )
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.save()
    return locked


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User) -> None:
    _require_edit(actor, contact.customer)
    contact.delete()


def _tags(values, allowed, field) -> list[str]:
    values = list(dict.fromkeys(values or []))
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApplicationError(_("Unknown tag: %(t)s") % {"t": bad[0]}, field=field, code="invalid")
    return values


@transaction.atomic
def contact_log_create(
    *,
    customer: Customer,
    actor: User,
    kind: str = ContactKind.VISIT,
    happened_at: dt.datetime | None = None,
    contact: Contact | None = None,
    purpose: str = "",
    outcome: str = "",
    buying_signals: str = "",
    signal_tags: list[str] | None = None,
    objections: str = "",
    objection_tags: list[str] | None = None,
    next_step: str = "",
    next_step_date: dt.date | None = None,
) -> ContactLog:
    """Log a call, visit or message (回訪 / 拜訪). A contact by the owner lifts any pool-release warning."""
    locked = _lock_customer(customer.pk)
    _require_edit(actor, locked)
    now = timezone.now()
    happened_at = happened_at or now
    if timezone.is_naive(happened_at):
        raise ApplicationError(_("The time needs a time zone."), field="happened_at", code="naive")
    if happened_at > now + dt.timedelta(minutes=5):
        raise ApplicationError(_("A contact cannot be logged in the future."), field="happened_at", code="future")
    if kind not in ContactKind.values:
        raise ApplicationError(_("Unknown kind of contact."), field="kind", code="invalid")
    if contact is not None and contact.customer_id != locked.pk:
        raise ApplicationError(_("This contact person belongs to another customer."), field="contact", code="invalid")
    next_step = (next_step or "").strip()
    if next_step_date and not next_step:
        raise ApplicationError(_("Say what the next step is."), field="next_step", code="required")
    if next_step_date and next_step_date < timezone.localtime(happened_at).date():
        raise ApplicationError(
            _("The next step cannot be before the contact."), field="next_step_date", code="before_contact"
        )
    log = ContactLog.objects.create(
        customer=locked,
        author=actor,
        contact=contact,
        kind=kind,
        happened_at=happened_at,
        purpose=(purpose or "").strip()[:200],
        outcome=outcome or "",
        buying_signals=buying_signals or "",
        signal_tags=_tags(signal_tags, SignalTag.values, "signal_tags"),
        objections=objections or "",
        objection_tags=_tags(objection_tags, ObjectionTag.values, "objection_tags"),
        next_step=next_step[:200],
        next_step_date=next_step_date,
    )
    if locked.release_warned_at and actor.pk == locked.owner_id:
        Customer.objects.filter(pk=locked.pk).update(release_warned_at=None)
    return log


@transaction.atomic
def strategy_save(*, customer: Customer, actor: User, data: dict[str, Any]) -> CustomerStrategy:
    _require_edit(actor, customer)
    clean = {k: v for k, v in data.items() if k in STRATEGY_FIELDS}
    if clean.get("potential_amount") not in (None, ""):
        clean["potential_amount"] = round_money(clean["potential_amount"])
        if clean["potential_amount"] < 0:
            raise ApplicationError(_("The amount cannot be negative."), field="potential_amount", code="negative")
    elif "potential_amount" in clean:
        clean["potential_amount"] = None
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # serialise the first save of a card
    strategy = CustomerStrategy.objects.filter(customer=customer).first() or CustomerStrategy(customer=customer)
    for key, value in clean.items():
        setattr(strategy, key, value)
    strategy.updated_by = actor
    strategy._history_user = actor
    strategy.save()
    return strategy


@transaction.atomic
def evaluation_save(
    *,
    customer: Customer,
    actor: User,
    month: dt.date,
    enthusiasm: int,
    credit: int,
    capability: int,
    price_discipline: int,
    comment: str = "",
) -> MonthlyEvaluation:
    """Score the relationship for a month (客戶月評卡); saving again for the same month replaces the scores."""
    _require_edit(actor, customer)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ApplicationError(_("You cannot evaluate a future month."), field="month", code="future")
    scores = {
        "enthusiasm": enthusiasm,
        "credit": credit,
        "capability": capability,
        "price_discipline": price_discipline,
    }
    for field, value in scores.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ApplicationError(_("Scores run from 1 to 5."), field=field, code="range")
    evaluation, _created = MonthlyEvaluation.objects.select_for_update().update_or_create(
        customer=customer, month=month, defaults={**scores, "comment": comment or "", "author": actor}
    )
    return evaluation


# ---------------------------------------------------------------------------------------------------------------
# Pool sweep (公海)


@dataclass(frozen=True)
class SweepResult:
    warned: int
    released: int
    cleared: int


def idle_customers(*, now: dt.datetime, days: int):
    """Owned customers whose owner has logged no contact for `days` days (counting from when they took it)."""
    cutoff = now - dt.timedelta(days=days)
    owner_logs = ContactLog.objects.filter(customer=OuterRef("pk"), author=OuterRef("owner"), happened_at__gt=cutoff)
    return (
        Customer.objects.filter(owner__isnull=False, owned_since__lte=cutoff)
        .annotate(recent=Subquery(owner_logs.values("pk")[:1]))
        .filter(recent__isnull=True)
    )


def pool_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Warn owners of customers idle for (idle − warning) days; release those warned ≥ warning days ago and still idle.

    Each customer is handled in its own short transaction with a row lock taken with SKIP LOCKED, so a running
    sweep never blocks salespeople for long and two sweeps never act twice on the same customer.
    """
    now = now or timezone.now()
    policy = pool_policy_for(timezone.localtime(now).date())
    warn_after = policy.idle_days - policy.warning_days
    warned = released = cleared = 0

    # A warning lapses once the owner logs a contact after it.
    owner_log_since_warning = ContactLog.objects.filter(
        customer=OuterRef("pk"), author=OuterRef("owner"), happened_at__gte=OuterRef("release_warned_at")
    )
    lapsed = Customer.objects.filter(release_warned_at__isnull=False).annotate(
        fresh=Subquery(owner_log_since_warning.values("pk")[:1])
    )
    cleared = Customer.objects.filter(pk__in=lapsed.filter(fresh__isnull=False).values("pk")).update(
        release_warned_at=None
    )

    idle_ids = list(idle_customers(now=now, days=policy.idle_days).values_list("pk", flat=True))
    for customer_id in idle_ids:
        with transaction.atomic():
            customer = (
                Customer.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    pk=customer_id,
                    owner__isnull=False,
                    release_warned_at__lte=now - dt.timedelta(days=policy.warning_days),
                )
                .first()
            )
            if customer is None or not idle_customers(now=now, days=policy.idle_days).filter(pk=customer_id).exists():
                continue
            _move_owner(
                customer=customer,
                kind=OwnershipEventKind.RELEASE,
                new_owner=None,
                actor=None,
                reason=_("No contact for %(days)s days") % {"days": policy.idle_days},
            )
            released += 1

    to_warn = list(
        idle_customers(now=now, days=warn_after).filter(release_warned_at__isnull=True).values_list("pk", flat=True)
    )
    for customer_id in to_warn:
        with transaction.atomic():
            customer = (
                Customer.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=customer_id, owner__isnull=False, release_warned_at__isnull=True)
                .first()
            )
            if customer is None:
                continue
            Customer.objects.filter(pk=customer.pk).update(release_warned_at=now)
            OwnershipEvent.objects.create(
                customer=customer,
                kind=OwnershipEventKind.WARN,
                from_owner_id=customer.owner_id,
                from_unit_id=customer.unit_id,
                to_owner_id=customer.owner_id,
                to_unit_id=customer.unit_id,
                reason=_("No contact for %(days)s days; released after %(warn)s more days without contact.")
                % {"days": warn_after, "warn": policy.warning_days},
                created_at=now,
            )
            warned += 1
    return SweepResult(warned=warned, released=released, cleared=cleared)


# ---------------------------------------------------------------------------------------------------------------
# Monthly filing


def filing_counts(*, unit: SalesUnit, month: dt.date) -> dict[str, int]:
    month = month_start(month)
    nxt = add_months(month, 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(nxt, dt.time.min, tzinfo=tz)
    customers = Customer.objects.filter(unit=unit)
    agg = customers.aggregate(
        total=Count("id"), new=Count("id", filter=Q(registered_at__gte=start, registered_at__lt=end))
    )
    return {
        "customers_count": agg["total"],
        "new_count": agg["new"],
        "contacts_count": ContactLog.objects.filter(
            customer__unit=unit, happened_at__gte=start, happened_at__lt=end
        ).count(),
        "evaluations_count": MonthlyEvaluation.objects.filter(customer__unit=unit, month=month).count(),
    }


@transaction.atomic
def monthly_filing_file(*, unit: SalesUnit, month: dt.date, actor: User, note: str = "") -> MonthlyFiling:
    """File a unit's customer cards for a finished month with the admin department."""
    month = month_start(month)
    workflows.FILING.check(actor, workflows.UnitMonth(unit=unit, month=month, filed=False), "file")
    if month >= month_start(timezone.localdate()):
        raise ApplicationError(_("A month can be filed once it has ended."), field="month", code="not_ended")
    SalesUnit.objects.select_for_update().get(pk=unit.pk)
    filed = MonthlyFiling.objects.filter(unit=unit, month=month).exists()
    workflows.FILING.check(actor, workflows.UnitMonth(unit=unit, month=month, filed=filed), "file")
    return MonthlyFiling.objects.create(
        unit=unit, month=month, filed_by=actor, note=note or "", **filing_counts(unit=unit, month=month)
    )


def contact_log_from_event(activity: Any) -> None:
    """Subscriber (core.events): a customer who came to a gathering (care) has met us — a visit in their contact
    log by the organiser, which also counts as contact for the pool clock. Written once per (gathering, customer)."""
    if (activity.document, activity.action) != ("care.gathering", "attended") or activity.actor_id is None:
        return
    data = activity.data or {}
    customer_id = data.get("customer_id")
    held_on = dt.date.fromisoformat(data.get("held_on", "")) if data.get("held_on") else timezone.localdate()
    purpose = (_("Customer gathering: %(title)s") % {"title": data.get("title", "")})[:200]
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if (
        customer is None
        or ContactLog.objects.filter(customer=customer, author_id=activity.actor_id, purpose=purpose).exists()
    ):
        return
    happened = dt.datetime.combine(held_on, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    ContactLog.objects.create(
        customer=customer,
        author_id=activity.actor_id,
        kind=ContactKind.VISIT,
        happened_at=min(happened, timezone.now()),
        purpose=purpose,
        outcome=activity.note or "",
    )
    if customer.release_warned_at and activity.actor_id == customer.owner_id:
        Customer.objects.filter(pk=customer.pk).update(release_warned_at=None)


# ---------------------------------------------------------------------------------------------------------------
# Comments on the customer's timeline


def customer_comment(*, customer: Customer, actor: User, body: str):
    """A comment on a customer the actor may see; tells the owner and the @mentioned who may see the customer."""
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You may not comment on this customer."))
    return timeline.post_comment(
        document=customer_timeline.DOCUMENT,
        document_id=customer.pk,
        actor=actor,
        body=body,
        can_see=customer_timeline.can_see(customer),
        owners=[customer.owner_id],
        data={
            "customer": customer.name,
            "actor": actor.get_full_name(),
            "url": reverse("customers:detail", args=[customer.pk]),
        },
    )
