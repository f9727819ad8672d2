"""Pages of the commission app. Views call selectors and services; the rules live in rules/."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import unit_policy_views
from core import periods
from core.exceptions import ApplicationError
from core.forms import apply_service_error
from sales.models import Contract, ContractStatus

from . import rules as p
from . import selectors, services, workflows
from .display import localize
from .exports import statements_xlsx
from .forms import (
    ContractCostForm,
    CooperationBonusForm,
    CorrectionForm,
    ExpenseClaimForm,
    ExpenseDecisionForm,
    RuleSetForm,
)
from .models import CommissionRuleSet, ExpenseClaim, UnitCommissionPolicy


def _month(request):
    """The ?month=YYYY-MM of the request, or the current month."""
    return selectors.parse_month(request.GET.get("month"), default=selectors.current_month())


def _month_or_404(value: str):
    month = selectors.parse_month(value)
    if month is None:
        raise Http404
    return month


def _lang() -> str:
    return translation.get_language() or "zh-hant"


def _month_nav(month: dt.date) -> dict[str, dt.date]:
    """The month shown and its neighbours, for the month switcher of every statement page."""
    return {"month": month, "prev_month": periods.add_months(month, -1), "next_month": periods.add_months(month, 1)}


@login_required
def statement_list(request):
    month = _month(request)
    statements = selectors.statements_for_month(viewer=request.user, month=month)
    full = selectors.can_see_cost(request.user)
    closed = selectors.month_status(month)
    last_closed = selectors.last_closed_month()
    next_to_close = periods.add_months(last_closed, 1) if last_closed else None
    return render(
        request,
        "commission/statement_list.html",
        {
            **_month_nav(month),
            "statements": [localize(s, language=_lang(), full=full) for s in statements],
            "closed": closed,
            "last_closed": last_closed,
            "next_to_close": next_to_close,
            "can_close": services.can_close_months(request.user)
            and closed is None
            and periods.month_end(month) < timezone.localdate(),
            "can_export": request.user.is_company_wide or request.user.is_manager,
        },
    )


def _statement_or_404(request, user_id: int, month_value: str) -> dict | None:
    """The statement, None if the person is visible but has none that month, 404 if the person is not visible."""
    month = _month_or_404(month_value)
    data = selectors.statement_for(viewer=request.user, month=month, salesperson_id=user_id)
    if data is None:
        if not selectors.visible_people(request.user).filter(pk=user_id).exists():
            raise Http404
        return None
    return data


def _correction_allowed(user, month) -> bool:
    last = selectors.last_closed_month()
    return services.can_close_months(user) and (last is None or month > last)


@login_required
def statement_detail(request, user_id: int, month: str):
    month_date = _month_or_404(month)
    person = get_object_or_404(selectors.visible_people(request.user), pk=user_id)
    correction_form = None
    if _correction_allowed(request.user, month_date):
        contracts = Contract.objects.filter(owner=person).order_by("-created_at")
        correction_form = CorrectionForm(request.POST or None, contracts=contracts)
        if request.method == "POST" and correction_form.is_valid():
            try:
                services.correction_add(
                    salesperson=person, month=month_date, actor=request.user, **correction_form.cleaned_data
                )
            except ApplicationError as exc:
                apply_service_error(correction_form, exc)
            else:
                messages.success(request, _("Correction added."))
                return redirect("commission:statement", user_id=person.id, month=month)
    elif request.method == "POST":
        raise PermissionDenied
    data = _statement_or_404(request, user_id, month)
    full = selectors.can_see_cost(request.user)
    return render(
        request,
        "commission/statement_detail.html",
        {
            "st": localize(data, language=_lang(), full=full) if data else None,
            "person": person,
            **_month_nav(month_date),
            "correction_form": correction_form,
        },
    )


@login_required
def statement_print(request, user_id: int, month: str):
    data = _statement_or_404(request, user_id, month)
    if data is None:
        raise Http404
    full = selectors.can_see_cost(request.user)
    return render(request, "commission/statement_print.html", {"st": localize(data, language=_lang(), full=full)})


@login_required
def export_xlsx(request, month: str):
    if not (request.user.is_company_wide or request.user.is_manager):
        raise PermissionDenied
    month_date = _month_or_404(month)
    statements = selectors.statements_for_month(viewer=request.user, month=month_date)
    body = statements_xlsx(
        statements=statements, month=month_date, language=_lang(), full=selectors.can_see_cost(request.user)
    )
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="commission-{month_date:%Y-%m}.xlsx"'
    return response


@login_required
@require_POST
def month_close(request):
    month = selectors.parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose a month."))
        return redirect("commission:statements")
    try:
        services.month_close(month=month, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Commission month %(month)s is closed.") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('commission:statements')}?month={month:%Y-%m}")


@login_required
def summary(request):
    if not request.user.is_company_wide:
        raise PermissionDenied
    month = _month(request)
    rows, total, rules = selectors.company_summary(viewer=request.user, month=month)
    return render(
        request,
        "commission/summary.html",
        {
            **_month_nav(month),
            "rows": rows,
            "total": total,
            "rules": rules,
            "fund_percent": p.pct(rules.market_fund_rate),
            "closed": selectors.month_status(month),
        },
    )


@login_required
def expense_list(request):
    own_contracts = Contract.objects.visible_to(request.user).filter(owner=request.user)
    own_contracts = own_contracts.exclude(status__in=[ContractStatus.CANCELLED, ContractStatus.REJECTED])
    form = None
    if request.user.is_salesperson or own_contracts.exists():
        form = ExpenseClaimForm(request.POST or None, contracts=own_contracts.order_by("-created_at"))
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.expense_submit(claimant=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Your expense is waiting for the manager's approval."))
            return redirect("commission:expenses")
    to_decide = list(selectors.expenses_to_decide(request.user)[:200])
    claims = list(selectors.expenses_visible(request.user)[:200])
    return render(
        request,
        "commission/expenses.html",
        {
            "form": form,
            "claims": claims,
            "to_decide": to_decide,
            "decision_form": ExpenseDecisionForm(),
            "budgets": selectors.expense_budgets(request.user, limit=30),
        },
    )


@login_required
@require_POST
def expense_decide(request, pk: int):
    claim = get_object_or_404(ExpenseClaim.objects.visible_to(request.user), pk=pk)
    form = ExpenseDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("commission:expenses")
    try:
        services.expense_decide(
            claim=claim,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Expense decided."))
    return redirect("commission:expenses")


@login_required
def contract_commission(request, pk: int):
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related("customer", "owner", "unit"), pk=pk
    )
    user = request.user
    can_cost = user.is_finance or user.is_admin_role
    can_bonus = can_cost or (user.is_manager and contract.unit_id in user.team_unit_ids)
    cost_row = selectors.cost_of(contract) if selectors.can_see_cost(user) else None
    cost_form = ContractCostForm(
        request.POST if "save_cost" in request.POST else None,
        initial={"cost": cost_row.cost if cost_row else None, "note": cost_row.note if cost_row else ""},
    )
    bonus_form = CooperationBonusForm(
        request.POST if "save_bonus" in request.POST else None, staff=selectors.staff_users()
    )
    if request.method == "POST":
        if ("save_cost" in request.POST and not can_cost) or ("save_bonus" in request.POST and not can_bonus):
            raise PermissionDenied
        try:
            if "save_cost" in request.POST and can_cost and cost_form.is_valid():
                services.contract_cost_set(contract=contract, actor=user, **cost_form.cleaned_data)
                messages.success(request, _("Cost saved."))
                return redirect("commission:contract", pk=contract.pk)
            if "save_bonus" in request.POST and can_bonus and bonus_form.is_valid():
                services.cooperation_bonus_set(contract=contract, actor=user, **bonus_form.cleaned_data)
                messages.success(request, _("Cooperation bonus saved."))
                return redirect("commission:contract", pk=contract.pk)
        except ApplicationError as exc:
            target = cost_form if "save_cost" in request.POST else bonus_form
            apply_service_error(target, exc)
    facts = selectors.load_facts(Contract.objects.filter(pk=contract.pk))[0]
    book = selectors.rule_book()
    month = selectors.current_month()
    rules = book.for_month(month, unit_id=contract.unit_id)
    valuation = p.value_commission(facts, rules)
    allowance = p.expense_allowance(facts, rules)
    st = p.settlement(facts)
    return render(
        request,
        "commission/contract.html",
        {
            "contract": contract,
            "facts": facts,
            "valuation": valuation,
            "allowance": allowance if selectors.can_see_cost(user) else None,
            "allowance_amount": allowance.amount if selectors.can_see_cost(user) else None,
            "settlement": st,
            "cost_row": cost_row,
            "cost_form": cost_form if can_cost else None,
            "bonus_form": bonus_form if can_bonus else None,
            "bonuses": contract.cooperation_bonuses.select_related("staff"),
            "claims": contract.expense_claims.select_related("claimant", "decided_by").order_by("-incurred_on"),
            "can_see_cost": selectors.can_see_cost(user),
        },
    )


@login_required
def month_list(request):
    """The commission months, open or closed, for those who close them or read the company's commission."""
    user = request.user
    if not (services.can_close_months(user) or user.is_company_wide or user.is_manager):
        raise PermissionDenied
    return render(
        request,
        "commission/month_list.html",
        {"rows": selectors.month_rows(), "can_close": services.can_close_months(user)},
    )


