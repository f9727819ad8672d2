"""Pages of the customers app. Views parse input, call services and selectors, and render; no business rules."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import SalesUnit
from core.exceptions import ApplicationError
from core.exports import CSV_CONTENT_TYPE, xlsx_response
from core.forms import apply_service_error
from core.pagination import EstimatedPaginator
from core.periods import add_months, month_start
from core.timeline import comment_view_response

from . import imports, permissions, selectors, services
from .forms import (
    ConflictReassignForm,
    ContactForm,
    ContactLogForm,
    CustomerForm,
    EvaluationForm,
    ImportForm,
    ReassignForm,
    StrategyForm,
)
from .models import Contact, Customer, CustomerConflict, CustomerStatus, CustomerTier, ImportBatch
from .timeline import customer_timeline

PAGE_SIZES = (25, 50, 100, 200)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request) -> selectors.CustomerFilters:
    g = request.GET
    return selectors.CustomerFilters(
        q=g.get("q", "").strip()[:100],
        owner=_int(g.get("owner")),
        unit=_int(g.get("unit")),
        region=g.get("region", "").strip(),
        tier=g.get("tier", "") if g.get("tier") in CustomerTier.values else "",
        status=g.get("status", "") if g.get("status") in CustomerStatus.values else "",
        sort=g.get("sort", "") if g.get("sort") in selectors.SORTS else "",
        warned=g.get("warned") == "1",
    )


def _customer_or_404(request, pk: int) -> Customer:
    try:
        return selectors.customer_get(user=request.user, pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def customer_list(request):
    filters = _filters(request)
    qs = selectors.customer_list(user=request.user, filters=filters)
    size = _int(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else 50
    page = EstimatedPaginator(qs, size).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "customers/list.html",
        {
            "page": page,
            "filters": filters,
            "choices": selectors.filter_choices(user=request.user),
            "statuses": CustomerStatus.choices,
            "tiers": CustomerTier.choices,
            "sorts": selectors.SORTS,
            "query": params.urlencode(),
            "page_size": size,
            "page_sizes": PAGE_SIZES,
            "can_register": permissions.can_register(request.user),
        },
    )


@login_required
def customer_export(request, fmt: str):
    qs = selectors.customer_list(user=request.user, filters=_filters(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return xlsx_response(f"customers-{stamp}.xlsx", imports.export_xlsx(qs))
    response = HttpResponse(imports.export_csv(qs), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


PREFILL_FIELDS = ("name", "phone", "address", "region", "source", "notes")


@login_required
def customer_create(request):
    if not permissions.can_register(request.user):
        return HttpResponseForbidden()
    # A registration may start from a record of another app (a market report's sales lead): its known facts prefill
    # the card (every registration rule still runs on submit) and `next` (a local path) is told the new customer.
    initial = {k: request.GET[k][:500] for k in PREFILL_FIELDS if request.GET.get(k)}
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = ""
    form = CustomerForm(request.POST or None, user=request.user, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_register(
                actor=request.user, data=form.card_data(), owner=form.cleaned_data.get("owner")
            )
        except services.RegistrationRefused as exc:
            apply_service_error(form, exc)
            form.add_error(None, exc.message)
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Customer registered."))
            if back:
                return redirect(f"{back}{'&' if '?' in back else '?'}{urlencode({'customer': customer.pk})}")
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "title": _("Register a customer"), "next": back})


@login_required
def customer_detail(request, pk: int):
    customer = _customer_or_404(request, pk)
    context = {"customer": customer, **selectors.customer_card(customer=customer)}
    context.update(
        can_edit=permissions.can_edit_customer(request.user, customer),
        can_reassign=permissions.can_reassign(request.user, customer),
        log_form=ContactLogForm(customer=customer) if permissions.can_edit_customer(request.user, customer) else None,
        today=timezone.localdate(),
        membership=selectors.membership_state(customer),
        timeline=customer_timeline(customer=customer),
        comment_url=reverse("customers:comment", args=[customer.pk]),
        can_comment=True,
    )
    return render(request, "customers/detail.html", context)


@login_required
@require_POST
def customer_comment_view(request, pk: int):
    customer = _customer_or_404(request, pk)
    return comment_view_response(
        request,
        post=lambda body: services.customer_comment(customer=customer, actor=request.user, body=body),
        entries=lambda: customer_timeline(customer=customer),
        url=reverse("customers:comment", args=[customer.pk]),
        back=reverse("customers:detail", args=[customer.pk]),
    )


@login_required
def customer_edit(request, pk: int):
    customer = _customer_or_404(request, pk)
    if not (
        permissions.can_edit_customer(request.user, customer) or permissions.can_set_credit(request.user, customer)
    ):
        raise Http404
    form = CustomerForm(request.POST or None, instance=customer, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=customer, actor=request.user, data=form.card_data())
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Customer card saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/form.html", {"form": form, "customer": customer, "title": _("Edit customer card")}
    )


@login_required
def contact_edit(request, pk: int, contact_pk: int | None = None):
    customer = _customer_or_404(request, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise Http404
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact:
                services.contact_update(contact=contact, actor=request.user, data=form.contact_data())
            else:
                services.contact_create(customer=customer, actor=request.user, data=form.contact_data())
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:detail", pk=customer.pk)
    title = _("Edit contact") if contact else _("Add a contact")
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": title})


@login_required
def log_create(request, pk: int):
    customer = _customer_or_404(request, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise Http404
    form = ContactLogForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            services.contact_log_create(customer=customer, actor=request.user, **data)
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Contact logged."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": _("Log a contact")})


@login_required
def strategy_edit(request, pk: int):
    customer = _customer_or_404(request, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise Http404
    instance = getattr(customer, "strategy", None) if hasattr(customer, "strategy") else None
    form = StrategyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.strategy_save(customer=customer, actor=request.user, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Strategy card saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/form.html", {"form": form, "customer": customer, "title": _("Customer strategy card")}
    )


@login_required
def evaluation_create(request, pk: int):
    customer = _customer_or_404(request, pk)
    if not permissions.can_edit_customer(request.user, customer):
        raise Http404
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_save(customer=customer, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Monthly evaluation card saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/form.html", {"form": form, "customer": customer, "title": _("Monthly evaluation card")}
    )


@login_required
def customer_reassign_view(request, pk: int):
    customer = _customer_or_404(request, pk)
    if not permissions.can_reassign(request.user, customer):
        raise Http404
    form = ReassignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_reassign(
                customer=customer,
                new_owner=form.cleaned_data["new_owner"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Customer reassigned."))
            if selectors.Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
                return redirect("customers:detail", pk=customer.pk)
            return redirect("customers:list")
    return render(request, "customers/form.html", {"form": form, "customer": customer, "title": _("Reassign customer")})


@login_required
@require_POST
def customer_release_view(request, pk: int):
    customer = _customer_or_404(request, pk)
    try:
        services.customer_release(customer=customer, actor=request.user, reason=request.POST.get("reason", "").strip())
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("customers:detail", pk=customer.pk)
    messages.success(request, _("Customer released to the pool."))
    return redirect("customers:list")


# --- pool ------------------------------------------------------------------------------------------------------


@login_required
def pool(request):
    if not permissions.can_see_pool(request.user):
        raise Http404
    q = request.GET.get("q", "").strip()[:100]
    page = EstimatedPaginator(selectors.pool_list(user=request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/pool.html",
        {"page": page, "q": q, "can_claim": permissions.can_claim_from_pool(request.user)},
    )


@login_required
@require_POST
def pool_claim(request, pk: int):
    if not selectors.pool_claim_allowed(user=request.user, customer_id=pk):
        raise Http404
    try:
        customer = services.customer_claim_from_pool(customer_id=pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("customers:pool")
    messages.success(request, _("Customer claimed: %(name)s") % {"name": customer.name})
    return redirect("customers:detail", pk=customer.pk)


# --- conflicts -------------------------------------------------------------------------------------------------


@login_required
def conflict_list(request):
    status = request.GET.get("status", "open")
    status = status if status in {"open", "confirmed", "reassigned", ""} else "open"
    page = EstimatedPaginator(selectors.conflict_list(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "customers/conflicts.html",
        {
            "page": page,
            "status": status,
            "can_decide": permissions.can_decide_conflicts(request.user),
            "collisions": selectors.identity_collisions(user=request.user)[:200],
        },
    )


@login_required
@require_POST
def conflict_decide(request, pk: int):
    conflict = get_object_or_404(CustomerConflict.objects.visible_to(request.user), pk=pk)
    if request.POST.get("action") == "reassign":
        # A reassignment takes the customer away from its first owner: it is confirmed on its own page.
        return redirect("customers:conflict_reassign", pk=conflict.pk)
    try:
        services.conflict_confirm_owner(conflict=conflict, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("First owner confirmed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("customers:conflicts")


@login_required
def conflict_reassign_confirm(request, pk: int):
    """Confirm giving a customer to the claimant of a 碰車 conflict, with the reason (required)."""
    conflict = get_object_or_404(
        CustomerConflict.objects.visible_to(request.user).select_related(
            "customer", "claimant", "owner_at_claim", "claimant_unit", "owner_unit_at_claim"
        ),
        pk=pk,
    )
    if not permissions.can_decide_conflicts(request.user):
        raise PermissionDenied
    if conflict.status != "open":
        messages.error(request, _("This conflict has already been decided."))
        return redirect("customers:conflicts")
    form = ConflictReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_reassign(conflict=conflict, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Customer reassigned to the claimant."))
            return redirect("customers:conflicts")
    return render(request, "customers/conflict_reassign.html", {"form": form, "conflict": conflict})


# --- monthly filing ----------------------------------------------------------------------------------------------


def _month(request) -> dt.date:
    text = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time of day
    except ValueError:
        today = timezone.localdate()
        return add_months(month_start(today), -1)


@login_required
def filing(request):
    month = _month(request)
    rows = selectors.filing_overview(user=request.user, month=month)
    unit_id = _int(request.GET.get("unit"))
    unit = next((r.unit for r in rows if r.unit.pk == unit_id), None)
    cards = selectors.filing_cards(user=request.user, unit=unit, month=month) if unit else None
    return render(
        request,
        "customers/filing.html",
        {
            "month": month,
            "rows": rows,
            "unit": unit,
            "cards": cards,
            "due": selectors.filing_due_date(month),
            "overdue_units": selectors.overdue_filings() if request.user.is_company_wide else [],
        },
    )


@login_required
@require_POST
def filing_file(request, unit_pk: int):
    unit = get_object_or_404(SalesUnit, pk=unit_pk)
    month = _month(request)
    try:
        services.monthly_filing_file(unit=unit, month=month, actor=request.user, note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Customer cards filed for %(month)s.") % {"month": month.strftime("%Y-%m")})
    return redirect(f"{reverse('customers:filing')}?month={month:%Y-%m}&unit={unit.pk}")


@login_required
def filing_export(request, unit_pk: int):
    month = _month(request)
    unit = next((u for u in selectors.filing_units(user=request.user) if u.pk == unit_pk), None)
    if unit is None:
        raise Http404
    body = imports.filing_xlsx(
        cards=selectors.filing_cards(user=request.user, unit=unit, month=month), unit=unit, month=month
    )
    return xlsx_response(f"customer-cards-{unit.code}-{month:%Y-%m}.xlsx", body)


# --- import ----------------------------------------------------------------------------------------------------


@login_required
def import_upload(request):
    if not permissions.can_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_preview(actor=request.user, filename=upload.name, content=upload)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("customers:import_preview", pk=batch.pk)
    return render(request, "customers/import.html", {"form": form})


@login_required
def import_preview(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    ok = sum(1 for r in batch.report if r.get("ok"))
    return render(
        request,
        "customers/import_preview.html",
        {"batch": batch, "ok_count": ok, "rejected_count": len(batch.report) - ok},
    )


@login_required
@require_POST
def import_apply(request, pk: int):
    get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    try:
        imports.import_queue(batch_id=pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Import started: the rows are being registered."))
    return redirect("customers:import_preview", pk=pk)


@login_required
def import_progress(request, pk: int):
    """The progress bar polled by htmx while the import runs; once done the page reloads to show the report."""
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    response = render(request, "customers/_import_progress.html", {"batch": batch})
    if batch.status != ImportBatch.Status.APPLYING:
        response["HX-Refresh"] = "true"
    return response


@login_required
def member_hint(request):
    """htmx on quote entry: the chosen customer's member level and its member price (a hint: the salesperson still
    enters the discount; the price floor rules are unchanged). Another unit's customer → 404."""
    raw = request.GET.get("customer", "")
    level = None
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            raise Http404
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=int(raw))
        level = selectors.member_level_of(customer)
    return render(request, "customers/_member_hint.html", {"level": level})
