"""Writes of the documents app: company settings, per-document tax mode, sending a PDF to the customer (the exact
file kept with its SHA-256), attachments with their audit trail, purchase-order basis, filing receipts."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from sales.models import Contract, ContractBasis, ContractStatus, Quote

from . import pdf, permissions, selectors, targets, uploads
from .models import (
    Attachment,
    AttachmentEvent,
    AttachmentTarget,
    CompanySettings,
    Dispatch,
    DispatchStatus,
    DocumentKind,
    DocumentOptions,
    FilingDepartment,
    FilingDesk,
    FilingReceipt,
    PurchaseOrder,
    TaxMode,
)

log = logging.getLogger(__name__)

# Published when the last of the three departments confirmed receipt of a signed contract's original; the sales
# app files the contract on it (sales.services.contracts.FILING_RECEIVED_ALL, subscribed in sales.apps).
FILING_RECEIVED_ALL = "filing_received_all"

COMPANY_FIELDS = (
    "legal_name_zh",
    "legal_name_en",
    "tax_id",
    "address_zh",
    "address_en",
    "phone",
    "logo",
    "bank_account",
    "default_payment_terms",
    "quote_validity_days",
    "tax_rate_percent",
    "prices_include_tax",
)


def _validation_error(exc: ValidationError) -> ApplicationError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        return ApplicationError(" ".join(str(m) for e in errors for m in e.messages), field=field)
    return ApplicationError(" ".join(exc.messages))


# --- company settings ---------------------------------------------------------------------------------------------


@transaction.atomic
def company_settings_update(*, actor: User, values: dict[str, Any]) -> CompanySettings:
    if not permissions.may_edit_company_settings(actor):
        raise PermissionDenied(_("Only admins may change the company settings."))
    row, _created = CompanySettings.objects.select_for_update().get_or_create(pk=1)
    for name in COMPANY_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    row.updated_by = actor
    try:
        row.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from None
    row.save()
    return row


@transaction.atomic
def document_tax_mode_set(*, actor: User, document: str, record: Quote | Contract, tax_mode: str) -> DocumentOptions:
    if not permissions.may_send_document(actor, owner_id=record.owner_id, unit_id=record.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may change this document."))
    if tax_mode not in TaxMode.values:
        raise ApplicationError(_("Choose whether the prices include tax."), field="tax_mode")
    options, _created = DocumentOptions.objects.update_or_create(
        document=document, document_id=record.pk, defaults={"tax_mode": tax_mode, "set_by": actor}
    )
    return options


# --- rendering and sending ------------------------------------------------------------------------------------------


def render_document(*, document: str, record: Quote | Contract) -> tuple[bytes, bool]:
    """(PDF bytes, approved) of a quote or contract as the customer sees it."""
    doc = (
        selectors.quote_document(record) if document == DocumentKind.QUOTE else selectors.contract_document(record)  # type: ignore[arg-type]
    )
    return pdf.render_customer_document(doc), doc.approved


@transaction.atomic
def document_send(
    *, actor: User, document: str, record: Quote | Contract, to: str, subject: str, message: str
) -> Dispatch:
    """Render the PDF now, keep that exact file with its SHA-256, and e-mail it through a Celery task after commit.
    A document not yet approved is never sent."""
    if not permissions.may_send_document(actor, owner_id=record.owner_id, unit_id=record.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may send this document."))
    to = (to or "").strip()
    if not to:
        raise ApplicationError(_("Enter the customer's e-mail address."), field="to", code="required")
    if not (subject or "").strip():
        raise ApplicationError(_("Enter a subject."), field="subject", code="required")
    content, approved = render_document(document=document, record=record)
    if not approved:
        raise ApplicationError(
            _("A draft cannot be sent: the document must be approved first."), field="status", code="draft"
        )
    digest = hashlib.sha256(content).hexdigest()
    dispatch = Dispatch(
        document=document,
        document_id=record.pk,
        number=record.number,
        to=to,
        subject=subject.strip(),
        message=message,
        sha256=digest,
        sent_by=actor,
    )
    try:
        dispatch.full_clean(exclude=["pdf"])
    except ValidationError as exc:
        raise _validation_error(exc) from None
    dispatch.pdf.save(f"{record.number}-{digest[:12]}.pdf", ContentFile(content), save=False)
    dispatch.save()
    from .tasks import deliver_dispatch

    deliver_dispatch.delay_on_commit(dispatch.pk)
    return dispatch


@transaction.atomic
def dispatch_deliver(*, dispatch_id: int) -> Dispatch:
    """Send a queued dispatch exactly once (row lock + status) and log it on the document's timeline."""
    dispatch = Dispatch.objects.select_for_update().select_related("sent_by").get(pk=dispatch_id)
    if dispatch.status != DispatchStatus.QUEUED:
        return dispatch
    with dispatch.pdf.open("rb") as fh:
        content = fh.read()
    if hashlib.sha256(content).hexdigest() != dispatch.sha256:
        dispatch.status = DispatchStatus.FAILED
        dispatch.error = "stored PDF does not match its SHA-256"
        dispatch.save(update_fields=["status", "error", "updated_at"])
        return dispatch
    email = EmailMessage(
        subject=dispatch.subject,
        body=dispatch.message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[dispatch.to],
        reply_to=[dispatch.sent_by.email] if dispatch.sent_by.email else None,
    )
    email.attach(f"{dispatch.number}.pdf", content, "application/pdf")
    email.send()
    dispatch.status = DispatchStatus.SENT
    dispatch.sent_at = timezone.now()
    dispatch.save(update_fields=["status", "sent_at", "updated_at"])
    events.publish(
        document=dispatch.document,
        document_id=dispatch.document_id,
        action="emailed",
        actor=dispatch.sent_by,
        note=dispatch.subject,
        data={
            "number": dispatch.number,
            "to": dispatch.to,
            "dispatch": dispatch.pk,
            "file": dispatch.pdf.name,
            "sha256": dispatch.sha256,
        },
    )
    return dispatch


