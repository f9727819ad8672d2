"""The units' own rules (實施細則): a unit's manager proposes them, the GM office approves or rejects them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import apply_service_error

from . import workflows
from .forms import UnitPolicyForm
from .models import UnitSalesPolicy
from .services import catalogue

FIELDS = catalogue.UNIT_POLICY_FIELDS


def _may_use(user) -> bool:
    return bool(user.is_manager or user.is_admin_role or user.is_gm_office)


def _visible(user):
    qs = UnitSalesPolicy.objects.select_related("unit", "set_by", "approved_by")
    if user.is_company_wide:
        return qs
    return qs.filter(unit_id__in=user.team_unit_ids)


@login_required
def unit_rules(request):
    user = request.user
    if not _may_use(user):
        raise Http404
    may_propose = user.is_admin_role or user.is_manager
    form = UnitPolicyForm(request.POST or None, user=user) if may_propose else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            catalogue.unit_sales_policy_propose(
                actor=user,
                unit=data["unit"],
                effective_from=data["effective_from"],
                **{name: data.get(name) for name in FIELDS},
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Proposed. The GM office has been notified."))
            return redirect("sales:unit_rules")
    rows = [
        (policy, workflows.UNIT_POLICY.action_names(user, policy))
        for policy in _visible(user).order_by("unit__code", "-effective_from", "-id")[:200]
    ]
    return render(request, "sales/unit_rules.html", {"form": form, "rows": rows, "fields": FIELDS})


@login_required
@require_POST
def unit_rules_decide(request, pk: int, verb: str):
    policy = _visible(request.user).filter(pk=pk).first()
    if policy is None or verb not in ("approve", "reject"):
        raise Http404
    try:
        if verb == "approve":
            catalogue.unit_sales_policy_approve(actor=request.user, policy=policy)
            messages.success(request, _("Approved: the unit's rules are in force from their date."))
        else:
            catalogue.unit_sales_policy_reject(actor=request.user, policy=policy, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected. The proposer has been notified with your reason."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:unit_rules")
