"""The documents API: same visibility as the pages (another's record is a 404 on every endpoint), nothing internal in
what a salesperson gets, bad input a 400 naming the field, uploads refused before they are kept, filing receipts by
the departments' desks only, cursor pages, and every operation in the OpenAPI schema with its error answers."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from crm.celery import app as celery_app
from documents import services
from documents.models import Attachment, AttachmentEvent, Dispatch, DispatchStatus, FilingDepartment, FilingReceipt
from sales.models import ContractStatus

from .factories import (
    INTERNAL_WORDS,
    approved,
    company,
    contract_for,
    customer_of,
    engineering_quote,
    product_quote,
    signed,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny pdf\n" + b"0" * 200


@pytest.fixture(autouse=True)
def _company():
    company()


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def admin_clerk(admin_user):
    """行政管理部's clerk: a staff user, who sees no deal through the ordinary visibility."""
    clerk = UserFactory(role=Role.STAFF, full_name="行政小姐", unit=None)
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, user=clerk)
    return clerk


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def post_file(client, url, name="po.pdf", content=PDF, **extra):
    return client.post(
        url, {"file": SimpleUploadedFile(name, content), "description": "蓋章詢價單"}, format="multipart", **extra
    )


# --- quotes and contracts -------------------------------------------------------------------------------------------


