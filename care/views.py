from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.exceptions import ApplicationError
from core.forms import apply_service_error
from core.models import Activity
from customers.models import Customer

from . import selectors, services
from .forms import CaseActionForm, CaseForm, CheckupForm, GatheringForm, ReassignForm, ReferralForm
from .models import Case, CaseStatus, Checkup, Gathering
from .permissions import can_reassign_case
from .workflows import CASE


def _colleagues(user: User, case: Case):
    """Active salespeople and managers of the case's unit (and the GM office), the owner excluded."""
    unit_id = case.customer.unit_id
    return (
        User.objects.filter(is_active=True)
        .filter(Q(unit_id=unit_id) | Q(role="gm_office"))
        .exclude(pk=case.owner_id)
        .order_by("full_name", "username")
    )


@login_required
def board(request):
    data = selectors.care_board(request.user)
    return render(request, "care/board.html", {"board": data})


@login_required
def checkup(request, pk: int):
    item = get_object_or_404(
        Checkup.objects.visible_to(request.user).select_related("customer", "shipment__contract", "owner"), pk=pk
    )
    form = CheckupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkup_record(checkup=item, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Check-up recorded."))
            return redirect("care:board")
    status = 400 if request.method == "POST" else 200
    return render(request, "care/checkup.html", {"item": item, "form": form}, status=status)


@login_required
def case_list(request):
    status = request.GET.get("status", "active")
    qs = Case.objects.visible_to(request.user).select_related("customer", "owner")
    if status == "active":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    elif status in CaseStatus.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    if request.GET.get("overdue"):
        qs = qs.filter(due_at__lt=timezone.now()).exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    page = Paginator(qs.order_by("due_at", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "care/case_list.html",
        {"page": page, "status": status, "kind": kind, "statuses": CaseStatus.choices, "now": timezone.now()},
    )


@login_required
def case_new(request):
    initial = {}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = request.GET["customer"]
    form = CaseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Case %(number)s opened for %(owner)s, due by %(due)s.")
                % {
                    "number": case.number,
                    "owner": case.owner,
                    "due": f"{timezone.localtime(case.due_at):%Y-%m-%d %H:%M}",
                },
            )
            return redirect("care:case", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "care/case_new.html", {"form": form}, status=status)


def _visible_case(request, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("customer__unit", "owner", "opened_by", "contract"), pk=pk
    )


@login_required
def case_detail(request, pk: int):
    case = _visible_case(request, pk)
    return render(request, "care/case_detail.html", _case_context(request, case))


def _case_context(request, case: Case, **extra):
    can_reassign = can_reassign_case(request.user, case) and case.status != CaseStatus.CLOSED
    return {
        "case": case,
        "actions": CASE.actions_for(request.user, case),
        "action_form": extra.get("action_form") or CaseActionForm(),
        "reassign_form": extra.get("reassign_form")
        or (ReassignForm(colleagues=_colleagues(request.user, case)) if can_reassign else None),
        "history": Activity.objects.filter(document=CASE.document, document_id=case.pk).select_related("actor")[:50],
        "now": timezone.now(),
    }


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    case = _visible_case(request, pk)
    form = CaseActionForm(request.POST)
    if form.is_valid():
        try:
            services.case_act(case=case, actor=request.user, action=action, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            form.add_error("note", exc.message)
        else:
            messages.success(request, _("Case %(number)s: done.") % {"number": case.number})
            return redirect("care:case", pk=case.pk)
    return render(request, "care/case_detail.html", _case_context(request, case, action_form=form), status=400)


@login_required
@require_POST
def case_reassign(request, pk: int):
    case = _visible_case(request, pk)
    form = ReassignForm(request.POST, colleagues=_colleagues(request.user, case))
    if form.is_valid():
        try:
            services.case_reassign(case=case, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("Case handed over to %(name)s; they have been told.") % {"name": form.cleaned_data["to"]}
            )
            return redirect("care:case", pk=case.pk)
    return render(request, "care/case_detail.html", _case_context(request, case, reassign_form=form), status=400)


@login_required
def customer_care(request, pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = ReferralForm(request.POST or None, user=request.user, exclude=customer.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_record(customer=customer, referrer=form.cleaned_data["referrer"], actor=request.user)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Referral recorded."))
            return redirect("care:customer", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "care/customer.html", {"care": selectors.customer_care(customer), "form": form}, status=status
    )


@login_required
def winback(request):
    page = Paginator(selectors.winback_list(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "care/winback.html", {"page": page})


@login_required
def referrals(request):
    since = timezone.localdate() - dt.timedelta(days=365)
    return render(
        request,
        "care/referrals.html",
        {
            "rows": selectors.referrer_ranking(request.user),
            "by_owner": selectors.satisfaction_by(request.user, since=since, by="owner"),
            "by_category": selectors.satisfaction_by(request.user, since=since, by="category"),
        },
    )


@login_required
def gatherings(request):
    form = GatheringForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gathering = services.gathering_create(
                actor=request.user,
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                cost=data["cost"],
                customers=list(data["customers"]),
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Gathering planned."))
            return redirect("care:gathering", pk=gathering.pk)
    rows = Gathering.objects.visible_to(request.user).annotate(
        invited=Count("guests"), came=Count("guests", filter=Q(guests__attended=True))
    )[:100]
    status = 400 if request.method == "POST" else 200
    return render(request, "care/gatherings.html", {"rows": rows, "form": form}, status=status)


@login_required
def gathering(request, pk: int):
    item = get_object_or_404(Gathering.objects.visible_to(request.user), pk=pk)
    guests = list(item.guests.select_related("customer").order_by("customer__name"))
    error = ""
    if request.method == "POST":
        attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        notes = {g.customer_id: request.POST.get(f"notes-{g.customer_id}", "") for g in guests}
        try:
            services.gathering_record(
                gathering=item,
                actor=request.user,
                attended=attended,
                outcome=request.POST.get("outcome", ""),
                notes=notes,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Attendance recorded; each guest who came has a visit in their contact log."))
            return redirect("care:gathering", pk=item.pk)
    status = 400 if error else 200
    return render(request, "care/gathering.html", {"item": item, "guests": guests, "error": error}, status=status)


@login_required
def members(request):
    """Members against ordinary customers: sales, order frequency, satisfaction, churn (last 12 months)."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=364)
    rows = selectors.member_statistics(request.user, since=since, until=today)
    return render(request, "care/members.html", {"rows": rows, "since": since, "until": today})
