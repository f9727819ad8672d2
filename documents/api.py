"""API of the documents app (/api/v1/): the customer documents of a quote or contract (their PDF, sending it, what
was sent), attachments (list, upload, download, delete), a contract's filing receipts, a customer's statement PDF.

Same visibility as the pages: a record the caller may not see is a 404, whatever the action; the PDFs are the
customer's (built from `selectors.CustomerDocument`, which has no field for cost, margin or the engineering
components); the internal cost sheet is for cost viewers only (404 for anyone else). Lists are cursor pages
({next, previous, results}). Uploads: the declared size is refused and the limiting upload handler installed before
the request body is read (before authentication, which may parse a session caller's form for its CSRF token).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from core.api import validated
from core.exceptions import ApplicationError
from customers.models import Customer
from sales.models import Contract, ContractStatus, Quote, QuoteKind

from . import pdf, permissions, selectors, services, uploads
from .models import (
    Attachment,
    AttachmentTarget,
    Dispatch,
    DocumentKind,
    FilingDepartment,
    FilingReceipt,
    TaxMode,
)

PK_MAX = 2**63 - 1
SLUGS: dict[str, str] = {
    AttachmentTarget.CUSTOMER: "customer",
    AttachmentTarget.QUOTE: "quote",
    AttachmentTarget.CONTRACT: "contract",
    AttachmentTarget.PURCHASE_ORDER: "purchase-order",
    AttachmentTarget.MARKET_REPORT: "market-report",
}
DOCUMENT_SLUGS: dict[str, str] = {DocumentKind.QUOTE: "quote", DocumentKind.CONTRACT: "contract"}
PDF_RESPONSE = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")}
FILE_RESPONSE = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The file, with its own content type, as an attachment."
    )
}


def _pk(value) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) > PK_MAX:
        raise NotFound
    return int(text)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Rendering PDFs, sending and uploading cost CPU and storage: one rate per caller for every documents endpoint (the
# "documents" scope, API_DOCUMENTS_THROTTLE_RATE).
THROTTLES = [ScopedRateThrottle]
THROTTLE_SCOPE = "documents"


def _user(request) -> User:
    """The signed-in caller (IsAuthenticated answered 401 for anyone else)."""
    return cast(User, request.user)


# --- serializers ----------------------------------------------------------------------------------------------------


class TotalsOutputSerializer(serializers.Serializer):
    lines_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Before the business tax.")
    tax = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="營業稅, rounded to the whole dollar.")
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    inclusive = serializers.BooleanField(help_text="Whether the prices include the tax.")
    rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class DocumentLineOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    description = serializers.CharField()
    description_en = serializers.CharField(allow_blank=True)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    unit = serializers.CharField(allow_blank=True)
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class FilingRowOutputSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=FilingDepartment.choices)
    department_label = serializers.CharField()
    confirmed_by = serializers.IntegerField(allow_null=True)
    confirmed_by_name = serializers.CharField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    may_confirm = serializers.BooleanField(help_text="The caller confirms for this department now.")


class DocumentOutputSerializer(serializers.Serializer):
    """What the customer's document says (customer prices only) and what the caller may do with it."""

    kind = serializers.ChoiceField(choices=["quote", "contract"])
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    approved = serializers.BooleanField(help_text="False: the PDF carries a DRAFT watermark and cannot be sent.")
    may_send = serializers.BooleanField()
    customer = serializers.IntegerField()
    customer_email = serializers.CharField(allow_blank=True, help_text="Where it goes by default.")
    lines = DocumentLineOutputSerializer(many=True)
    totals = TotalsOutputSerializer()
    total_in_capitals = serializers.CharField(help_text="大寫金額")
    pdf_url = serializers.CharField()
    cost_sheet_url = serializers.CharField(
        allow_null=True, help_text="The internal cost-plus sheet of an engineering quote: cost viewers only."
    )
    filing_due_on = serializers.DateField(allow_null=True, required=False)
    filed_on = serializers.DateField(allow_null=True, required=False)
    filing = FilingRowOutputSerializer(many=True, required=False, help_text="Contracts: the three departments.")


class SendInputSerializer(serializers.Serializer):
    to = serializers.EmailField()
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=5000)


class DispatchOutputSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    sent_by_name = serializers.CharField(source="sent_by.get_full_name")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "kind",
            "document_id",
            "number",
            "to",
            "subject",
            "status",
            "sha256",
            "created_at",
            "sent_at",
            "sent_by",
            "sent_by_name",
            "pdf_url",
        ]

    def get_kind(self, obj) -> str:
        return DOCUMENT_SLUGS[obj.document]

    def get_pdf_url(self, obj) -> str:
        return reverse("dispatch-pdf", args=[obj.pk])


class AttachmentOutputSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    uploaded_by_name = serializers.CharField(source="uploaded_by.get_full_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "target",
            "target_id",
            "name",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]

    def get_target(self, obj) -> str:
        return SLUGS[obj.target]

    def get_download_url(self, obj) -> str:
        return reverse("attachment-download", args=[obj.pk])


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="pdf, png, jpg/jpeg, webp, doc/docx, xls/xlsx, txt; at most 10 MB.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TaxModeInputSerializer(serializers.Serializer):
    tax_mode = serializers.ChoiceField(choices=TaxMode.choices)


class ReceiptInputSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=FilingDepartment.choices)


class ReceiptOutputSerializer(serializers.ModelSerializer):
    confirmed_by_name = serializers.CharField(source="confirmed_by.get_full_name")
    contract_status = serializers.CharField(source="contract.status")

    class Meta:
        model = FilingReceipt
        fields = [
            "id",
            "contract",
            "department",
            "confirmed_by",
            "confirmed_by_name",
            "confirmed_at",
            "contract_status",
        ]


class StatementQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="Default: today.")


# --- upload limits before the body is read --------------------------------------------------------------------------


class _LimitedUploads:
    """Refuse a too-large declared body, and put the limiting upload handler first, before DRF authenticates (a
    session caller's form is parsed for its CSRF token) and before the view reads request.data."""

    upload_actions: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        self._upload_handler = None
        if request.method == "POST" and getattr(self, "action", None) in self.upload_actions:
            if uploads.request_too_large(request.META):
                raise ApplicationError(uploads.size_error(), field="file", code="size")
            self._upload_handler = uploads.LimitedUploadHandler(request._request)
            request._request.upload_handlers.insert(0, self._upload_handler)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def upload_error(self) -> None:
        if self._upload_handler is not None and self._upload_handler.error:
            code = "size" if self._upload_handler.error == uploads.size_error() else "type"
            raise ApplicationError(self._upload_handler.error, field="file", code=code)


def _attachments_page(view, target: str, target_id: int) -> Response:
    page = view.paginate_queryset(selectors.attachments_for(target=target, target_id=target_id))
    return view.get_paginated_response(AttachmentOutputSerializer(page, many=True).data)


def _attach(view, request, target: str, target_id: int) -> Response:
    body = request.data  # parsed now, through the limiting handler (unless authentication already did)
    view.upload_error()
    data = validated(AttachmentInputSerializer, body)
    attachment = services.attachment_add(
        actor=request.user,
        target=target,
        target_id=target_id,
        upload=data["file"],
        description=data["description"],
    )
    return Response(AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED)


# --- quotes and contracts -------------------------------------------------------------------------------------------


