"""Pages of the receivables app: the collections workbench, a customer's statement of account with its
collections log, a contract's receivable panel, bad-debt write-offs. Views call selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.exports import xlsx_response
from core.forms import apply_service_error
from customers.models import Customer
from sales.models import SOLD_STATUSES, Contract

from . import permissions, selectors, services, workflows
from .exports import workbench_xlsx
from .forms import CollectionNoteForm, DecisionForm, WorkbenchFilterForm, WriteOffForm
from .models import WriteOff

EXPORT_PAGES = 40  # 2,000 rows per file at most


def _filters(request, *, buckets) -> tuple[WorkbenchFilterForm, selectors.Filters]:
    form = WorkbenchFilterForm(request.GET or None, user=request.user, buckets=buckets)
    if not form.is_bound or not form.is_valid():
        return form, selectors.Filters()
    d = form.cleaned_data
    return form, selectors.Filters(
        unit_id=d["unit"].pk if d["unit"] else None,
        owner_id=d["salesperson"].pk if d["salesperson"] else None,
        customer_id=d["customer"].pk if d["customer"] else None,
        bucket=d["bucket"] or None,
        retention_only=d["retention_only"],
        sort=d["sort"] or "amount",
        page=d["page"] or 1,
    )


def _require_workbench(user) -> None:
    if not permissions.can_use_workbench(user):
        raise PermissionDenied


@login_required
def workbench(request):
    _require_workbench(request.user)
    from receivables.rules import bucket_keys

    buckets = bucket_keys(selectors.policy_for())
    form, filters = _filters(request, buckets=buckets)
    data = selectors.workbench(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "receivables/workbench.html",
        {"form": form, "data": data, "query": query.urlencode(), "pages": range(1, data.pages + 1)},
    )


@login_required
def workbench_export(request):
    _require_workbench(request.user)
    from receivables.rules import bucket_keys

    _form, filters = _filters(request, buckets=bucket_keys(selectors.policy_for()))
    pages = [selectors.workbench(user=request.user, filters=selectors.Filters(**{**filters.__dict__, "page": 1}))]
    while pages[-1].pages > len(pages) and len(pages) < EXPORT_PAGES:
        pages.append(
            selectors.workbench(
                user=request.user, filters=selectors.Filters(**{**filters.__dict__, "page": len(pages) + 1})
            )
        )
    return xlsx_response(f"receivables-{timezone.localdate():%Y%m%d}.xlsx", workbench_xlsx(pages))


def _customer_or_404(request, pk: int) -> Customer:
    return get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)


@login_required
def statement(request, pk: int):
    customer = _customer_or_404(request, pk)
    contracts = list(Contract.objects.filter(customer=customer, status__in=SOLD_STATUSES).order_by("number"))
    form = CollectionNoteForm(request.POST or None, contracts=contracts)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.collection_note_create(
                    actor=request.user,
                    customer=customer,
                    kind=d["kind"],
                    happened_on=d["happened_on"],
                    note=d["note"],
                    contract=next((c for c in contracts if str(c.pk) == d["contract"]), None),
                    promised_on=d["promised_on"],
                    promised_amount=d["promised_amount"],
                )
            except ApplicationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Logged."))
                return redirect("receivables:statement", pk=customer.pk)
    soa = selectors.statement_of_account(customer, timezone.localdate())
    return render(
        request,
        "receivables/statement.html",
        {
            "customer": customer,
            "soa": soa,
            "form": form if permissions.can_log_collection(request.user) else None,
            "notes": selectors.collection_notes(customer=customer),
        },
    )


def _contract_or_404(request, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(request.user).select_related("customer"), pk=pk)


@login_required
def contract_panel(request, pk: int):
    """A contract's receivable (per shipment and invoice, aging, retention), drawn into the contract page."""
    contract = _contract_or_404(request, pk)
    position = selectors.position_for(contract=contract)
    write_offs = list(WriteOff.objects.filter(contract=contract).select_related("liable", "proposed_by"))
    return render(
        request,
        "receivables/_contract_panel.html" if request.headers.get("HX-Request") else "receivables/contract.html",
        {
            "contract": contract,
            "position": position,
            "write_offs": [(w, workflows.WRITE_OFF.actions_for(request.user, w)) for w in write_offs],
            "write_off_form": WriteOffForm() if permissions.can_propose_write_off(request.user) else None,
        },
    )


@login_required
@require_POST
def write_off_propose(request, pk: int):
    contract = _contract_or_404(request, pk)
    form = WriteOffForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Check the write-off: %(errors)s") % {"errors": form.errors.as_text()})
        services.write_off_propose(actor=request.user, contract=contract, **form.cleaned_data)
        messages.success(request, _("Write-off proposed: finance or the GM office decide."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:contract_detail", pk=contract.pk)


@login_required
@require_POST
def write_off_decide(request, pk: int, action: str):
    write_off = get_object_or_404(
        WriteOff.objects.filter(contract__in=Contract.objects.visible_to(request.user)), pk=pk
    )
    if action not in workflows.WRITE_OFF.actions:
        raise Http404
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.write_off_decide(
            actor=request.user, write_off=write_off, action=action, note=form.cleaned_data.get("note", "")
        )
        messages.success(request, _("Decided."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:contract_detail", pk=write_off.contract_id)
