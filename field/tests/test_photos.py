"""Channel-conflict photos on a market report: documents attachments on target "field.marketreport", images only,
served exactly to whoever may see the report (field tells documents who that is) and a 404 to anyone else."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from documents.models import Attachment, AttachmentTarget
from field.models import MarketReport

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 300
PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def conflict_report(author) -> MarketReport:
    return MarketReport.objects.create(
        author=author,
        unit=author.unit,
        date=timezone.localdate(),
        place="台中第二市場",
        channel_conflict=True,
        conflict_evidence="南區經銷商的貨出現在台中",
    )


def upload(client, report, name, content):
    return client.post(
        reverse("documents:attachment_upload", args=["market-report", report.pk]),
        {"file": SimpleUploadedFile(name, content), "description": "貨架照片"},
    )


def test_photo_uploaded_on_the_report_shows_there_and_on_the_intelligence_page(client, salesperson, manager):
    report = conflict_report(salesperson)
    client.force_login(salesperson)
    response = upload(client, report, "shelf.png", PNG)
    assert response.status_code == 302 and response["Location"] == reverse("field:report", args=[report.pk])
    photo = Attachment.objects.get()
    assert (photo.target, photo.target_id) == (AttachmentTarget.MARKET_REPORT, report.pk)
    assert photo.content_type == "image/png"
    page = client.get(reverse("field:report", args=[report.pk]))
    link = reverse("documents:attachment_download", args=[photo.pk])
    assert f'src="{link}"' in page.content.decode()
    client.force_login(manager)
    intel = client.get(reverse("field:intelligence")).content.decode()
    conflicts = intel.split('id="conflicts"')[1].split("</ul>")[0]
    assert link in conflicts


@pytest.mark.parametrize(("name", "content"), [("evidence.pdf", PDF), ("evidence.txt", b"hello")])
def test_a_photo_must_be_an_image_and_the_error_names_the_field(client, salesperson, name, content):
    report = conflict_report(salesperson)
    client.force_login(salesperson)
    response = upload(client, report, name, content)
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Photo: This type of file is not allowed. Allowed: jpeg, jpg, png, webp."
    assert not Attachment.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_naming_the_field(client, salesperson, settings):
    settings.DOCUMENTS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    report = conflict_report(salesperson)
    client.force_login(salesperson)
    response = upload(client, report, "big.jpg", JPG + b"\x00" * (1024 * 1024))
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Photo: The file is too large: at most 1 MB."
    assert not Attachment.objects.exists()


def test_photo_download_follows_who_may_see_the_report(
    client, salesperson, teammate, manager, gm, other_salesperson, other_unit
):
    report = conflict_report(salesperson)
    client.force_login(salesperson)
    upload(client, report, "shelf.jpg", JPG)
    link = reverse("documents:attachment_download", args=[Attachment.objects.get().pk])
    for allowed in (salesperson, manager, gm):
        client.force_login(allowed)
        response = client.get(link)
        assert response.status_code == 200, allowed
        assert b"".join(response.streaming_content) == JPG
    for refused in (teammate, other_salesperson, ManagerFactory(unit=other_unit)):
        client.force_login(refused)
        assert client.get(link).status_code == 404, refused
        assert client.get(reverse("field:report", args=[report.pk])).status_code == 404
        assert upload(client, report, "more.png", PNG).status_code == 404
    assert Attachment.objects.count() == 1


def test_a_refused_photo_is_named_in_chinese(client, salesperson):
    salesperson.language = "zh-hant"
    salesperson.save()
    report = conflict_report(salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("documents:attachment_upload", args=["market-report", report.pk]),
        {"file": SimpleUploadedFile("x.pdf", PDF)},
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("照片：")
