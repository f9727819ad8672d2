"""Every write of the commission app. Keyword-only, typed, atomic; read-then-write takes row locks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import unit_policy
from accounts.models import Role, SalesUnit, User
from core import events, periods
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from sales.models import SOLD_STATUSES, Contract, ContractStatus

from .. import permissions, selectors, workflows
from .. import rules as p
from ..models import (
    MANUAL_CORRECTION_KINDS,
    BonusBasis,
    ClosedMonth,
    CommissionCorrection,
    CommissionRuleSet,
    CommissionStatement,
    ContractCost,
    CooperationBonus,
    CorrectionKind,
    ExpenseClaim,
    ExpenseKind,
    ExpenseStatus,
    FundEntryKind,
    FundPurpose,
    FundSpendStatus,
    MarketFundEntry,
    MarketFundSpend,
    UnitCommissionPolicy,
)
from ..selectors import build_statements, load_facts, rule_book

CLOSE_LOCK_KEY = 5_000_501  # pg advisory lock: one month closing at a time


can_close_months = permissions.can_close_months
can_decide_expense = permissions.can_decide_expense


def _first_activity_before(month: dt.date) -> dt.date | None:
    """The earliest month before `month` in which any commission money moved (company-wide), if any."""
    book = rule_book()
    before = periods.add_months(month, -1)
    first = None
    for facts in load_facts(
        Contract.objects.filter(status__in=SOLD_STATUSES, signed_on__lte=periods.month_end(before))
    ):
        for entry in p.contract_entries(facts, book, before):
            if entry.amount and (first is None or entry.month < first):
                first = entry.month
    return first


@transaction.atomic
def month_close(*, month: dt.date, actor: User) -> ClosedMonth:
    """Freeze every statement of `month`. Months close in order; a closed month is never recomputed."""
    month = periods.month_start(month)
    workflows.MONTH.check(actor, workflows.CommissionMonth(month=month, closed=False), "close")
    if periods.month_end(month) >= timezone.localdate():
        raise ApplicationError(_("A month can be closed only after it has ended."), field="month", code="not_ended")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLOSE_LOCK_KEY])
    closed = ClosedMonth.objects.filter(month=month).exists()
    workflows.MONTH.check(actor, workflows.CommissionMonth(month=month, closed=closed), "close")
    last = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if last is not None:
        expected = periods.add_months(last, 1)
        if month != expected:
            raise ApplicationError(
                _("Months close in order: close %(month)s next.") % {"month": f"{expected:%Y-%m}"},
                field="month",
                code="out_of_order",
            )
    else:
        first = _first_activity_before(month)
        if first is not None:
            raise ApplicationError(
                _("Months close in order: commission moved in %(month)s, close that month first.")
                % {"month": f"{first:%Y-%m}"},
                field="month",
                code="out_of_order",
            )
    now = timezone.now()
    statements = build_statements(people_qs=User.objects.all(), month=month, closed_at=now)
    closed = ClosedMonth.objects.create(month=month, closed_at=now, closed_by=actor)
    CommissionStatement.objects.bulk_create(
        [
            CommissionStatement(
                month=month,
                salesperson_id=data["salesperson"]["id"],
                unit_id=data["salesperson"]["unit_id"],
                net=Decimal(data["totals"]["net"]),
                data=data,
                closed_at=now,
            )
            for data in statements
        ]
    )
    _accrue_market_fund(month=month, actor=actor)  # the month's market service fund, booked with the close
    events.publish(
        document=workflows.MONTH.document,
        document_id=closed.pk,
        action="closed",
        actor=actor,
        recipients=sorted({data["salesperson"]["id"] for data in statements}),
        data={"month": f"{month:%Y-%m}", "url": reverse("commission:statements")},
    )
    return closed


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


@transaction.atomic
def expense_submit(
    *,
    contract: Contract,
    claimant: User,
    kind: str,
    amount: Decimal,
    description: str,
    incurred_on: dt.date,
) -> ExpenseClaim:
    """A salesperson asks for an expense advance or claim on their own contract; it waits for the manager."""
    contract = _lock_contract(contract)
    if contract.owner_id != claimant.id:
        raise ApplicationError(_("You can claim expenses only on your own contracts."), field="contract")
    if contract.status in (ContractStatus.CANCELLED, ContractStatus.REJECTED):
        raise ApplicationError(_("This contract is cancelled or rejected."), field="contract", code="closed")
    if kind not in ExpenseKind.values:
        raise ApplicationError(_("Unknown expense kind."), field="kind")
    amount = round_money(amount)
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    if not description.strip():
        raise ApplicationError(_("Say what the expense is for."), field="description")
    claim = ExpenseClaim.objects.create(
        contract=contract,
        claimant=claimant,
        kind=kind,
        amount=amount,
        description=description.strip(),
        incurred_on=incurred_on,
    )
    deciders = User.objects.filter(role=Role.MANAGER, is_active=True).filter(
        Q(managed_units=contract.unit_id) | Q(unit_id=contract.unit_id)
    )
    _publish_expense(claim, "submitted", claimant, recipients=list(deciders.values_list("pk", flat=True).distinct()))
    return claim


@transaction.atomic
def expense_decide(*, claim: ExpenseClaim, actor: User, approve: bool, note: str = "") -> ExpenseClaim:
    """The department manager approves or rejects a pending claim (prior approval)."""
    claim = ExpenseClaim.objects.select_for_update().select_related("contract").get(pk=claim.pk)
    workflows.EXPENSE.check(actor, claim, "approve" if approve else "reject")
    if not approve and not note.strip():
        raise ApplicationError(_("Give a reason for rejecting."), field="decision_note")
    claim.status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
    claim.decided_by = actor
    claim.decided_on = timezone.localdate()
    claim.decision_note = note.strip()
    claim.save(update_fields=["status", "decided_by", "decided_on", "decision_note", "updated_at"])
    _publish_expense(claim, "approved" if approve else "rejected", actor, recipients=[claim.claimant_id])
    return claim


def _publish_expense(claim: ExpenseClaim, action: str, actor: User, *, recipients) -> None:
    events.publish(
        document=workflows.EXPENSE.document,
        document_id=claim.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=claim.decision_note if action != "submitted" else claim.description,
        data={
            "actor": actor.get_full_name(),
            "amount": f"{claim.amount:,.2f}",
            "number": claim.contract.number,
            "url": reverse("commission:expenses"),
        },
    )


@transaction.atomic
def contract_cost_set(*, contract: Contract, cost: Decimal, actor: User, note: str = "") -> ContractCost:
    """Finance records the confidential cost of goods of a contract (input of margin and gross profit)."""
    if not (actor.is_finance or actor.is_admin_role):
        raise PermissionDenied(_("Only finance can record costs."), field="cost")
    cost = round_money(cost)
    if cost < 0:
        raise ApplicationError(_("The cost cannot be negative."), field="cost")
    contract = _lock_contract(contract)
    row, _created = ContractCost.objects.update_or_create(
        contract=contract, defaults={"cost": cost, "note": note, "recorded_by": actor}
    )
    return row


@transaction.atomic
def cooperation_bonus_set(
    *, contract: Contract, staff: User, rate_percent: Decimal, basis: str, actor: User, note: str = ""
) -> CooperationBonus:
    """Set the cooperation bonus of a non-sales staff member on a deal (manager of the unit, finance or admin)."""
    if not (actor.is_admin_role or actor.is_finance or (actor.is_manager and contract.unit_id in actor.team_unit_ids)):
        raise PermissionDenied(_("You cannot set bonuses on this contract."), field="staff")
    if not staff.is_staff_role:
        raise ApplicationError(_("Cooperation bonuses are for non-sales staff."), field="staff")
    if basis not in BonusBasis.values:
        raise ApplicationError(_("Unknown basis."), field="basis")
    if not (0 < rate_percent <= 100):
        raise ApplicationError(_("The rate must be between 0 and 100 %."), field="rate_percent")
    contract = _lock_contract(contract)
    row, _created = CooperationBonus.objects.update_or_create(
        contract=contract, staff=staff, defaults={"rate_percent": rate_percent, "basis": basis, "note": note}
    )
    return row


RULE_SET_FIELDS = (
    "name",
    "effective_from",
    "commission_percent",
    "retention_hold_percent",
    "expense_margin_threshold_percent",
    "expense_low_margin_percent",
    "expense_high_margin_percent",
    "market_fund_percent",
    "note",
)


def _rule_set_guard(actor: User, effective_from) -> None:
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only admins can change commission rules."), field="effective_from")
    if effective_from is None or effective_from <= timezone.localdate():
        # The rules in force (and those before them) decided statements already paid: a change starts tomorrow
        # at the earliest, as a new version.
        raise ApplicationError(
            _("A new rule set starts after today: the rules in force are never changed in place."),
            field="effective_from",
            code="not_future",
        )


@transaction.atomic
def rule_set_create(*, actor: User, **fields) -> CommissionRuleSet:
    """A new version of the commission rules, in force from a day after today."""
    _rule_set_guard(actor, fields.get("effective_from"))
    if CommissionRuleSet.objects.filter(effective_from=fields.get("effective_from")).exists():
        raise ApplicationError(_("A rule set already starts on this date."), field="effective_from", code="duplicate")
    rs = CommissionRuleSet(**fields)
    rs.full_clean()
    rs.save()
    return rs


def _scheduled(rule_set: CommissionRuleSet) -> CommissionRuleSet:
    locked = CommissionRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if locked.effective_from <= timezone.localdate():
        raise ApplicationError(
            _("This rule set is in force or past: add a new version with a later start instead."),
            field="effective_from",
            code="in_force",
        )
    return locked


@transaction.atomic
def rule_set_update(*, actor: User, rule_set: CommissionRuleSet, **fields) -> CommissionRuleSet:
    """Change a rule set that has not started yet (the one in force and the past ones never change)."""
    _rule_set_guard(actor, fields.get("effective_from", rule_set.effective_from))
    locked = _scheduled(rule_set)
    new_start = fields.get("effective_from", locked.effective_from)
    if CommissionRuleSet.objects.filter(effective_from=new_start).exclude(pk=locked.pk).exists():
        raise ApplicationError(_("A rule set already starts on this date."), field="effective_from", code="duplicate")
    for name, value in fields.items():
        if name not in RULE_SET_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def rule_set_withdraw(*, actor: User, rule_set: CommissionRuleSet) -> None:
    """Withdraw a rule set that has not started yet; one in force or past is never deleted."""
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only admins can change commission rules."), field="effective_from")
    _scheduled(rule_set).delete()


@transaction.atomic
def correction_add(
    *,
    salesperson: User,
    month: dt.date,
    amount: Decimal,
    reason: str,
    actor: User,
    kind: str = CorrectionKind.CORRECTION,
    contract: Contract | None = None,
) -> CommissionCorrection:
    """Finance adds a correction or a bad debt to a person's statement of an open month (append-only)."""
    if not can_close_months(actor):
        raise PermissionDenied(_("Only finance can record corrections."), field="amount")
    month = periods.month_start(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLOSE_LOCK_KEY])
    last = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if last is not None and month <= last:
        raise ApplicationError(
            _("%(month)s is closed: record the correction in an open month.") % {"month": f"{month:%Y-%m}"},
            field="month",
            code="closed",
        )
    if kind not in MANUAL_CORRECTION_KINDS:  # liability lines are posted by write-offs (services.liability)
        raise ApplicationError(_("Unknown kind."), field="kind")
    amount = round_money(amount)
    if amount == 0:
        raise ApplicationError(_("The amount cannot be zero."), field="amount")
    if not reason.strip():
        raise ApplicationError(_("Say why."), field="reason")
    if contract is not None and contract.owner_id != salesperson.id:
        raise ApplicationError(_("The contract belongs to someone else."), field="contract")
    return CommissionCorrection.objects.create(
        salesperson=salesperson,
        unit_id=salesperson.unit_id,
        contract=contract,
        month=month,
        kind=kind,
        amount=amount,
        reason=reason.strip(),
        recorded_by=actor,
    )


