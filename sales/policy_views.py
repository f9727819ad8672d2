"""The units' own sales rules (實施細則): a unit's manager proposes them, the GM office approves or rejects them.
The page is the shared one of `accounts.unit_policy_views`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import unit_policy_views

from . import workflows
from .models import UnitSalesPolicy
from .services import catalogue


@login_required
def unit_rules(request):
    return unit_policy_views.rules_page(
        request,
        model=UnitSalesPolicy,
        workflow=workflows.UNIT_POLICY,
        propose=catalogue.unit_sales_policy_propose,
        url_name="sales:unit_rules",
        decide_url_name="sales:unit_rules_decide",
        title=_("Unit rules: sales"),
    )


@login_required
@require_POST
def unit_rules_decide(request, pk: int, verb: str):
    return unit_policy_views.decide(
        request,
        model=UnitSalesPolicy,
        pk=pk,
        verb=verb,
        approve=catalogue.unit_sales_policy_approve,
        reject=catalogue.unit_sales_policy_reject,
        url_name="sales:unit_rules",
    )
