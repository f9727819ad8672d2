"""Contracts: create (also from a quote), change, submit for review, approve, reject, sign, file, cancel.

Transitions lock the contract row first."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from customers.models import Customer
from sales import approvers as who
from sales import rules, selectors, workflows
from sales.models import (
    ApprovalDecision,
    ApproverRole,
    Contract,
    ContractApproval,
    ContractBasis,
    ContractLine,
    ContractStatus,
    Product,
    Quote,
    QuoteKind,
    QuoteStatus,
)
from sales.permissions import may_decide_role

from ._common import _check_customer, _dec, _event, _lock_contract, _lock_quote, _next_number
from .access import owner_for
from .methods import PROJECT, checked_method, resolve_methods
from .pricing import LineInput, PricedLine, price_lines, write_priced_lines

EDITABLE = (ContractStatus.DRAFT, ContractStatus.REJECTED)


def _write_contract_lines(
    contract: Contract, lines: list[LineInput] | None, *, priced: list[PricedLine] | None = None
) -> None:
    if priced is None:
        priced = price_lines(lines=lines or [], on=timezone.localdate(), unit_id=contract.unit_id)
    write_priced_lines(contract, priced, line_model=ContractLine, parent="contract")


def _check_money_parts(contract: Contract) -> None:
    for name in ("prepayment_amount", "retention_amount"):
        value = round_money(_dec(getattr(contract, name) or 0, field=name))
        if value < 0:
            raise ApplicationError(_("Cannot be negative."), field=name, code="negative")
        setattr(contract, name, value)
    if contract.prepayment_amount + contract.retention_amount > contract.amount:
        raise ApplicationError(
            _("Prepayment plus retention money cannot exceed the contract amount %(amount)s.")
            % {"amount": f"{contract.amount:,.2f}"},
            field="prepayment_amount",
            code="too_large",
        )
    if contract.retention_amount > 0 and not contract.retention_due_on:
        raise ApplicationError(
            _("Give the date the retention money is due."), field="retention_due_on", code="required"
        )
    if contract.basis not in ContractBasis.values:
        raise ApplicationError(_("Unknown basis."), field="basis")


CONTRACT_FIELDS = (
    "title",
    "basis",
    "payment_terms",
    "prepayment_amount",
    "prepayment_exception_reason",
    "retention_amount",
    "retention_due_on",
    "note",
    "settlement_method",
    "sales_method",
)


@transaction.atomic
def contract_create(
    *,
    actor: User,
    customer: Customer,
    lines: list[LineInput] | None,
    quote: Quote | None = None,
    priced: list[PricedLine] | None = None,
    **fields,
) -> Contract:
    _check_customer(actor, customer)
    owner = owner_for(actor, customer)
    if owner.unit_id is None:
        raise ApplicationError(_("The salesperson has no sales unit."), field="owner", code="no_unit")
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ApplicationError(_("This field cannot be set."), field=unknown.pop())
    today = timezone.localdate()
    fields["settlement_method"], fields["sales_method"] = resolve_methods(
        settlement_method=fields.get("settlement_method"),
        sales_method=fields.get("sales_method"),
        prefer_sales=PROJECT if quote is not None and quote.kind == QuoteKind.ENGINEERING else "",
    )
    contract = Contract(
        number=_next_number(prefix=f"C{today:%Y}-", model=Contract),
        customer=customer,
        owner=owner,
        unit_id=owner.unit_id,
        quote=quote,
        **{k: v for k, v in fields.items() if v is not None},
    )
    contract.save()
    _write_contract_lines(contract, lines, priced=priced)
    _check_money_parts(contract)
    contract.save()
    _event(contract, actor=actor, action="created", from_status="", data={"amount": str(contract.amount)})
    return contract


@transaction.atomic
def contract_create_from_quote(*, actor: User, quote: Quote, product: Product | None = None, **fields) -> Contract:
    """A contract from an approved quote, with the quote's settlement and sales methods. Product quotes copy their
    lines (repriced at today's standard price); an engineering turnkey quote copies its one external project line
    as quoted (the customer's price; the internal price stays its standard, C its cost)."""
    quote = _lock_quote(quote)
    workflows.QUOTE.check(actor, quote, "contract")
    # Under the quote's row lock: one quote, one live contract (the database's partial unique index backs this).
    existing = Contract.objects.filter(quote=quote).exclude(status=ContractStatus.CANCELLED).first()
    if existing is not None:
        raise ApplicationError(
            _("This quote already became contract %(number)s.") % {"number": existing.number},
            field="quote",
            code="already_contracted",
        )
    for key in ("settlement_method", "sales_method"):  # the contract records the quote's methods unless told
        method = getattr(quote, key)
        if fields.get(key) is None and method is not None and method.is_active:
            fields[key] = method
    if quote.kind == QuoteKind.ENGINEERING:
        # The project line as the customer was quoted it (the unit's price, its discount, the internal price as its
        # standard and C as its cost): never repriced from a price list. `product` may rename the project.
        priced = [
            PricedLine(
                product=product or ln.product,
                quantity=ln.quantity,
                list_price=ln.list_price,
                discount_percent=ln.discount_percent,
                unit_price=ln.unit_price,
                standard_price=ln.standard_price,
                unit_cost=ln.unit_cost,
            )
            for ln in quote.lines.select_related("product")
        ]
        fields.setdefault("title", quote.title)
        contract = contract_create(
            actor=actor, customer=quote.customer, lines=None, priced=priced, quote=quote, **fields
        )
    else:
        lines = [
            LineInput(
                product=ln.product,
                quantity=ln.quantity,
                discount_percent=ln.discount_percent,
                list_price=ln.list_price,
            )
            for ln in quote.lines.select_related("product")
        ]
        contract = contract_create(actor=actor, customer=quote.customer, lines=lines, quote=quote, **fields)
    if quote.status != QuoteStatus.ACCEPTED:
        quote.status = QuoteStatus.ACCEPTED
        quote.save(update_fields=["status", "updated_at"])
    return contract


@transaction.atomic
def contract_update(*, actor: User, contract: Contract, lines: list[LineInput] | None = None, **fields) -> Contract:
    """Change a draft (or rejected) contract: its lines and terms. A rejected one goes back to draft."""
    contract = _lock_contract(contract)
    workflows.CONTRACT.check(actor, contract, "change")
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ApplicationError(_("This field cannot be changed."), field=unknown.pop())
    for key in ("settlement_method", "sales_method"):
        if fields.get(key) is not None:
            fields[key] = checked_method(fields[key], field=key)
        else:
            fields.pop(key, None)  # not given: the contract keeps its method
    for key, value in fields.items():
        setattr(contract, key, value)
    if lines is not None:
        _write_contract_lines(contract, lines)
    _check_money_parts(contract)
    before = contract.status
    contract.status = ContractStatus.DRAFT
    contract.save()
    _event(contract, actor=actor, action="updated", from_status=before, data={"amount": str(contract.amount)})
    return contract


@transaction.atomic
def contract_submit(*, actor: User, contract: Contract) -> Contract:
    """Send for review (契約評審). Every rule runs; blocking conditions refuse the submission with all their
    reasons; approvals needed open a new review round; with none the contract is approved at once."""
    contract = _lock_contract(contract)
    workflows.CONTRACT.check(actor, contract, "submit")
    if not contract.lines.exists():
        raise ApplicationError(_("Add at least one line."), field="lines", code="empty")
    hits = selectors.contract_rule_hits(contract=contract)
    blocked = rules.blocking(hits)
    if blocked:
        raise ApplicationError(
            "; ".join(h.message for h in blocked),
            field=_blocking_field(blocked[0]),
            code=blocked[0].code,
            extra={"rules": [h.as_dict() for h in blocked]},
        )
    before = contract.status
    contract.review_round += 1
    contract.submitted_at = timezone.now()
    contract.rejection_reason = ""
    contract.po_consent_by = None
    contract.po_consent_at = None
    approvers = rules.required_approvers(hits)
    for role in approvers:
        ContractApproval.objects.create(
            contract=contract,
            round=contract.review_round,
            approver_role=role,
            reasons=[h.as_dict() for h in hits if h.approver == role],
        )
    if approvers:
        contract.status = ContractStatus.IN_REVIEW
    else:
        contract.status = ContractStatus.APPROVED
        contract.approved_at = timezone.now()
    contract.save()
    _event(
        contract,
        actor=actor,
        action="submitted",
        from_status=before,
        note="" if approvers else _("No rule needs an approval."),
        data={
            "round": contract.review_round,
            "rules": [h.code for h in hits],
            "approvers": approvers,
            **_hidden_rules_log(actor, hits),
        },
    )
    if approvers:
        contract.round_approvals = None
        steps = who.contract_waiting_for(contract)
        _publish(contract, "submitted", actor, recipients=who.recipients(steps))
    return contract


def _hidden_rules_log(actor: User, hits: list[rules.RuleHit]) -> dict:
    """A submission by someone who may not see cost that trips a confidential rule (the margin) is the only way
    they learn of it: marked on the event so their manager sees every such try (selectors.hidden_rule_trips)."""
    codes = rules.hidden_codes(hits)
    if not codes or selectors.sees_cost(actor):
        return {}
    return {"hidden_rules": codes}


def _publish(contract: Contract, action: str, actor: User, *, recipients, note: str = "", **data) -> None:
    """The handoff event: recorded with the state change, turned into notifications by the subscribers."""
    events.publish(
        document=workflows.CONTRACT.document,
        document_id=contract.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "number": contract.number,
            "actor": actor.get_full_name(),
            "customer": contract.customer.name,
            "url": reverse("sales:contract_detail", args=[contract.pk]),
            **data,
        },
    )


def _blocking_field(hit: rules.RuleHit) -> str:
    return {
        "prepayment_required": "prepayment_amount",
        "purchase_order_untrusted": "basis",
    }.get(hit.code, "non_field_errors")


may_decide = may_decide_role  # kept for callers of sales.services.may_decide


def _lock_for_decision(
    actor: User, contract: Contract, *, action: str, own: str
) -> tuple[Contract, list[ContractApproval], list[ContractApproval]]:
    """Lock a contract in review and its approvals of this round; return it with the approvals `actor` may decide,
    and all of them. `own` is the refusal for one's own contract; the workflow table says the rest."""
    contract = _lock_contract(contract)
    if actor.pk == contract.owner_id:
        raise PermissionDenied(own)
    approvals = list(
        ContractApproval.objects.select_for_update()
        .filter(contract=contract, round=contract.review_round)
        .order_by("approver_role")
    )
    contract.round_approvals = approvals
    mine = [a for a in approvals if may_decide_role(actor, contract, a.approver_role)]
    if action == "approve" and contract.status == ContractStatus.IN_REVIEW and mine:
        if not any(a.decision == ApprovalDecision.PENDING for a in mine):
            raise ApplicationError(_("You have already decided on this contract."), field="status", code="decided")
    workflows.CONTRACT.check(actor, contract, action)
    return contract, mine, approvals


@transaction.atomic
def contract_approve(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """Record the actor's approval; once every required approver has approved, the contract is approved."""
    contract, mine, approvals = _lock_for_decision(
        actor,
        contract,
        action="approve",
        own=_("You cannot approve your own contract."),
    )
    pending = [a for a in mine if a.decision == ApprovalDecision.PENDING]
    now = timezone.now()
    for approval in pending:
        approval.decision = ApprovalDecision.APPROVED
        approval.decided_by = actor
        approval.decided_at = now
        approval.comment = comment
        approval.save(update_fields=["decision", "decided_by", "decided_at", "comment", "updated_at"])
        if approval.approver_role == ApproverRole.MANAGER and contract.basis == ContractBasis.PURCHASE_ORDER:
            contract.po_consent_by = actor
            contract.po_consent_at = now
    before = contract.status
    if all(a.decision == ApprovalDecision.APPROVED for a in approvals):
        contract.status = ContractStatus.APPROVED
        contract.approved_at = now
    contract.save()
    _event(
        contract,
        actor=actor,
        action="approved",
        from_status=before,
        note=comment,
        data={"roles": [a.approver_role for a in pending], "round": contract.review_round},
    )
    final = contract.status == ContractStatus.APPROVED
    _publish(contract, "approved" if final else "approved_step", actor, recipients=[contract.owner_id], note=comment)
    return contract


@transaction.atomic
def contract_reject(*, actor: User, contract: Contract, reason: str) -> Contract:
    """A required approver rejects, with a reason; the salesperson may change and resubmit it."""
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason for the rejection."), field="reason", code="required")
    contract, mine, approvals = _lock_for_decision(
        actor,
        contract,
        action="reject",
        own=_("You cannot decide on your own contract."),
    )
    now = timezone.now()
    for approval in mine:
        if approval.decision == ApprovalDecision.PENDING:
            approval.decision = ApprovalDecision.REJECTED
            approval.decided_by = actor
            approval.decided_at = now
            approval.comment = reason
            approval.save(update_fields=["decision", "decided_by", "decided_at", "comment", "updated_at"])
    for approval in approvals:
        if approval.decision == ApprovalDecision.PENDING:
            approval.decision = ApprovalDecision.WITHDRAWN
            approval.decided_at = now
            approval.save(update_fields=["decision", "decided_at", "updated_at"])
    before = contract.status
    contract.status = ContractStatus.REJECTED
    contract.rejection_reason = reason.strip()
    contract.save()
    _event(contract, actor=actor, action="rejected", from_status=before, note=reason.strip())
    _publish(contract, "rejected", actor, recipients=[contract.owner_id], note=contract.rejection_reason)
    return contract


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract, signed_on: dt.date | None = None) -> Contract:
    """Record the signature of an approved contract; the filing deadline starts (3 days by default)."""
    contract = _lock_contract(contract)
    workflows.CONTRACT.check(actor, contract, "sign")
    today = timezone.localdate()
    signed_on = signed_on or today
    if signed_on > today:
        raise ApplicationError(_("The signing date cannot be in the future."), field="signed_on", code="future")
    blocked = rules.blocking(selectors.contract_rule_hits(contract=contract))
    if blocked:
        raise ApplicationError(
            "; ".join(h.message for h in blocked), field=_blocking_field(blocked[0]), code=blocked[0].code
        )
    before = contract.status
    contract.status = ContractStatus.SIGNED
    contract.signed_on = signed_on
    contract.filing_due_on = rules.contract_filing_due(
        signed_on=signed_on, filing_days=selectors.policy_in_force(on=signed_on).filing_days
    )
    contract.save()
    _event(contract, actor=actor, action="signed", from_status=before, data={"signed_on": signed_on.isoformat()})
    return contract


# The documents app records each department's receipt of the original (財務計畫部, 總經辦, 行政管理部) and publishes
# this action once all three have confirmed; the contract is filed on that day (sales.apps subscribes to it).
FILING_RECEIVED_ALL = "filing_received_all"


def contract_file_on_receipts(activity) -> None:
    """core.events subscriber: every department confirmed receipt of a signed contract's original → filed then."""
    if activity.document != "sales.contract" or activity.action != FILING_RECEIVED_ALL:
        return
    contract = _lock_contract(Contract.objects.get(pk=activity.document_id))
    if contract.status != ContractStatus.SIGNED:
        return
    received = (activity.data or {}).get("filed_on")  # the day of the third receipt, as the documents app saw it
    filed_on = dt.date.fromisoformat(received) if received else timezone.localdate(activity.created_at)
    _mark_filed(contract, actor=activity.actor, filed_on=filed_on)


def _mark_filed(contract: Contract, *, actor: User, filed_on: dt.date) -> Contract:
    before = contract.status
    contract.status = ContractStatus.FILED
    contract.filed_on = filed_on
    contract.save()
    late = rules.contract_filing_late(filed_on=filed_on, due=contract.filing_due_on)
    _event(
        contract,
        actor=actor,
        action="filed",
        from_status=before,
        note=_("Filed late.") if late else "",
        data={"filed_on": filed_on.isoformat(), "late": late},
    )
    if late:
        managers = who.unit_managers(contract.unit_id)
        _publish(
            contract, "filed_late", actor, recipients=[contract.owner_id, *managers], filed_on=filed_on.isoformat()
        )
    return contract


@transaction.atomic
def contract_cancel(*, actor: User, contract: Contract, reason: str) -> Contract:
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason."), field="reason", code="required")
    contract = _lock_contract(contract)
    workflows.CONTRACT.check(actor, contract, "cancel")
    ContractApproval.objects.filter(
        contract=contract, round=contract.review_round, decision=ApprovalDecision.PENDING
    ).update(decision=ApprovalDecision.WITHDRAWN, decided_at=timezone.now())
    before = contract.status
    contract.status = ContractStatus.CANCELLED
    contract.save()
    _event(contract, actor=actor, action="cancelled", from_status=before, note=reason.strip())
    return contract