# --------------------------------------------------------------------------------------------------------------
# Market service fund (市場服務基金)
# --------------------------------------------------------------------------------------------------------------
FUND_LOCK_KEY = 5_000_502  # pg advisory lock: one accrual of the market fund at a time


def _accrue_market_fund(*, month: dt.date, actor: User | None) -> list[MarketFundEntry]:
    """Append to each unit's ledger the month's accrual: sales signed in the month × the rule set's fund rate,
    rounded half up to the cent, less what was already accrued for that unit and month (so running it again adds
    nothing, and a change of the month's sales adds exactly the difference, up or down)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FUND_LOCK_KEY])
    rules = rule_book(units=False).for_month(month)  # the market service fund is the company's
    sales = selectors.sales_by_unit(start=month, end=periods.month_end(month))
    booked: dict[int, Decimal] = {
        unit_id: amount
        for unit_id, amount in MarketFundEntry.objects.filter(month=month, kind=FundEntryKind.ACCRUAL)
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .order_by()
    }
    rate_percent = rules.market_fund_rate * 100
    created = []
    for unit_id in sorted(set(sales) | set(booked)):
        due = round_money(sales.get(unit_id, Decimal("0")) * rules.market_fund_rate)
        delta = due - booked.get(unit_id, Decimal("0"))
        if delta:
            created.append(
                MarketFundEntry(
                    unit_id=unit_id,
                    month=month,
                    kind=FundEntryKind.ACCRUAL,
                    amount=delta,
                    sales_base=sales.get(unit_id, Decimal("0")),
                    rate_percent=rate_percent,
                    note=_("%(rate)s %% of the sales of %(month)s")
                    % {"rate": f"{rate_percent.normalize():f}", "month": f"{month:%Y-%m}"}
                    if unit_id not in booked
                    else _("Correction: the sales of %(month)s changed") % {"month": f"{month:%Y-%m}"},
                    recorded_by=actor,
                )
            )
    return MarketFundEntry.objects.bulk_create(created)


@transaction.atomic
def market_fund_accrue(*, month: dt.date, actor: User) -> list[MarketFundEntry]:
    """Finance (or an admin) books an ended month's accrual of the market service fund (also done when the
    commission month is closed). Idempotent: only a difference is ever appended."""
    if not permissions.can_accrue_market_fund(actor):
        raise PermissionDenied(_("Only finance can book the market service fund."), field="month")
    month = periods.month_start(month)
    if periods.month_end(month) >= timezone.localdate():
        raise ApplicationError(
            _("A month's fund is accrued only after the month has ended."), field="month", code="not_ended"
        )
    return _accrue_market_fund(month=month, actor=actor)


@transaction.atomic
def market_fund_spend_request(
    *,
    actor: User,
    unit: SalesUnit,
    purpose: str,
    amount: Decimal,
    description: str,
    spend_on: dt.date,
    recipient: User | None = None,
) -> MarketFundSpend:
    """A unit's manager (or the GM office) asks to spend from the unit's fund; the GM office decides."""
    if not permissions.can_request_fund_spend(actor, unit.pk):
        raise PermissionDenied(_("You cannot spend from this unit's market service fund."), field="unit")
    if purpose not in FundPurpose.values:
        raise ApplicationError(_("Unknown purpose."), field="purpose")
    amount = round_money(amount)
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    if not (description or "").strip():
        raise ApplicationError(_("Say what the money is for."), field="description")
    if purpose == FundPurpose.AWARD:
        if recipient is None or recipient.unit_id != unit.pk or not recipient.is_seller:
            raise ApplicationError(
                _("A year-end award goes to a salesperson of the unit."), field="recipient", code="recipient"
            )
    elif recipient is not None:
        raise ApplicationError(_("Only a year-end award names a salesperson."), field="recipient")
    spend = MarketFundSpend.objects.create(
        unit=unit,
        purpose=purpose,
        amount=amount,
        description=description.strip(),
        spend_on=spend_on,
        recipient=recipient,
        requested_by=actor,
    )
    deciders = User.objects.filter(is_active=True).filter(Q(role=Role.GM_OFFICE))
    _publish_fund(spend, "submitted", actor, recipients=list(deciders.values_list("pk", flat=True)))
    return spend


@transaction.atomic
def market_fund_spend_decide(*, spend: MarketFundSpend, actor: User, approve: bool, note: str = "") -> MarketFundSpend:
    """The GM office approves (the spending is appended to the ledger) or rejects (with a reason) a request. The
    unit's row is locked while its balance is read, so two approvals never spend the same money twice."""
    spend = MarketFundSpend.objects.select_for_update().get(pk=spend.pk)
    workflows.MARKET_FUND.check(actor, spend, "approve" if approve else "reject")
    if not approve and not note.strip():
        raise ApplicationError(_("Give a reason for rejecting."), field="decision_note")
    if approve:
        SalesUnit.objects.select_for_update().get(pk=spend.unit_id)
        balance = selectors.fund_balance_of(spend.unit_id)
        if spend.amount > balance:
            raise ApplicationError(
                _("The unit's fund holds %(balance)s, less than %(amount)s.")
                % {"balance": f"{balance:,.2f}", "amount": f"{spend.amount:,.2f}"},
                field="amount",
                code="insufficient_fund",
            )
        MarketFundEntry.objects.create(
            unit_id=spend.unit_id,
            month=periods.month_start(timezone.localdate()),
            kind=spend.purpose,
            amount=-spend.amount,
            spend=spend,
            note=spend.description,
            recorded_by=actor,
        )
    spend.status = FundSpendStatus.APPROVED if approve else FundSpendStatus.REJECTED
    spend.decided_by = actor
    spend.decided_at = timezone.now()
    spend.decision_note = note.strip()
    spend.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    told = [spend.requested_by_id]
    if approve and spend.recipient_id:
        told.append(spend.recipient_id)
    _publish_fund(spend, "approved" if approve else "rejected", actor, recipients=told)
    return spend


