"""The pages of the units' own rules (實施細則), one per policy (sales, commission, reports), drawn from the same
view and template: a unit's manager (or an admin) proposes, the GM office approves or rejects with a reason.
Another unit's rules are a 404; salespeople have no such page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError
from core.forms import apply_service_error

from .models import SalesUnit
from .unit_policy import UnitPolicy, may_propose_any, may_view, proposable_units, visible_to


class _DateInput(forms.DateInput):
    input_type = "date"


def policy_form(model: type[UnitPolicy], user: Any, data: Any = None) -> forms.ModelForm:
    """The proposal form: the unit (the user's own units; every unit for an admin), the date and the overrides."""

    policy_model = model

    class Form(forms.ModelForm):
        class Meta:
            model = policy_model
            fields = ("unit", "effective_from", *policy_model.OVERRIDES)
            widgets = {"effective_from": _DateInput()}

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            field = self.fields["unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = proposable_units(SalesUnit.objects.order_by("code"), user)
            for name in model.OVERRIDES:
                self.fields[name].required = False

    return Form(data)


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize() if value == value.to_integral() else value, force_grouping=True)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


TABS = (
    ("sales:unit_rules", gettext_lazy("Sales")),
    ("commission:unit_rules", gettext_lazy("Commission")),
    ("reports:unit_rules", gettext_lazy("Reports")),
)


def rules_page(
    request: HttpRequest,
    *,
    model: type[UnitPolicy],
    workflow: Any,
    propose: Callable[..., Any],
    url_name: str,
    decide_url_name: str,
    title: str,
) -> HttpResponse:
    user = request.user
    if not may_view(user):
        raise Http404
    form = policy_form(model, user, request.POST or None) if may_propose_any(user) else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            propose(
                actor=user,
                unit=data["unit"],
                effective_from=data["effective_from"],
                **{name: data.get(name) for name in model.OVERRIDES},
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Proposed. The GM office has been notified."))
            return redirect(url_name)
    headers = [getattr(model._meta.get_field(name), "verbose_name", name) for name in model.OVERRIDES]
    qs = visible_to(model.objects.select_related("unit", "set_by", "approved_by"), user)
    rows = [
        (policy, [_display(getattr(policy, name)) for name in model.OVERRIDES], workflow.action_names(user, policy))
        for policy in qs.order_by("unit__code", "-effective_from", "-id")[:200]
    ]
    return render(
        request,
        "accounts/unit_rules.html",
        {
            "title": title,
            "form": form,
            "rows": rows,
            "headers": headers,
            "decide_url_name": decide_url_name,
            "tabs": TABS,
            "current": url_name,
        },
    )


def decide(
    request: HttpRequest,
    *,
    model: type[UnitPolicy],
    pk: int,
    verb: str,
    approve: Callable[..., Any],
    reject: Callable[..., Any],
    url_name: str,
) -> HttpResponse:
    if request.method != "POST" or not request.user.is_authenticated:
        raise Http404
    policy = visible_to(model.objects.all(), request.user).filter(pk=pk).first()
    if policy is None or verb not in ("approve", "reject"):
        raise Http404
    try:
        if verb == "approve":
            approve(actor=request.user, policy=policy)
            messages.success(request, _("Approved: the unit's rules are in force from their date."))
        else:
            reject(actor=request.user, policy=policy, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected. The proposer has been notified with your reason."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(url_name)
