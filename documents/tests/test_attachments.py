"""Attachments: who may fetch them (404 for whoever may not see the record), type and size refused before any byte
is kept, files kept through the storage API and served only by the checked view, an audit trail."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import services
from documents.models import Attachment, AttachmentEvent, AttachmentTarget

from .factories import company, contract_for, customer_of, product_quote

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny pdf\n" + b"0" * 200


def upload(client, slug, pk, name="po.pdf", content=PDF, **extra):
    return client.post(
        reverse("documents:attachment_upload", args=[slug, pk]),
        {"file": SimpleUploadedFile(name, content), "description": "蓋章詢價單"},
        **extra,
    )


def test_upload_list_download_delete_with_audit(client, salesperson, settings, django_capture_on_commit_callbacks):
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    response = upload(client, "customer", customer.pk)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.target, attachment.target_id, attachment.name) == ("customers.customer", customer.pk, "po.pdf")
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    page = client.get(reverse("documents:customer_papers", args=[customer.pk])).content.decode()
    assert "po.pdf" in page and "蓋章詢價單" in page
    # A new storage object, as after a restart: the file is read back from the storage, not from memory.
    assert FileSystemStorage(location=settings.MEDIA_ROOT).open(attachment.file.name).read() == PDF
    response = client.get(reverse("documents:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("documents:attachment_delete", args=[attachment.pk])).status_code == 302
    attachment.refresh_from_db()
    assert attachment.deleted_at is not None and attachment.deleted_by == salesperson
    assert not FileSystemStorage(location=settings.MEDIA_ROOT).exists(attachment.file.name)
    assert list(AttachmentEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "uploaded",
        "downloaded",
        "deleted",
    ]
    assert client.get(reverse("documents:attachment_download", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize("slug", ["customer", "quote", "contract"])
def test_another_salespersons_record_is_a_404_for_upload_list_and_file(client, salesperson, other_salesperson, slug):
    company()
    record = {
        "customer": lambda: customer_of(salesperson),
        "quote": lambda: product_quote(salesperson, lines=1),
        "contract": lambda: contract_for(salesperson),
    }[slug]()
    client.force_login(salesperson)
    upload(client, slug, record.pk)
    attachment = Attachment.objects.get()
    client.force_login(other_salesperson)
    assert upload(client, slug, record.pk).status_code == 404
    assert client.get(reverse("documents:attachment_download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("documents:attachment_delete", args=[attachment.pk])).status_code == 404
    papers = {"customer": "customer_papers", "quote": "quote_papers", "contract": "contract_papers"}[slug]
    assert client.get(reverse(f"documents:{papers}", args=[record.pk])).status_code == 404
    assert Attachment.objects.count() == 1 and not AttachmentEvent.objects.filter(actor=other_salesperson).exists()


def test_manager_and_gm_see_the_file_but_only_uploader_or_admin_delete(client, salesperson, manager, gm, admin_user):
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    upload(client, "customer", customer.pk)
    attachment = Attachment.objects.get()
    for viewer in (manager, gm):
        client.force_login(viewer)
        assert client.get(reverse("documents:attachment_download", args=[attachment.pk])).status_code == 200
    client.force_login(manager)
    assert client.post(reverse("documents:attachment_delete", args=[attachment.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.post(reverse("documents:attachment_delete", args=[attachment.pk])).status_code == 302


def test_media_url_serves_nothing(client, salesperson):
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    upload(client, "customer", customer.pk)
    attachment = Attachment.objects.get()
    assert client.get("/media/" + attachment.file.name).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("run.exe", b"MZ" + b"0" * 100),
        ("page.html", b"<html></html>"),
        ("fake.pdf", b"MZ not really a pdf"),  # allowed name, wrong content
        ("empty.pdf", b""),
    ],
)
def test_wrong_type_is_refused_with_a_clear_error_and_nothing_stored(client, salesperson, settings, name, content):
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    response = upload(client, "customer", customer.pk, name=name, content=content, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "not allowed" in text or "does not match" in text or "empty" in text, text[:200]
    assert not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_oversized_file_is_refused_by_the_handler_and_nothing_stored(client, salesperson, settings):
    settings.DOCUMENTS_ATTACHMENT_MAX_BYTES = 1024 * 1024  # 1 MB
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    big = b"%PDF-" + b"0" * (1024 * 1024)
    response = upload(client, "customer", customer.pk, name="big.pdf", content=big, follow=True)
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()


def test_declared_content_length_over_the_limit_is_refused_before_reading(rf, salesperson, settings):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from documents import views

    settings.DOCUMENTS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    customer = customer_of(salesperson)

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    request = rf.post(reverse("documents:attachment_upload", args=["customer", customer.pk]))
    request.META["CONTENT_LENGTH"] = str(5 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()
    request.user = salesperson
    request.session = {}
    request._messages = FallbackStorage(request)
    response = views.attachment_upload(request, "customer", customer.pk)
    assert response.status_code == 302
    assert [str(m) for m in request._messages] == ["The file is too large: at most 1 MB."]
    assert not Attachment.objects.exists()


def test_service_refuses_a_record_the_actor_cannot_see(salesperson, other_salesperson):
    customer = customer_of(salesperson)
    from django.http import Http404

    with pytest.raises(Http404):
        services.attachment_add(
            actor=other_salesperson,
            target=AttachmentTarget.CUSTOMER,
            target_id=customer.pk,
            upload=SimpleUploadedFile("a.pdf", PDF),
        )


def test_list_query_budget(client, salesperson, django_assert_max_num_queries):
    customer = customer_of(salesperson)
    client.force_login(salesperson)
    for i in range(5):
        upload(client, "customer", customer.pk, name=f"f{i}.pdf")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("documents:customer_papers", args=[customer.pk])).status_code == 200
