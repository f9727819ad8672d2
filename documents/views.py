"""Pages of the documents app: company settings, the papers of a quote / contract / customer (PDF, e-mail,
attachments, purchase order, filing receipts) and the permission-checked file downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import apply_service_error
from sales.models import Contract, ContractBasis, ContractStatus, QuoteKind

from . import pdf, permissions, selectors, services, targets, uploads
from .forms import (
    AttachmentForm,
    CompanySettingsForm,
    FilingDeskForm,
    PurchaseOrderForm,
    SendForm,
    StatementForm,
    TaxModeForm,
)
from .models import AttachmentTarget, Dispatch, DocumentKind, FilingDepartment, PurchaseOrder, TaxMode

TARGETS = {
    "customer": AttachmentTarget.CUSTOMER,
    "quote": AttachmentTarget.QUOTE,
    "contract": AttachmentTarget.CONTRACT,
    "purchase-order": AttachmentTarget.PURCHASE_ORDER,
    "market-report": AttachmentTarget.MARKET_REPORT,
}
SLUGS = {v: k for k, v in TARGETS.items()}


def _pdf_response(content: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- company settings ---------------------------------------------------------------------------------------------


@login_required
def company_settings(request):
    if not permissions.may_edit_company_settings(request.user):
        raise PermissionDenied
    row = selectors.company_settings()
    form = CompanySettingsForm(request.POST or None, request.FILES or None, instance=row, prefix="company")
    desk_form = FilingDeskForm(prefix="desk")
    if request.method == "POST" and form.is_valid():
        try:
            services.company_settings_update(actor=request.user, values=form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("documents:company_settings")
    return render(
        request,
        "documents/company_settings.html",
        {"form": form, "desk_form": desk_form, "desks": selectors.filing_desks(), "row": row},
    )


@login_required
@require_POST
def filing_desk_set(request):
    if not permissions.may_set_filing_desks(request.user):
        raise PermissionDenied
    form = FilingDeskForm(request.POST, prefix="desk")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.filing_desk_set(
                actor=request.user, department=data["department"], role=data["role"] or "", user=data["user"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved who confirms filing receipts."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("documents:company_settings")


# --- quote and contract papers ------------------------------------------------------------------------------------


def _send_initial(record, doc_label: str) -> dict:
    company = selectors.company_settings()
    sender = company.legal_name_zh or company.legal_name_en
    return {
        "to": selectors.customer_email(record.customer),
        "subject": f"{doc_label} {record.number} — {sender}".strip(" —"),
        "message": _("Dear customer,\n\nPlease find attached our %(doc)s %(number)s.\n\nBest regards,\n%(name)s")
        % {"doc": doc_label, "number": record.number, "name": record.owner.get_full_name()},
    }


def _papers_context(request, *, document: str, record, approved: bool) -> dict:
    user = request.user
    target = AttachmentTarget(document)
    may_send = permissions.may_send_document(user, owner_id=record.owner_id, unit_id=record.unit_id)
    label = _("quote") if document == DocumentKind.QUOTE else _("contract")
    inclusive = selectors.tax_inclusive(document=document, document_id=record.pk, company=selectors.company_settings())
    return {
        "record": record,
        "document": document,
        "approved": approved,
        "may_send": may_send,
        "send_form": SendForm(initial=_send_initial(record, label), prefix="send") if may_send and approved else None,
        "tax_form": TaxModeForm(initial={"tax_mode": TaxMode.INCLUSIVE if inclusive else TaxMode.EXCLUSIVE})
        if may_send
        else None,
        "attachments": selectors.attachments_for(target=target, target_id=record.pk),
        "attachment_form": AttachmentForm(),
        "target_slug": SLUGS[target],
        "dispatches": selectors.dispatches_for(document=document, document_id=record.pk),
        "allowed_types": ", ".join(uploads.allowed_extensions()),
        "max_mb": uploads.max_bytes() // (1024 * 1024),
    }


@login_required
def quote_papers(request, pk: int):
    quote = selectors.visible_quote(user=request.user, pk=pk)
    context = _papers_context(
        request, document=DocumentKind.QUOTE, record=quote, approved=quote.status in selectors.APPROVED_QUOTE
    )
    context["cost_sheet"] = quote.kind == QuoteKind.ENGINEERING and permissions.may_see_cost_sheet(request.user)
    return render(request, "documents/quote_papers.html", context)


@login_required
def quote_pdf(request, pk: int):
    quote = selectors.visible_quote(user=request.user, pk=pk)
    content, _approved = services.render_document(document=DocumentKind.QUOTE, record=quote)
    return _pdf_response(content, f"{quote.number}.pdf")


@login_required
def quote_cost_sheet(request, pk: int):
    quote = selectors.visible_quote(user=request.user, pk=pk)
    if quote.kind != QuoteKind.ENGINEERING or not permissions.may_see_cost_sheet(request.user):
        raise Http404
    return _pdf_response(pdf.render_cost_sheet(selectors.cost_sheet(quote)), f"{quote.number}-internal.pdf")


def _contract_context(request, contract) -> dict:
    context = _papers_context(
        request,
        document=DocumentKind.CONTRACT,
        record=contract,
        approved=contract.status in selectors.APPROVED_CONTRACT,
    )
    desks = selectors.filing_desks()
    rows = selectors.filing_rows(contract)
    may_confirm = {
        row.department
        for row in rows
        if row.receipt is None
        and contract.status == ContractStatus.SIGNED
        and permissions.may_confirm_filing(request.user, department=row.department, desk=desks.get(row.department))
    }
    po = selectors.purchase_order_for(contract)
    may_po = contract.basis == ContractBasis.PURCHASE_ORDER and permissions.may_record_purchase_order(
        request.user, owner_id=contract.owner_id, unit_id=contract.unit_id
    )
    context.update(
        {
            "filing_rows": rows,
            "may_confirm": may_confirm,
            "filing_pending": contract.status == ContractStatus.SIGNED,
            "purchase_order": po,
            "po_form": PurchaseOrderForm(
                initial={
                    "po_number": po.po_number,
                    "signer_name": po.signer_name,
                    "signer_title": po.signer_title,
                    "signed_on": po.signed_on,
                }
                if po
                else None
            )
            if may_po
            else None,
            "po_attachments": selectors.attachments_for(target=AttachmentTarget.PURCHASE_ORDER, target_id=po.pk)
            if po
            else [],
        }
    )
    return context


@login_required
def contract_papers(request, pk: int):
    contract = selectors.visible_contract(user=request.user, pk=pk)
    return render(request, "documents/contract_papers.html", _contract_context(request, contract))


@login_required
def contract_pdf(request, pk: int):
    contract = selectors.visible_contract(user=request.user, pk=pk)
    content, _approved = services.render_document(document=DocumentKind.CONTRACT, record=contract)
    return _pdf_response(content, f"{contract.number}.pdf")


def _kind(kind: str) -> str:
    kinds = {"quote": DocumentKind.QUOTE, "contract": DocumentKind.CONTRACT}
    if kind not in kinds:
        raise Http404
    return kinds[kind]


def _record(request, document: str, pk: int):
    if document == DocumentKind.QUOTE:
        return selectors.visible_quote(user=request.user, pk=pk)
    return selectors.visible_contract(user=request.user, pk=pk)


def _papers_url(document: str, pk: int) -> str:
    name = "documents:quote_papers" if document == DocumentKind.QUOTE else "documents:contract_papers"
    return reverse(name, args=[pk])


@login_required
@require_POST
def document_send(request, kind: str, pk: int):
    document = _kind(kind)
    record = _record(request, document, pk)
    form = SendForm(request.POST, prefix="send")
    if form.is_valid():
        try:
            dispatch = services.document_send(actor=request.user, document=document, record=record, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Queued for sending to %(to)s.") % {"to": dispatch.to})
            return redirect(_papers_url(document, pk))
    if document == DocumentKind.QUOTE:
        context = _papers_context(
            request, document=document, record=record, approved=record.status in selectors.APPROVED_QUOTE
        )
        template = "documents/quote_papers.html"
    else:
        context = _contract_context(request, record)
        template = "documents/contract_papers.html"
    context["send_form"] = form
    return render(request, template, context, status=400)


@login_required
@require_POST
def document_tax_mode(request, kind: str, pk: int):
    document = _kind(kind)
    record = _record(request, document, pk)
    form = TaxModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the prices include tax."))
    else:
        try:
            services.document_tax_mode_set(
                actor=request.user, document=document, record=record, tax_mode=form.cleaned_data["tax_mode"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    return redirect(_papers_url(document, pk))


@login_required
def dispatch_pdf(request, pk: int):
    """The exact PDF that was e-mailed, for whoever may see its document."""
    dispatch = Dispatch.objects.filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    _record(request, dispatch.document, dispatch.document_id)
    try:
        fh = dispatch.pdf.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(fh, content_type="application/pdf", filename=f"{dispatch.number}.pdf")


# --- filing receipts and purchase order ---------------------------------------------------------------------------


@login_required
@require_POST
def filing_confirm(request, pk: int, department: str):
    """From the contract's papers or the filing inbox (a department's desk may not otherwise see the deal)."""
    contract = selectors.contract_for_filing(user=request.user, pk=pk)
    if department not in FilingDepartment.values:
        raise Http404
    try:
        services.filing_receipt_confirm(actor=request.user, contract=contract, department=department)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Receipt of the original confirmed."))
    if request.POST.get("next") == "inbox":
        return redirect("documents:filing_inbox")
    return redirect("documents:contract_papers", pk=pk)


@login_required
def filing_inbox(request):
    """Signed contracts whose original a department of mine has not yet confirmed."""
    desks = selectors.filing_desks()
    mine = [
        d
        for d in FilingDepartment.values
        if permissions.may_confirm_filing(request.user, department=d, desk=desks.get(d))
    ]
    rows = []
    visible: set[int] = set()
    if mine:
        # The inbox (home page and /inbox/) and its navbar badge list the same contracts (the selector's).
        contracts = selectors.originals_to_confirm(request.user).select_related("customer", "owner")[:200]
        rows = [(c, selectors.departments_awaiting(c)) for c in contracts]
        # A desk that may not otherwise see the deal (行政管理部's clerk) confirms here, without a link to it.
        ids = [c.pk for c, _pending in rows]
        visible = set(Contract.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    labels = dict(FilingDepartment.choices)
    return render(
        request,
        "documents/filing_inbox.html",
        {
            "rows": rows,
            "labels": labels,
            "mine": [labels[d] for d in mine],
            "today": timezone.localdate(),
            "visible": visible,
        },
    )


@csrf_exempt
@login_required
def purchase_order_save(request, pk: int):
    if request.method != "POST":
        raise Http404
    contract = selectors.visible_contract(user=request.user, pk=pk)
    if uploads.request_too_large(request.META):
        messages.error(request, uploads.size_error())
        return redirect("documents:contract_papers", pk=pk)
    handler = uploads.LimitedUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return _purchase_order_save(request, contract, handler)


@csrf_protect
def _purchase_order_save(request, contract, handler):
    form = PurchaseOrderForm(request.POST, request.FILES)
    if handler.error:
        form.add_error("scan", handler.error)
    if form.is_valid():
        try:
            services.purchase_order_record(actor=request.user, contract=contract, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Purchase order recorded."))
            return redirect("documents:contract_papers", pk=contract.pk)
    context = _contract_context(request, contract)
    context["po_form"] = form
    return render(request, "documents/contract_papers.html", context, status=400)


# --- customer papers and statement --------------------------------------------------------------------------------


@login_required
def customer_papers(request, pk: int):
    customer = selectors.visible_customer(user=request.user, pk=pk)
    return render(
        request,
        "documents/customer_papers.html",
        {
            "record": customer,
            "attachments": selectors.attachments_for(target=AttachmentTarget.CUSTOMER, target_id=customer.pk),
            "attachment_form": AttachmentForm(),
            "target_slug": "customer",
            "statement_form": StatementForm(initial={"as_of": timezone.localdate()}),
            "allowed_types": ", ".join(uploads.allowed_extensions()),
            "max_mb": uploads.max_bytes() // (1024 * 1024),
        },
    )


@login_required
def statement_pdf(request, pk: int):
    customer = selectors.visible_customer(user=request.user, pk=pk)
    form = StatementForm(request.GET or None)
    as_of = timezone.localdate()
    if request.GET and form.is_valid() and form.cleaned_data.get("as_of"):
        as_of = form.cleaned_data["as_of"]
    elif request.GET and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    statement = selectors.statement_of_account(customer, as_of)
    content = pdf.render_statement(statement, company=selectors.company_settings())
    return _pdf_response(content, f"statement-{customer.pk}-{as_of:%Y%m%d}.pdf")


# --- attachments --------------------------------------------------------------------------------------------------


def _back(target: str, target_id: int) -> str:
    external = targets.get(target)
    if external is not None:
        return external.back_url(target_id)
    if target == AttachmentTarget.CUSTOMER:
        return reverse("documents:customer_papers", args=[target_id])
    if target == AttachmentTarget.QUOTE:
        return reverse("documents:quote_papers", args=[target_id])
    if target == AttachmentTarget.PURCHASE_ORDER:
        po = PurchaseOrder.objects.filter(pk=target_id).only("contract_id").first()
        return reverse("documents:contract_papers", args=[po.contract_id if po else 0])
    return reverse("documents:contract_papers", args=[target_id])


@csrf_exempt
@login_required
def attachment_upload(request, target: str, target_id: int):
    """Checks visibility (404) and the declared Content-Length before the body is read, then installs the
    limiting upload handler (type and size per file) before CSRF protection parses the form."""
    if request.method != "POST" or target not in TARGETS:
        raise Http404
    kind = TARGETS[target]
    selectors.visible_target(user=request.user, target=kind, target_id=target_id)
    if uploads.request_too_large(request.META):
        messages.error(request, _named(kind, uploads.size_error()))
        return redirect(_back(kind, target_id))
    handler = uploads.LimitedUploadHandler(request, only=targets.extensions_for(kind))
    request.upload_handlers.insert(0, handler)
    return _attachment_upload(request, kind, target_id, handler)


def _named(kind: str, error: str) -> str:
    """An upload error for a record of an upper app names its file field (e.g. "Photo: …")."""
    external = targets.get(kind)
    if external is None or not external.file_label:
        return error
    return _("%(field)s: %(error)s") % {"field": external.file_label, "error": error}


@csrf_protect
def _attachment_upload(request, kind: str, target_id: int, handler):
    form = AttachmentForm(request.POST, request.FILES)
    if handler.error:
        messages.error(request, _named(kind, handler.error))
    elif not form.is_valid():
        messages.error(request, _named(kind, " ".join(str(e) for errs in form.errors.values() for e in errs)))
    else:
        try:
            services.attachment_add(
                actor=request.user,
                target=kind,
                target_id=target_id,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            messages.error(request, _named(kind, exc.message))
        else:
            messages.success(request, _("File attached."))
    return redirect(_back(kind, target_id))


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.visible_attachment(user=request.user, pk=pk)
    try:
        fh = attachment.file.open("rb")
    except OSError:  # the storage lost it: say so as missing, not as a server error
        raise Http404 from None
    services.attachment_downloaded(actor=request.user, attachment=attachment)
    response = FileResponse(fh, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = selectors.visible_attachment(user=request.user, pk=pk)
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File deleted."))
    return redirect(_back(attachment.target, attachment.target_id))