class _DocumentViewSet(_LimitedUploads, viewsets.GenericViewSet):
    """One quote's or contract's customer documents, by the quote's or contract's id."""

    throttle_classes = THROTTLES
    throttle_scope = THROTTLE_SCOPE

    document: str = ""
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    upload_actions = frozenset({"attachments"})
    filter_backends: list = []
    serializer_class = DocumentOutputSerializer
    queryset = Attachment.objects.none()  # the schema's model; reads go through the selectors

    def record(self):
        pk = _pk(self.kwargs["pk"])
        if self.document == DocumentKind.QUOTE:
            return selectors.visible_quote(user=self.request.user, pk=pk)
        return selectors.visible_contract(user=self.request.user, pk=pk)

    def _summary(self, record) -> dict:
        user = _user(self.request)
        if self.document == DocumentKind.QUOTE:
            doc = selectors.quote_document(record)
            pdf_url = reverse("quote-document-pdf", args=[record.pk])
            cost_sheet = (
                reverse("quote-document-cost-sheet", args=[record.pk])
                if record.kind == QuoteKind.ENGINEERING and permissions.may_see_cost_sheet(user)
                else None
            )
        else:
            doc = selectors.contract_document(record)
            pdf_url = reverse("contract-document-pdf", args=[record.pk])
            cost_sheet = None
        totals = doc.totals
        out = {
            "kind": DOCUMENT_SLUGS[self.document],
            "id": record.pk,
            "number": record.number,
            "status": record.status,
            "approved": doc.approved,
            "may_send": doc.approved
            and permissions.may_send_document(user, owner_id=record.owner_id, unit_id=record.unit_id),
            "customer": record.customer_id,
            "customer_email": selectors.customer_email(record.customer) or "",
            "lines": [ln.__dict__ for ln in doc.lines],
            "totals": {
                "lines_total": sum((ln.amount for ln in doc.lines), Decimal("0")),
                "subtotal": totals.subtotal,
                "tax": totals.tax,
                "total": totals.total,
                "inclusive": totals.inclusive,
                "rate_percent": totals.rate_percent,
            },
            "total_in_capitals": doc.capitals,
            "pdf_url": pdf_url,
            "cost_sheet_url": cost_sheet,
        }
        if self.document == DocumentKind.CONTRACT:
            out.update(
                {
                    "filing_due_on": record.filing_due_on,
                    "filed_on": record.filed_on,
                    "filing": _filing_rows(user, record),
                }
            )
        return out

    @extend_schema(responses=DocumentOutputSerializer)
    def retrieve(self, request, pk=None):
        """The document as the customer receives it (customer prices, 營業稅, 大寫金額) and what the caller may do."""
        return Response(DocumentOutputSerializer(self._summary(self.record())).data)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The customer's PDF, rendered now (DRAFT / 草稿 watermark until approved)."""
        record = self.record()
        content, _approved = services.render_document(document=self.document, record=record)
        return _pdf(content, f"{record.number}.pdf")

    @extend_schema(request=TaxModeInputSerializer, responses=DocumentOutputSerializer)
    @action(detail=True, methods=["post"], url_path="tax-mode")
    def tax_mode(self, request, pk=None):
        """Whether this document's prices include the business tax (else the company's default)."""
        record = self.record()  # another's id is a 404 before its input is judged
        data = validated(TaxModeInputSerializer, request.data)
        services.document_tax_mode_set(
            actor=request.user, document=self.document, record=record, tax_mode=data["tax_mode"]
        )
        return Response(DocumentOutputSerializer(self._summary(record)).data)

    @extend_schema(request=SendInputSerializer, responses={202: DispatchOutputSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """E-mail the PDF to the customer: rendered and kept now (with its SHA-256), sent by a Celery task after
        commit (202; `status` turns from queued to sent). A draft is refused (400, `status`)."""
        record = self.record()
        data = validated(SendInputSerializer, request.data)
        dispatch = services.document_send(actor=request.user, document=self.document, record=record, **data)
        return Response(DispatchOutputSerializer(dispatch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=DispatchOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def sent(self, request, pk=None):
        """What was e-mailed to the customer, newest first: each with the exact PDF and its SHA-256."""
        record = self.record()
        qs = selectors.dispatches_for(document=self.document, document_id=record.pk).order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(DispatchOutputSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=AttachmentOutputSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request, pk=None):
        """The record's files (GET, newest first) or a new one (POST multipart: `file`, `description`)."""
        record = self.record()
        target = AttachmentTarget(self.document)
        if request.method == "POST":
            return _attach(self, request, target, record.pk)
        return _attachments_page(self, target, record.pk)


def _filing_rows(user, contract) -> list[dict]:
    desks = selectors.filing_desks()
    rows = []
    for row in selectors.filing_rows(contract):
        receipt = row.receipt
        rows.append(
            {
                "department": row.department,
                "department_label": row.label,
                "confirmed_by": receipt.confirmed_by_id if receipt else None,
                "confirmed_by_name": receipt.confirmed_by.get_full_name() if receipt else None,
                "confirmed_at": receipt.confirmed_at if receipt else None,
                "may_confirm": receipt is None
                and contract.status == ContractStatus.SIGNED
                and permissions.may_confirm_filing(user, department=row.department, desk=desks.get(row.department)),
            }
        )
    return rows


@extend_schema_view(retrieve=extend_schema(operation_id="v1_quote_documents_retrieve"))
class QuoteDocumentViewSet(_DocumentViewSet):
    """The customer documents of a quote (報價單), by the quote's id."""

    document = DocumentKind.QUOTE
    queryset = Quote.objects.none()  # the schema's model (the id is a quote's); reads go through the selectors

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path="cost-sheet")
    def cost_sheet(self, request, pk=None):
        """The internal cost-plus sheet (內部報價) of an engineering quote: cost viewers only (404 for others)."""
        quote: Quote = self.record()  # type: ignore[assignment]
        if quote.kind != QuoteKind.ENGINEERING or not permissions.may_see_cost_sheet(request.user):
            raise NotFound
        return _pdf(pdf.render_cost_sheet(selectors.cost_sheet(quote)), f"{quote.number}-internal.pdf")


class ContractDocumentViewSet(_DocumentViewSet):
    """The customer documents of a contract (契約), its filing receipts, by the contract's id."""

    document = DocumentKind.CONTRACT
    queryset = Contract.objects.none()

    def record(self):
        if self.action == "receipts":
            # The department's desk confirms receipt of an original it holds, whether or not it sees the deal
            # otherwise (行政管理部's clerk is not a company-wide role): a desk sees signed and filed contracts.
            return selectors.contract_for_filing(user=self.request.user, pk=_pk(self.kwargs["pk"]))
        return super().record()

    @extend_schema(request=ReceiptInputSerializer, responses={201: ReceiptOutputSerializer})
    @action(detail=True, methods=["post"])
    def receipts(self, request, pk=None):
        """One department confirms it received the signed contract's original (契約備案). The third one files the
        contract that day (late after its filing deadline). Only the department's desk (403 otherwise)."""
        contract: Contract = self.record()  # type: ignore[assignment]
        data = validated(ReceiptInputSerializer, request.data)
        receipt = services.filing_receipt_confirm(actor=request.user, contract=contract, department=data["department"])
        receipt.contract.refresh_from_db(fields=["status", "filed_on"])
        return Response(ReceiptOutputSerializer(receipt).data, status=status.HTTP_201_CREATED)


# --- customers ------------------------------------------------------------------------------------------------------


class CustomerDocumentViewSet(_LimitedUploads, viewsets.GenericViewSet):
    """A customer's files and statement of account (對帳單), by the customer's id."""

    throttle_classes = THROTTLES
    throttle_scope = THROTTLE_SCOPE

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    upload_actions = frozenset({"attachments"})
    filter_backends: list = []
    queryset = Customer.objects.none()
    serializer_class = AttachmentOutputSerializer

    def record(self) -> Customer:
        return selectors.visible_customer(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    @extend_schema(parameters=[StatementQuerySerializer], responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        """The statement of account PDF as of a day (invoices, payments, balance, aging)."""
        customer = self.record()
        q = validated(StatementQuerySerializer, request.query_params)
        as_of = q.get("as_of") or timezone.localdate()
        content = pdf.render_statement(
            selectors.statement_of_account(customer, as_of), company=selectors.company_settings()
        )
        return _pdf(content, f"statement-{customer.pk}-{as_of:%Y%m%d}.pdf")

    @extend_schema(methods=["GET"], responses=AttachmentOutputSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request, pk=None):
        """The customer's files (GET, newest first) or a new one (POST multipart: `file`, `description`)."""
        customer = self.record()
        if request.method == "POST":
            return _attach(self, request, AttachmentTarget.CUSTOMER, customer.pk)
        return _attachments_page(self, AttachmentTarget.CUSTOMER, customer.pk)


# --- one attachment, one dispatch -----------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses=AttachmentOutputSerializer),
    destroy=extend_schema(responses={204: None}),
)
class AttachmentViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """One file: its details, its content (download; logged in its audit trail), deleting it (the uploader or an
    admin; the row and its trail stay). A file of a record the caller may not see is a 404."""

    throttle_classes = THROTTLES
    throttle_scope = THROTTLE_SCOPE

    serializer_class = AttachmentOutputSerializer
    queryset = Attachment.objects.none()
    filter_backends: list = []

    def get_object(self) -> Attachment:
        return selectors.visible_attachment(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    def perform_destroy(self, instance) -> None:
        services.attachment_delete(actor=_user(self.request), attachment=instance)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        try:
            fh = attachment.file.open("rb")
        except OSError:  # the storage lost it: missing, not a server error
            raise NotFound from None
        services.attachment_downloaded(actor=request.user, attachment=attachment)
        response = FileResponse(fh, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DispatchViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One document sent to a customer, and the exact PDF that was sent."""

    throttle_classes = THROTTLES
    throttle_scope = THROTTLE_SCOPE

    serializer_class = DispatchOutputSerializer
    queryset = Dispatch.objects.none()
    filter_backends: list = []

    def get_object(self) -> Dispatch:
        dispatch = Dispatch.objects.select_related("sent_by").filter(pk=_pk(self.kwargs["pk"])).first()
        if dispatch is None:
            raise NotFound
        if dispatch.document == DocumentKind.QUOTE:
            selectors.visible_quote(user=self.request.user, pk=dispatch.document_id)
        else:
            selectors.visible_contract(user=self.request.user, pk=dispatch.document_id)
        return dispatch

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        dispatch = self.get_object()
        try:
            fh = dispatch.pdf.open("rb")
        except OSError:
            raise NotFound from None
        return FileResponse(fh, content_type="application/pdf", filename=f"{dispatch.number}.pdf")


def register(router) -> None:
    router.register("quote-documents", QuoteDocumentViewSet, basename="quote-document")
    router.register("contract-documents", ContractDocumentViewSet, basename="contract-document")
    router.register("customer-documents", CustomerDocumentViewSet, basename="customer-document")
    router.register("attachments", AttachmentViewSet, basename="attachment")
    router.register("document-dispatches", DispatchViewSet, basename="dispatch")