# --- attachments ----------------------------------------------------------------------------------------------------


def _attachment_event(attachment: Attachment, action: str, actor: User) -> None:
    AttachmentEvent.objects.create(attachment=attachment, action=action, actor=actor)


@transaction.atomic
def attachment_add(
    *, actor: User, target: str, target_id: int, upload: UploadedFile, description: str = ""
) -> Attachment:
    """Keep an uploaded file on a record the actor may see. The type and size were checked by the upload handler
    before any byte was kept; they are checked again here (extension, declared size, leading bytes)."""
    if target not in AttachmentTarget.values:
        raise ApplicationError(_("Unknown record type."), field="target")
    selectors.visible_target(user=actor, target=target, target_id=target_id)
    name, content_type = uploads.check_upload(upload, targets.extensions_for(target))
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        target=target,
        target_id=target_id,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha.hexdigest(),
        description=(description or "").strip()[:200],
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _attachment_event(attachment, AttachmentEvent.Action.UPLOADED, actor)
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> Attachment:
    """The row and its audit trail stay; the file is removed from storage once the deletion commits."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    selectors.visible_target(user=actor, target=attachment.target, target_id=attachment.target_id)
    if attachment.deleted_at:
        raise ApplicationError(_("This file was already deleted."), field="file", code="deleted")
    if not permissions.may_delete_attachment(actor, attachment):
        raise PermissionDenied(_("Only whoever uploaded the file, or an admin, may delete it."))
    attachment.deleted_at = timezone.now()
    attachment.deleted_by = actor
    attachment.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    _attachment_event(attachment, AttachmentEvent.Action.DELETED, actor)
    storage, name = attachment.file.storage, attachment.file.name or ""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return attachment


def attachment_downloaded(*, actor: User, attachment: Attachment) -> None:
    _attachment_event(attachment, AttachmentEvent.Action.DOWNLOADED, actor)


# --- purchase-order basis -------------------------------------------------------------------------------------------


@transaction.atomic
def purchase_order_record(
    *,
    actor: User,
    contract: Contract,
    po_number: str,
    signer_name: str,
    signer_title: str = "",
    signed_on,
    scan: UploadedFile | None = None,
) -> PurchaseOrder:
    """採購單為訂貨依據: the customer's signed purchase order behind an order on purchase-order basis."""
    if not permissions.may_record_purchase_order(actor, owner_id=contract.owner_id, unit_id=contract.unit_id):
        raise PermissionDenied(_("Only the salesperson or their manager may record the purchase order."))
    if contract.basis != ContractBasis.PURCHASE_ORDER:
        raise ApplicationError(_("This contract is not based on a purchase order."), field="basis", code="basis")
    if not (po_number or "").strip():
        raise ApplicationError(_("Enter the purchase order number."), field="po_number", code="required")
    if not (signer_name or "").strip():
        raise ApplicationError(_("Enter who signed the purchase order."), field="signer_name", code="required")
    if signed_on is None or signed_on > timezone.localdate():
        raise ApplicationError(_("Enter the signing date (not in the future)."), field="signed_on")
    po, _created = PurchaseOrder.objects.select_for_update().get_or_create(
        contract=contract,
        defaults={"po_number": po_number, "signer_name": signer_name, "signed_on": signed_on, "recorded_by": actor},
    )
    po.po_number = po_number.strip()
    po.signer_name = signer_name.strip()
    po.signer_title = (signer_title or "").strip()
    po.signed_on = signed_on
    po.recorded_by = actor
    po.save()
    if scan is not None:
        po.scan = attachment_add(
            actor=actor,
            target=AttachmentTarget.PURCHASE_ORDER,
            target_id=po.pk,
            upload=scan,
            description=_("Purchase order scan"),
        )
        po.save(update_fields=["scan", "updated_at"])
    return po


