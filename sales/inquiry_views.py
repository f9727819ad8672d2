"""Pages of the written price inquiries (書面詢價): list and ask, read and answer, the stamped copy."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import apply_service_error

from . import selectors, workflows
from .forms import InquiryAnswerForm, InquiryAttachForm, InquiryForm
from .models import InquiryStatus, PriceInquiry
from .services import inquiries


def _inquiry(request, pk: int) -> PriceInquiry:
    inquiry = (
        selectors.inquiries_visible_to(request.user)
        .select_related("product", "requesting_unit", "producing_unit", "requested_by", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if inquiry is None:
        raise Http404
    return inquiry


@login_required
def inquiry_list(request):
    form = InquiryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = inquiries.inquiry_create(
                actor=request.user,
                product=data["product"],
                quantity=data.get("quantity"),
                note=data.get("note") or "",
                stamped_copy=data.get("stamped_copy"),
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Price inquiry sent. The producing unit's manager has been notified."))
            return redirect("sales:inquiry_detail", pk=inquiry.pk)
    qs = (
        selectors.inquiries_visible_to(request.user)
        .select_related("product", "requesting_unit", "producing_unit", "requested_by")
        .order_by("-created_at", "-id")
    )
    if (status := request.GET.get("status")) in InquiryStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    may_ask = (request.user.is_salesperson or request.user.is_manager) and request.user.unit_id is not None
    return render(
        request,
        "sales/inquiry_list.html",
        {"page": page, "form": form if may_ask else None, "statuses": InquiryStatus.choices},
    )


@login_required
def inquiry_detail(request, pk: int):
    inquiry = _inquiry(request, pk)
    actions = set(workflows.PRICE_INQUIRY.action_names(request.user, inquiry))
    answer_form = InquiryAnswerForm(request.POST or None) if "answer" in actions else None
    if request.method == "POST" and answer_form is not None and answer_form.is_valid():
        data = answer_form.cleaned_data
        try:
            inquiries.inquiry_answer(actor=request.user, inquiry=inquiry, **data)
        except ApplicationError as exc:
            apply_service_error(answer_form, exc)
        else:
            messages.success(request, _("Answered. Whoever asked has been notified."))
            return redirect("sales:inquiry_detail", pk=pk)
    elif request.method == "POST" and answer_form is None:
        try:
            workflows.PRICE_INQUIRY.check(request.user, inquiry, "answer")  # who: 403; the state: a message
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("sales:inquiry_detail", pk=pk)
    return render(
        request,
        "sales/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "actions": actions,
            "answer_form": answer_form,
            "attach_form": InquiryAttachForm() if "attach" in actions else None,
            "see_cost": selectors.sees_cost(request.user),
        },
    )


@login_required
@require_POST
def inquiry_action(request, pk: int, verb: str):
    inquiry = _inquiry(request, pk)
    try:
        if verb == "attach":
            form = InquiryAttachForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ApplicationError(_("Choose the file."), field="stamped_copy", code="required")
            inquiries.inquiry_attach(
                actor=request.user, inquiry=inquiry, stamped_copy=form.cleaned_data["stamped_copy"]
            )
            messages.success(request, _("Stamped inquiry attached."))
        elif verb == "cancel":
            inquiries.inquiry_cancel(actor=request.user, inquiry=inquiry)
            messages.success(request, _("Price inquiry withdrawn."))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:inquiry_detail", pk=pk)


@login_required
def inquiry_file(request, pk: int):
    """The stamped copy, for those who may see the inquiry (404 for anyone else, as for the inquiry)."""
    inquiry = _inquiry(request, pk)
    if not inquiry.stamped_copy:
        raise Http404
    name = os.path.basename(inquiry.stamped_copy.name or "") or "stamped"
    return FileResponse(inquiry.stamped_copy.open("rb"), as_attachment=True, filename=name)
