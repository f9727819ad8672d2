"""Purchase-order basis (採購單為訂貨依據): number, the customer's signer, the scan, the department's consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDenied
from documents import services
from documents.models import Attachment, AttachmentTarget, PurchaseOrder
from sales.tests.factories import submit_reviewed

from .factories import contract_for, customer_of

pytestmark = pytest.mark.django_db

SCAN = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def po_contract(salesperson):
    customer = customer_of(salesperson, is_trusted=True)
    return contract_for(salesperson, customer, basis="purchase_order")


def test_record_purchase_order_with_scan_and_consent_from_the_review(client, salesperson, po_contract):
    client.force_login(salesperson)
    response = client.post(
        reverse("documents:purchase_order_save", args=[po_contract.pk]),
        {
            "po_number": "PO-2026-0042",
            "signer_name": "陳大文",
            "signer_title": "總經理",
            "signed_on": timezone.localdate().isoformat(),
            "scan": SimpleUploadedFile("po.png", SCAN),
        },
    )
    assert response.status_code == 302
    po = PurchaseOrder.objects.get()
    assert (po.po_number, po.signer_name, po.contract) == ("PO-2026-0042", "陳大文", po_contract)
    assert po.scan.target == AttachmentTarget.PURCHASE_ORDER and po.scan.target_id == po.pk
    page = client.get(reverse("documents:contract_papers", args=[po_contract.pk])).content.decode()
    assert "PO-2026-0042" in page and "po.png" in page
    contract = submit_reviewed(actor=salesperson, contract=po_contract)  # the department manager's approval
    assert contract.po_consent_by is not None
    page = client.get(reverse("documents:contract_papers", args=[po_contract.pk])).content.decode()
    assert str(contract.po_consent_by) in page


def test_bad_scan_type_is_a_field_error_and_nothing_saved(client, salesperson, po_contract):
    client.force_login(salesperson)
    response = client.post(
        reverse("documents:purchase_order_save", args=[po_contract.pk]),
        {
            "po_number": "PO-1",
            "signer_name": "陳大文",
            "signed_on": timezone.localdate().isoformat(),
            "scan": SimpleUploadedFile("po.exe", b"MZ"),
        },
    )
    assert response.status_code == 400 and "not allowed" in response.content.decode()
    assert not PurchaseOrder.objects.exists() and not Attachment.objects.exists()


def test_not_on_a_full_contract_nor_in_the_future_nor_by_others(salesperson, other_salesperson, po_contract):
    full = contract_for(salesperson)
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as exc:
        services.purchase_order_record(
            actor=salesperson, contract=full, po_number="1", signer_name="x", signed_on=today
        )
    assert exc.value.field == "basis"
    with pytest.raises(ApplicationError) as exc:
        services.purchase_order_record(
            actor=salesperson,
            contract=po_contract,
            po_number="1",
            signer_name="x",
            signed_on=today + dt.timedelta(days=1),
        )
    assert exc.value.field == "signed_on"
    with pytest.raises(PermissionDenied):
        services.purchase_order_record(
            actor=other_salesperson, contract=po_contract, po_number="1", signer_name="x", signed_on=today
        )
    assert not PurchaseOrder.objects.exists()


def test_po_scan_is_404_for_another_salesperson(client, salesperson, other_salesperson, po_contract):
    po = services.purchase_order_record(
        actor=salesperson,
        contract=po_contract,
        po_number="PO-9",
        signer_name="陳大文",
        signed_on=timezone.localdate(),
        scan=SimpleUploadedFile("po.png", SCAN),
    )
    client.force_login(other_salesperson)
    assert client.get(reverse("documents:attachment_download", args=[po.scan_id])).status_code == 404
    client.force_login(salesperson)
    assert client.get(reverse("documents:attachment_download", args=[po.scan_id])).status_code == 200