def _require_admin(user) -> None:
    if not user.is_admin_role:
        raise PermissionDenied


RULE_SET_STATES = {"scheduled": _("Scheduled"), "in_force": _("In force"), "past": _("Past")}


@login_required
def rule_set_list(request):
    """The commission rule book's versions with their effective dates; admins add a version starting after today
    and may change or withdraw one that has not started. The version in force is read-only."""
    _require_admin(request.user)
    form = RuleSetForm(request.POST or None, submit_label=_("Add version"))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("New version of the commission rules saved."))
            return redirect("commission:rule_sets")
    rows = [(rs, state, RULE_SET_STATES[state]) for rs, state in selectors.rule_sets()]
    return render(request, "commission/rule_sets.html", {"form": form, "rows": rows})


@login_required
def rule_set_edit(request, pk: int):
    _require_admin(request.user)
    rule_set = get_object_or_404(CommissionRuleSet, pk=pk)
    if rule_set.effective_from <= timezone.localdate():
        messages.error(request, _("This rule set is in force or past: add a new version with a later start instead."))
        return redirect("commission:rule_sets")
    if request.method == "POST" and request.POST.get("withdraw"):
        try:
            services.rule_set_withdraw(actor=request.user, rule_set=rule_set)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The scheduled version was withdrawn."))
        return redirect("commission:rule_sets")
    form = RuleSetForm(request.POST or None, instance=rule_set, submit_label=_("Save"))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_update(actor=request.user, rule_set=rule_set, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Scheduled version changed."))
            return redirect("commission:rule_sets")
    return render(request, "commission/rule_set_edit.html", {"form": form, "rule_set": rule_set})


# --------------------------------------------------------------------------------------------------------------
# Market service fund (市場服務基金)
# --------------------------------------------------------------------------------------------------------------
def _fund_units(user):
    from accounts.models import SalesUnit

    if user.is_gm_office or user.is_admin_role:
        return SalesUnit.objects.order_by("code")
    if user.is_manager:
        return SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("code")
    return SalesUnit.objects.none()


@login_required
def market_fund(request):
    """Balances per unit and company, the requests waiting, the ledger; a manager asks to spend, finance books a
    month's accrual. Salespeople do not manage the fund: 404."""
    from accounts.models import User

    from .forms import FundSpendForm, MonthForm
    from .permissions import can_accrue_market_fund, can_view_market_fund

    user = request.user
    if not can_view_market_fund(user):
        raise Http404
    units = _fund_units(user)
    people = User.objects.filter(unit__in=units, is_active=True, role__in=["salesperson", "manager"]).order_by(
        "full_name", "username"
    )
    form = FundSpendForm(request.POST if "request" in request.POST else None, units=units, people=people)
    if units.exists() and "request" in request.POST and form.is_valid():
        try:
            services.market_fund_spend_request(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Request sent to the GM office."))
            return redirect("commission:market_fund")
    accrue_form = MonthForm(request.POST if "accrue" in request.POST else None)
    if "accrue" in request.POST and can_accrue_market_fund(user) and accrue_form.is_valid():
        month = selectors.parse_month(accrue_form.cleaned_data["month"])
        if month is None:
            accrue_form.add_error("month", _("Enter a month."))
        else:
            try:
                rows = services.market_fund_accrue(month=month, actor=user)
            except ApplicationError as exc:
                apply_service_error(accrue_form, exc)
            else:
                messages.success(request, _("%(n)s ledger lines added.") % {"n": len(rows)})
                return redirect("commission:market_fund")
    rows, total = selectors.fund_balances(viewer=user)
    ledger = Paginator(selectors.fund_entries_visible(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "commission/market_fund.html",
        {
            "rows": rows,
            "total": total,
            "ledger": ledger,
            "form": form if units.exists() else None,
            "accrue_form": accrue_form if can_accrue_market_fund(user) else None,
            "to_decide": list(selectors.fund_spends_to_decide(user)[:50]),
            "requests": list(selectors.fund_spends_visible(user)[:20]),
        },
    )


@login_required
@require_POST
def market_fund_decide(request, pk: int):
    from .forms import FundDecisionForm

    spend = get_object_or_404(selectors.fund_spends_visible(request.user), pk=pk)
    form = FundDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("commission:market_fund")
    try:
        services.market_fund_spend_decide(
            spend=spend,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request decided."))
    return redirect("commission:market_fund")


# --------------------------------------------------------------------------------------------------------------
# Profit contribution (利潤貢獻): managers and above only
# --------------------------------------------------------------------------------------------------------------
PROFIT_LABELS = {
    "salesperson": _("Salesperson"),
    "customer": _("Customer"),
    "product": _("Product"),
    "unit": _("Sales unit"),
}


@login_required
def profit(request):
    """Profit contribution per salesperson, customer, product or unit for a month, quarter or year. It shows cost,
    so salespeople (and anyone else who may not see cost) get a 404, never a hint that the page exists."""
    from openpyxl import Workbook

    from core.exports import workbook_bytes, xlsx_append, xlsx_response

    from .permissions import can_see_profit

    if not can_see_profit(request.user):
        raise Http404
    period_type, start = periods.parse_period(
        request.GET.get("period"), request.GET.get("start"), today=timezone.localdate()
    )
    end = periods.period_bounds(period_type, start)[1]
    by = request.GET.get("by") if request.GET.get("by") in selectors.PROFIT_DIMENSIONS else "salesperson"
    rows = selectors.profit_contribution(viewer=request.user, start=start, end=end, by=by)
    total = selectors.ProfitRow(key=None, label=_("Total"))
    for r in rows:
        total.sales += r.sales
        total.cost += r.cost
        total.expenses += r.expenses
        total.uncosted_sales += r.uncosted_sales
        total.contracts += r.contracts
    if request.GET.get("format") == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = str(_("Profit contribution"))[:31]
        header = [
            PROFIT_LABELS[by],
            _("Sales"),
            _("Cost of goods"),
            _("Gross profit"),
            _("Approved expenses"),
            _("Profit contribution"),
            _("Margin %"),
            _("Sales without a recorded cost"),
        ]
        xlsx_append(ws, [str(h) for h in header])
        for r in [*rows, total]:
            xlsx_append(
                ws, [r.label, r.sales, r.cost, r.gross_profit, r.expenses, r.contribution, r.margin, r.uncosted_sales]
            )
        return xlsx_response(f"profit-{by}-{periods.period_label(period_type, start)}.xlsx", workbook_bytes(wb))
    return render(
        request,
        "commission/profit.html",
        {
            "rows": rows,
            "total": total,
            "by": by,
            "by_choices": [(k, str(v)) for k, v in PROFIT_LABELS.items()],
            "period_type": period_type,
            "start": start,
            "end": end,
            "label": periods.period_label(period_type, start),
            "prev": periods.add_months(start, -{"year": 12, "quarter": 3}.get(period_type, 1)),
            "next": periods.add_months(start, {"year": 12, "quarter": 3}.get(period_type, 1)),
        },
    )


# --- unit rules (實施細則): the shared page of accounts.unit_policy_views ----------------------------------------


@login_required
def unit_rules(request):
    return unit_policy_views.rules_page(
        request,
        model=UnitCommissionPolicy,
        workflow=workflows.UNIT_POLICY,
        propose=services.unit_commission_policy_propose,
        url_name="commission:unit_rules",
        decide_url_name="commission:unit_rules_decide",
        title=_("Unit rules: commission"),
    )


@login_required
@require_POST
def unit_rules_decide(request, pk: int, verb: str):
    return unit_policy_views.decide(
        request,
        model=UnitCommissionPolicy,
        pk=pk,
        verb=verb,
        approve=services.unit_commission_policy_approve,
        reject=services.unit_commission_policy_reject,
        url_name="commission:unit_rules",
    )