# --- filing receipts ------------------------------------------------------------------------------------------------


@transaction.atomic
def filing_desk_set(*, actor: User, department: str, role: str = "", user: User | None = None) -> FilingDesk:
    if not permissions.may_set_filing_desks(actor):
        raise PermissionDenied(_("Only admins may set who confirms filing receipts."))
    if department not in FilingDepartment.values:
        raise ApplicationError(_("Unknown department."), field="department")
    if not role and user is None:
        raise ApplicationError(_("Name a user or a role for the department."), field="user", code="required")
    desk, _created = FilingDesk.objects.update_or_create(
        department=department, defaults={"role": role or "", "user": user, "set_by": actor}
    )
    return desk


@transaction.atomic
def filing_receipt_confirm(
    *, actor: User, contract: Contract, department: str, at: dt.datetime | None = None
) -> FilingReceipt:
    """A department confirms it holds the original of a signed contract. When the third one confirms, the contract
    is filed (the sales app files it on the published event) on the day of that receipt: its 3-day deadline counts
    until then. `at` is for the demo data only (receipts of the past); pages and the API confirm now."""
    if department not in FilingDepartment.values:
        raise ApplicationError(_("Unknown department."), field="department")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    desk = FilingDesk.objects.filter(department=department).first()
    if not permissions.may_confirm_filing(actor, department=department, desk=desk):
        raise PermissionDenied(_("You do not confirm receipts for this department."))
    if contract.status != ContractStatus.SIGNED:
        raise ApplicationError(
            _("Only a signed contract awaiting filing takes receipts (it is “%(status)s”).")
            % {"status": contract.get_status_display()},
            field="status",
            code="state",
        )
    if FilingReceipt.objects.filter(contract=contract, department=department).exists():
        raise ApplicationError(_("This department already confirmed receipt."), field="department", code="duplicate")
    receipt = FilingReceipt.objects.create(contract=contract, department=department, confirmed_by=actor)
    if at is not None:
        FilingReceipt.objects.filter(pk=receipt.pk).update(confirmed_at=at)
        receipt.confirmed_at = at
    events.publish(
        document="sales.contract",
        document_id=contract.pk,
        action="filing_received",
        actor=actor,
        data={"number": contract.number, "department": department},
    )
    confirmed = dict(FilingReceipt.objects.filter(contract=contract).values_list("department", "confirmed_at"))
    if set(confirmed) >= set(FilingDepartment.values):
        last = timezone.localdate(max(confirmed.values()))  # filed the day the last original was received
        events.publish(
            document="sales.contract",
            document_id=contract.pk,
            action=FILING_RECEIVED_ALL,
            actor=actor,
            data={"number": contract.number, "filed_on": last.isoformat()},
        )
    return receipt
