"""Pages of the commission app. Views call selectors and services; the rules live in rules/."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import periods
from core.exceptions import ApplicationError
from core.forms import apply_service_error
from sales.models import Contract, ContractStatus

from . import rules as p
from . import selectors, services
from .display import localize
from .exports import statements_xlsx
from .forms import ContractCostForm, CooperationBonusForm, CorrectionForm, ExpenseClaimForm, ExpenseDecisionForm
from .models import ExpenseClaim


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
    rules = book.for_month(month)
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