def _publish_fund(spend: MarketFundSpend, action: str, actor: User, *, recipients) -> None:
    events.publish(
        document=workflows.MARKET_FUND.document,
        document_id=spend.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=spend.decision_note if action != "submitted" else spend.description,
        data={
            "actor": actor.get_full_name(),
            "amount": f"{spend.amount:,.2f}",
            "unit": spend.unit.name,
            "url": reverse("commission:market_fund"),
        },
    )


# --- unit rules (實施細則) -------------------------------------------------------------------------------------


def unit_commission_policy_propose(*, actor: User, unit, effective_from: dt.date, **values) -> UnitCommissionPolicy:
    """A unit's own commission rates from a date (empty: the company's rule set); in force once the GM office
    approves them."""
    return unit_policy.propose(
        UnitCommissionPolicy,
        workflows.UNIT_POLICY,
        actor=actor,
        unit=unit,
        effective_from=effective_from,
        values=values,
        url=reverse("commission:unit_rules"),
    )


def unit_commission_policy_approve(*, actor: User, policy: UnitCommissionPolicy) -> UnitCommissionPolicy:
    return unit_policy.approve(workflows.UNIT_POLICY, actor=actor, policy=policy, url=reverse("commission:unit_rules"))


def unit_commission_policy_reject(*, actor: User, policy: UnitCommissionPolicy, reason: str) -> UnitCommissionPolicy:
    return unit_policy.reject(
        workflows.UNIT_POLICY, actor=actor, policy=policy, reason=reason, url=reverse("commission:unit_rules")
    )
