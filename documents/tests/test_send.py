"""E-mailing a document: only approved ones, by the deal's people, through a Celery task and the e-mail backend,
with the exact PDF kept and its SHA-256 on the timeline."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Activity
from crm.celery import app as celery_app
from documents import services
from documents.models import Dispatch, DispatchStatus, DocumentKind
from documents.tasks import deliver_dispatch

from .factories import approved, company, contract_for, product_quote, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """The task runs in the test's process when its transaction commits (delay_on_commit)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def post_send(client, quote, **data):
    values = {"send-to": "buyer@example.com", "send-subject": "報價單", "send-message": "您好，附上報價單。"}
    values.update({f"send-{k}": v for k, v in data.items()})
    return client.post(reverse("documents:document_send", args=["quote", quote.pk]), values)


def test_send_from_the_quote_page_mails_the_exact_pdf_and_logs_its_hash(
    client, salesperson, eager, django_capture_on_commit_callbacks
):
    company()
    quote = approved(product_quote(salesperson))
    client.force_login(salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_send(client, quote, message="王經理您好：\n附上報價單，請查收。")
    assert response.status_code == 302
    dispatch = Dispatch.objects.get()
    assert dispatch.status == DispatchStatus.SENT and dispatch.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["buyer@example.com"] and "請查收" in email.body
    [(filename, content, mimetype)] = email.attachments
    assert mimetype == "application/pdf" and filename == f"{quote.number}.pdf"
    digest = hashlib.sha256(content).hexdigest()
    assert digest == dispatch.sha256
    with dispatch.pdf.open("rb") as fh:
        assert fh.read() == content  # the stored file is the one sent
    activity = Activity.objects.get(document=DocumentKind.QUOTE, document_id=quote.pk, action="emailed")
    assert activity.data["sha256"] == digest and activity.data["to"] == "buyer@example.com"
    assert activity.actor == salesperson


def test_a_draft_cannot_be_emailed(client, salesperson, eager, django_capture_on_commit_callbacks):
    company()
    quote = product_quote(salesperson)  # not submitted
    client.force_login(salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_send(client, quote)
    assert response.status_code == 400
    assert "draft" in response.content.decode().lower()
    assert not Dispatch.objects.exists() and not mail.outbox


def test_a_draft_contract_cannot_be_emailed_through_the_service(salesperson):
    company()
    contract = contract_for(salesperson)
    with pytest.raises(services.ApplicationError):
        services.document_send(
            actor=salesperson,
            document=DocumentKind.CONTRACT,
            record=contract,
            to="a@example.com",
            subject="s",
            message="m",
        )


def test_signed_contract_can_be_emailed(salesperson, eager, django_capture_on_commit_callbacks):
    company()
    contract = signed(contract_for(salesperson))
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send(
            actor=salesperson,
            document=DocumentKind.CONTRACT,
            record=contract,
            to="buyer@example.com",
            subject="契約",
            message="附上契約",
        )
    assert len(mail.outbox) == 1 and Dispatch.objects.get().status == DispatchStatus.SENT


def test_bad_address_is_a_form_error_and_nothing_is_kept(client, salesperson):
    company()
    quote = approved(product_quote(salesperson))
    client.force_login(salesperson)
    response = post_send(client, quote, to="not-an-address")
    assert response.status_code == 400 and not Dispatch.objects.exists()


def test_only_the_deals_people_send(client, salesperson, other_salesperson, finance):
    company()
    quote = approved(product_quote(salesperson))
    client.force_login(other_salesperson)
    assert post_send(client, quote).status_code == 404  # cannot see it
    client.force_login(finance)  # sees every quote, does not send them
    assert post_send(client, quote).status_code == 403
    assert not Dispatch.objects.exists()


def test_delivery_runs_once_however_often_the_task_runs(salesperson, django_capture_on_commit_callbacks):
    company()
    quote = approved(product_quote(salesperson))
    with django_capture_on_commit_callbacks(execute=False):
        dispatch = services.document_send(
            actor=salesperson, document=DocumentKind.QUOTE, record=quote, to="b@example.com", subject="s", message="m"
        )
    deliver_dispatch.apply(args=[dispatch.pk])
    deliver_dispatch.apply(args=[dispatch.pk])
    assert len(mail.outbox) == 1
    assert Activity.objects.filter(action="emailed").count() == 1


def test_the_sent_pdf_is_served_to_who_sees_the_quote(client, salesperson, other_salesperson):
    company()
    quote = approved(product_quote(salesperson))
    dispatch = services.document_send(
        actor=salesperson, document=DocumentKind.QUOTE, record=quote, to="b@example.com", subject="s", message="m"
    )
    url = reverse("documents:dispatch_pdf", args=[dispatch.pk])
    client.force_login(other_salesperson)
    assert client.get(url).status_code == 404
    client.force_login(salesperson)
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == dispatch.sha256


def test_papers_page_shows_send_form_only_when_approved(client, salesperson, django_assert_max_num_queries):
    company()
    draft = product_quote(salesperson)
    client.force_login(salesperson)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("documents:quote_papers", args=[draft.pk]))
    assert page.status_code == 200 and 'id="draft-notice"' in page.content.decode()
    ok = approved(product_quote(salesperson))
    page = client.get(reverse("documents:quote_papers", args=[ok.pk]))
    assert 'id="send-form"' in page.content.decode() and "buyer@example.com" in page.content.decode()


def test_papers_page_in_chinese(client, salesperson):
    company()
    quote = approved(product_quote(salesperson))
    salesperson.language = "zh-hant"
    salesperson.save()
    client.force_login(salesperson)
    page = client.get(reverse("documents:quote_papers", args=[quote.pk]), HTTP_ACCEPT_LANGUAGE="zh-hant")
    text = page.content.decode()
    assert "寄給客戶" in text and "附件" in text and "寄送 PDF" in text
