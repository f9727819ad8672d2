"""The issue's "how it is checked" list, where the other files left a gap: nothing internal in the statement, the
signed contract or the PDF that was e-mailed; filing late by the filing-day policy (the due day itself is on time);
the attachment matrix by role; the administration desk confirming from its inbox without sight of the deal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import FinanceFactory, ManagerFactory, SalespersonFactory, UserFactory
from documents import pdf, selectors, services
from documents.models import DocumentKind, FilingDepartment
from sales import services as sales_services
from sales.models import ContractStatus, PaymentKind

from .factories import INTERNAL_WORDS, company, contract_for, customer_of, file_by_receipts, signed
from .test_pdfs import keep, money_strings, text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny pdf\n" + b"0" * 200


def test_statement_signed_contract_and_emailed_pdf_hold_nothing_internal(salesperson):
    company()
    customer = customer_of(salesperson)
    contract = signed(contract_for(salesperson, customer, cost="612.34"))
    finance = FinanceFactory()
    sales_services.invoice_create(
        actor=finance, contract=contract, number="AB12345678", issued_on=contract.signed_on, amount=D("2000.00")
    )
    sales_services.payment_record(
        actor=finance, contract=contract, paid_on=contract.signed_on, amount=D("500.00"), kind=PaymentKind.PROGRESS
    )
    internal = {str(ln.unit_cost) for ln in contract.lines.all()} | money_strings(contract.cost_total)
    dispatch = services.document_send(
        actor=salesperson,
        document=DocumentKind.CONTRACT,
        record=contract,
        to="buyer@example.com",
        subject="契約",
        message="請查收",
    )
    with dispatch.pdf.open("rb") as fh:
        emailed = fh.read()
    statement = pdf.render_statement(
        selectors.statement_of_account(customer, contract.signed_on), company=selectors.company_settings()
    )
    for name, content in (("contract-signed", emailed), ("statement-of-account", statement)):
        keep(name, content)
        text = text_of(content)
        assert "測試機電股份有限公司" in text and "統一編號" in text, name  # Chinese, as text
        assert "草稿" not in text and "DRAFT" not in text, name
        for word in (*INTERNAL_WORDS, "成本", "毛利", "Margin"):
            assert word not in text, (name, word)
        for number in internal:
            assert number not in text, (name, number)


@pytest.mark.parametrize(("days_after_signing", "late"), [(3, False), (4, True)])
def test_filed_late_by_the_filing_day_policy_the_due_day_itself_on_time(salesperson, days_after_signing, late):
    signed_at = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)  # 10:00 in Taipei
    with time_machine.travel(signed_at):
        contract = signed(contract_for(salesperson))
    assert contract.filing_due_on == dt.date(2026, 3, 5)  # 3 days (SalesPolicy.filing_days)
    with time_machine.travel(signed_at + dt.timedelta(days=days_after_signing)):
        contract = file_by_receipts(contract)
    assert contract.status == ContractStatus.FILED
    assert contract.filed_on == dt.date(2026, 3, 2) + dt.timedelta(days=days_after_signing)
    assert contract.events.get(action="filed").data["late"] is late


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("unit_manager", True),
        ("gm", True),
        ("finance", True),
        ("admin", True),
        ("other_salesperson", False),
        ("other_unit_manager", False),
        ("staff", False),
    ],
)
def test_attachment_matrix_by_role(client, api_client, salesperson, gm, admin_user, who, sees):
    contract = contract_for(salesperson)
    attachment = services.attachment_add(
        actor=salesperson, target="sales.contract", target_id=contract.pk, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    users = {
        "owner": lambda: salesperson,
        "unit_manager": lambda: ManagerFactory(unit=salesperson.unit),
        "gm": lambda: gm,
        "finance": FinanceFactory,
        "admin": lambda: admin_user,
        "other_salesperson": SalespersonFactory,
        "other_unit_manager": ManagerFactory,
        "staff": lambda: UserFactory(role=Role.STAFF, unit=salesperson.unit),
    }
    user = users[who]()
    client.force_login(user)
    page = client.get(reverse("documents:attachment_download", args=[attachment.pk]))
    api_client.force_authenticate(user)
    api = api_client.get(f"/api/v1/attachments/{attachment.pk}/download/")
    listed = api_client.get(f"/api/v1/contract-documents/{contract.pk}/attachments/")
    expected = 200 if sees else 404
    assert (page.status_code, api.status_code, listed.status_code) == (expected, expected, expected)
    if sees:
        assert b"".join(page.streaming_content) == PDF == b"".join(api.streaming_content)


def test_the_administration_desk_confirms_from_its_inbox_without_sight_of_the_deal(
    client, salesperson, admin_user, finance, gm
):
    clerk = UserFactory(role=Role.STAFF, unit=None, full_name="行政小姐")
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, user=clerk)
    contract = signed(contract_for(salesperson))
    client.force_login(clerk)
    assert client.get(reverse("documents:contract_papers", args=[contract.pk])).status_code == 404
    inbox = client.get(reverse("documents:filing_inbox")).content.decode()
    button = f'id="inbox-confirm-{contract.pk}-administration"'
    link = f'href="{reverse("documents:contract_papers", args=[contract.pk])}"'
    assert button in inbox and link not in inbox
    response = client.post(reverse("documents:filing_confirm", args=[contract.pk, "administration"]), {"next": "inbox"})
    assert response.status_code == 302 and response["Location"] == reverse("documents:filing_inbox")
    assert button not in client.get(reverse("documents:filing_inbox")).content.decode()
    # The other two confirm: filed. The desk still cannot open the deal's papers.
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    services.filing_receipt_confirm(actor=gm, contract=contract, department="gm_office")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.FILED
    assert client.get(reverse("documents:contract_papers", args=[contract.pk])).status_code == 404