def test_every_record_endpoint_is_404_for_another_salesperson(api_client, salesperson, other_salesperson):
    quote = approved(product_quote(salesperson))
    contract = signed(contract_for(salesperson, customer=quote.customer))
    dispatch = services.document_send(
        actor=salesperson, document="sales.quote", record=quote, to="a@example.com", subject="s", message="m"
    )
    attachment = services.attachment_add(
        actor=salesperson,
        target="sales.contract",
        target_id=contract.pk,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    client = as_user(api_client, other_salesperson)
    q, c, k = quote.pk, contract.pk, quote.customer_id
    for url in (
        f"/api/v1/quote-documents/{q}/",
        f"/api/v1/quote-documents/{q}/pdf/",
        f"/api/v1/quote-documents/{q}/sent/",
        f"/api/v1/quote-documents/{q}/attachments/",
        f"/api/v1/quote-documents/{q}/cost-sheet/",
        f"/api/v1/contract-documents/{c}/",
        f"/api/v1/contract-documents/{c}/pdf/",
        f"/api/v1/contract-documents/{c}/sent/",
        f"/api/v1/contract-documents/{c}/attachments/",
        f"/api/v1/customer-documents/{k}/attachments/",
        f"/api/v1/customer-documents/{k}/statement/",
        f"/api/v1/attachments/{attachment.pk}/",
        f"/api/v1/attachments/{attachment.pk}/download/",
        f"/api/v1/document-dispatches/{dispatch.pk}/",
        f"/api/v1/document-dispatches/{dispatch.pk}/pdf/",
    ):
        assert client.get(url).status_code == 404, url
    for url, body in (
        (f"/api/v1/quote-documents/{q}/send/", {"to": "x@example.com", "subject": "s", "message": "m"}),
        (f"/api/v1/quote-documents/{q}/tax-mode/", {"tax_mode": "inclusive"}),
        (f"/api/v1/contract-documents/{c}/receipts/", {"department": "finance"}),
    ):
        assert client.post(url, body, format="json").status_code == 404, url
    for url in (f"/api/v1/quote-documents/{q}/attachments/", f"/api/v1/customer-documents/{k}/attachments/"):
        assert post_file(client, url).status_code == 404, url
    assert client.delete(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    assert Attachment.objects.count() == 1 and Dispatch.objects.count() == 1 and not FilingReceipt.objects.exists()
    assert not AttachmentEvent.objects.filter(action="downloaded").exists()
    # Ids that exist nowhere, or could not: the same 404.
    assert client.get("/api/v1/quote-documents/99999999/").status_code == 404
    assert client.get(f"/api/v1/quote-documents/{2**63}/pdf/").status_code == 404


def test_the_document_as_the_customer_sees_it_and_its_pdf(api_client, salesperson, manager):
    quote = product_quote(salesperson)
    client = as_user(api_client, salesperson)
    body = client.get(f"/api/v1/quote-documents/{quote.pk}/").json()
    assert body["number"] == quote.number and body["approved"] is False and body["may_send"] is False
    assert body["totals"]["subtotal"] == "6000.00" and body["totals"]["tax"] == "300.00"
    assert body["totals"]["total"] == "6300.00" and body["total_in_capitals"] == "陸仟參佰元整"
    assert body["cost_sheet_url"] is None and "filing" not in body
    response = client.get(body["pdf_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert as_user(api_client, manager).get(f"/api/v1/quote-documents/{quote.pk}/").status_code == 200  # the unit's


def test_engineering_quote_never_shows_cost_to_a_salesperson(api_client, salesperson, gm):
    quote = approved(engineering_quote(salesperson, cost="1234567.00"))
    client = as_user(api_client, salesperson)
    response = client.get(f"/api/v1/quote-documents/{quote.pk}/")
    text = json.dumps(response.json(), ensure_ascii=False)
    for word in (*INTERNAL_WORDS, "1234567", "1,234,567", 'cost_sheet_url": "/'):
        assert word not in text, word
    assert [line["description_en"] for line in response.json()["lines"]] == ["Turnkey project"]
    assert client.get(f"/api/v1/quote-documents/{quote.pk}/cost-sheet/").status_code == 404
    gm_client = as_user(api_client, gm)
    url = gm_client.get(f"/api/v1/quote-documents/{quote.pk}/").json()["cost_sheet_url"]
    assert url == f"/api/v1/quote-documents/{quote.pk}/cost-sheet/"
    sheet = gm_client.get(url)
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    # A product quote has no cost sheet, for anyone.
    assert gm_client.get(f"/api/v1/quote-documents/{product_quote(salesperson).pk}/cost-sheet/").status_code == 404


def test_tax_mode_bad_value_names_the_field_and_a_good_one_changes_the_totals(api_client, salesperson, manager):
    quote = product_quote(salesperson)
    client = as_user(api_client, salesperson)
    bad = client.post(f"/api/v1/quote-documents/{quote.pk}/tax-mode/", {"tax_mode": "half"}, format="json")
    assert bad.status_code == 400 and "tax_mode" in bad.json()
    good = client.post(f"/api/v1/quote-documents/{quote.pk}/tax-mode/", {"tax_mode": "inclusive"}, format="json")
    assert good.status_code == 200
    totals = good.json()["totals"]
    assert totals["inclusive"] is True and totals["total"] == "6000.00" and totals["tax"] == "286.00"


def test_send_is_async_refuses_a_draft_and_names_bad_fields(
    api_client, salesperson, eager, django_capture_on_commit_callbacks
):
    draft = product_quote(salesperson)
    client = as_user(api_client, salesperson)
    body = {"to": "buyer@example.com", "subject": "報價單", "message": "您好"}
    refused = client.post(f"/api/v1/quote-documents/{draft.pk}/send/", body, format="json")
    assert refused.status_code == 400 and "status" in refused.json() and not Dispatch.objects.exists()
    quote = approved(draft)
    for field, value in (("to", "not-an-address"), ("subject", ""), ("message", "")):
        bad = client.post(f"/api/v1/quote-documents/{quote.pk}/send/", {**body, field: value}, format="json")
        assert bad.status_code == 400 and field in bad.json(), field
    assert not Dispatch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/quote-documents/{quote.pk}/send/", body, format="json")
    assert sent.status_code == 202 and sent.json()["status"] == DispatchStatus.QUEUED  # answered before the task ran
    dispatch = Dispatch.objects.get()
    assert dispatch.status == DispatchStatus.SENT and len(mail.outbox) == 1
    listed = client.get(f"/api/v1/quote-documents/{quote.pk}/sent/").json()
    assert set(listed) == {"next", "previous", "results"}
    [row] = listed["results"]
    assert row["status"] == "sent" and row["sha256"] == dispatch.sha256
    pdf = client.get(row["pdf_url"])
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == dispatch.sha256


def test_lists_are_cursor_pages_with_bounded_queries(api_client, salesperson, django_assert_max_num_queries):
    contract = signed(contract_for(salesperson))
    for i in range(3):
        services.attachment_add(
            actor=salesperson,
            target="sales.contract",
            target_id=contract.pk,
            upload=SimpleUploadedFile(f"f{i}.pdf", PDF),
        )
    client = as_user(api_client, salesperson)
    with django_assert_max_num_queries(12):
        first = client.get(f"/api/v1/contract-documents/{contract.pk}/attachments/?page_size=2").json()
    assert [r["name"] for r in first["results"]] == ["f2.pdf", "f1.pdf"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [r["name"] for r in second["results"]] == ["f0.pdf"] and second["next"] is None
    with django_assert_max_num_queries(14):
        summary = client.get(f"/api/v1/contract-documents/{contract.pk}/")
    assert [row["department"] for row in summary.json()["filing"]] == ["finance", "gm_office", "administration"]


# --- attachments ----------------------------------------------------------------------------------------------------


def test_upload_download_delete_with_audit(api_client, salesperson, manager, django_capture_on_commit_callbacks):
    quote = product_quote(salesperson)
    client = as_user(api_client, salesperson)
    created = post_file(client, f"/api/v1/quote-documents/{quote.pk}/attachments/")
    assert created.status_code == 201, created.json()
    out = created.json()
    assert (out["target"], out["target_id"], out["name"], out["size"]) == ("quote", quote.pk, "po.pdf", len(PDF))
    assert out["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = client.get(out["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    # The unit's manager sees it but did not upload it: may not delete it.
    assert as_user(api_client, manager).delete(f"/api/v1/attachments/{out['id']}/").status_code == 403
    client = as_user(api_client, salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/attachments/{out['id']}/").status_code == 204
    assert client.get(f"/api/v1/attachments/{out['id']}/").status_code == 404
    events = AttachmentEvent.objects.filter(attachment_id=out["id"]).order_by("id").values_list("action", flat=True)
    assert list(events) == ["uploaded", "downloaded", "deleted"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ" + b"0" * 100, "type"),
        ("fake.pdf", b"<html>not a pdf</html>", "content"),
        ("empty.pdf", b"", None),
    ],
)
def test_wrong_type_or_content_is_a_400_on_file_and_nothing_is_kept(api_client, salesperson, name, content, code):
    customer = customer_of(salesperson)
    response = post_file(as_user(api_client, salesperson), f"/api/v1/customer-documents/{customer.pk}/attachments/",
                         name=name, content=content)  # fmt: skip
    assert response.status_code == 400 and "file" in response.json(), response.json()
    if code:
        assert response.json()["code"] == code
    assert not Attachment.objects.exists()


def test_oversized_is_refused_by_the_handler_and_by_the_declared_length(api_client, salesperson, settings):
    settings.DOCUMENTS_ATTACHMENT_MAX_BYTES = 1024
    contract = contract_for(salesperson)
    client = as_user(api_client, salesperson)
    url = f"/api/v1/contract-documents/{contract.pk}/attachments/"
    over = post_file(client, url, content=PDF + b"0" * 2048)  # small request: the upload handler stops it
    assert over.status_code == 400 and over.json()["code"] == "size" and "file" in over.json()
    huge = post_file(client, url, content=PDF + b"0" * 100_000)  # declared Content-Length: refused unread
    assert huge.status_code == 400 and huge.json()["code"] == "size" and "file" in huge.json()
    missing = client.post(url, {"description": "no file"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert not Attachment.objects.exists()


def test_statement_pdf_and_bad_date(api_client, salesperson):
    customer = customer_of(salesperson)
    client = as_user(api_client, salesperson)
    ok = client.get(f"/api/v1/customer-documents/{customer.pk}/statement/?as_of={timezone.localdate()}")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF-")
    bad = client.get(f"/api/v1/customer-documents/{customer.pk}/statement/?as_of=yesterday")
    assert bad.status_code == 400 and "as_of" in bad.json()


# --- filing receipts ------------------------------------------------------------------------------------------------


def test_receipts_by_the_three_desks_file_the_contract(api_client, salesperson, finance, gm, admin_clerk):
    contract = signed(contract_for(salesperson))
    url = f"/api/v1/contract-documents/{contract.pk}/receipts/"
    denied = as_user(api_client, salesperson).post(url, {"department": "finance"}, format="json")
    assert denied.status_code == 403
    bad = as_user(api_client, finance).post(url, {"department": "sales"}, format="json")
    assert bad.status_code == 400 and "department" in bad.json()
    assert as_user(api_client, finance).post(url, {}, format="json").json().keys() >= {"department"}
    first = as_user(api_client, finance).post(url, {"department": "finance"}, format="json")
    assert first.status_code == 201 and first.json()["contract_status"] == ContractStatus.SIGNED
    again = as_user(api_client, finance).post(url, {"department": "finance"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    assert as_user(api_client, gm).post(url, {"department": "gm_office"}, format="json").status_code == 201
    # The clerk sees no deal otherwise (its documents are a 404) but confirms the original it holds.
    clerk = as_user(api_client, admin_clerk)
    assert clerk.get(f"/api/v1/contract-documents/{contract.pk}/").status_code == 404
    last = clerk.post(url, {"department": "administration"}, format="json")
    assert last.status_code == 201 and last.json()["contract_status"] == ContractStatus.FILED
    contract.refresh_from_db()
    assert contract.status == ContractStatus.FILED and contract.filed_on == timezone.localdate()
    rows = as_user(api_client, salesperson).get(f"/api/v1/contract-documents/{contract.pk}/").json()["filing"]
    assert [(r["department"], r["confirmed_by"]) for r in rows] == [
        ("finance", finance.pk),
        ("gm_office", gm.pk),
        ("administration", admin_clerk.pk),
    ]


def test_a_desk_sees_no_contract_before_signing(api_client, salesperson, admin_clerk):
    draft = contract_for(salesperson)
    response = as_user(api_client, admin_clerk).post(
        f"/api/v1/contract-documents/{draft.pk}/receipts/", {"department": "administration"}, format="json"
    )
    assert response.status_code == 404


# --- schema ---------------------------------------------------------------------------------------------------------


def test_schema_documents_every_documents_operation_with_its_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = {
        path: item
        for path, item in schema["paths"].items()
        if path.split("/")[3] in {"quote-documents", "contract-documents", "customer-documents", "attachments"}
        or path.startswith("/api/v1/document-dispatches/")
    }
    assert len(ours) == 20
    for path, item in ours.items():
        for method, operation in item.items():
            if method in {"get", "post", "delete"}:
                assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (method, path)
    upload = ours["/api/v1/quote-documents/{id}/attachments/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    pdf = ours["/api/v1/contract-documents/{id}/pdf/"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf
    listed = ours["/api/v1/contract-documents/{id}/sent/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["$ref"].endswith("PaginatedDispatchOutputList")


def test_a_session_caller_is_limited_before_its_csrf_check_reads_the_form(salesperson, settings):
    """Session authentication parses the form for its CSRF token: the limiting handler is installed before it."""
    from rest_framework.test import APIClient

    settings.DOCUMENTS_ATTACHMENT_MAX_BYTES = 1024
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(salesperson)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    customer = customer_of(salesperson)
    url = f"/api/v1/customer-documents/{customer.pk}/attachments/"
    wrong = post_file(client, url, name="virus.exe", content=b"MZ" + b"0" * 100, HTTP_X_CSRFTOKEN=secret)
    assert wrong.status_code == 400 and wrong.json()["code"] == "type"
    big = post_file(client, url, content=PDF + b"0" * 2048, HTTP_X_CSRFTOKEN=secret)
    assert big.status_code == 400 and big.json()["code"] == "size"
    ok = post_file(client, url, HTTP_X_CSRFTOKEN=secret)
    assert ok.status_code == 201, ok.json()
    assert post_file(client, url).status_code == 403  # no CSRF token: refused
    assert Attachment.objects.count() == 1
