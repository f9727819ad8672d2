"""The company settings page: the admin's only; the 統一編號 checked; the logo an image of limited size."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from documents.models import CompanySettings

pytestmark = pytest.mark.django_db

URL = reverse("documents:company_settings")


def values(**overrides):
    data = {
        "legal_name_zh": "測試機電股份有限公司",
        "legal_name_en": "Test Electric Co., Ltd.",
        "tax_id": "12345675",  # the 7th-digit-is-7 case
        "address_zh": "臺北市",
        "address_en": "Taipei",
        "phone": "02-1234-5678",
        "bank_account": "臺灣銀行",
        "default_payment_terms": "月結三十天",
        "quote_validity_days": "30",
        "tax_rate_percent": "5",
        "prices_include_tax": "",
    }
    data.update(overrides)
    return {f"company-{k}": v for k, v in data.items()}


def png(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_only_the_admin(client, salesperson, manager, gm, finance):
    for user in (salesperson, manager, gm, finance):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, values()).status_code == 403
    assert not CompanySettings.objects.exists()


def test_admin_saves_with_a_logo(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    data = values()
    data["company-logo"] = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = client.post(URL, data)
    assert response.status_code == 302
    row = CompanySettings.objects.get(pk=1)
    assert row.tax_id == "12345675" and row.tax_rate_percent == D("5") and row.logo.name.endswith(".png")
    assert row.updated_by == admin_user


@pytest.mark.parametrize("tax_id", ["12345674", "1234567", "abcdefgh", "10000003"])
def test_bad_tax_id_is_a_field_error(client, admin_user, tax_id):
    client.force_login(admin_user)
    response = client.post(URL, values(tax_id=tax_id))
    assert response.status_code == 200
    assert response.context["form"].errors["tax_id"]
    assert not CompanySettings.objects.exists()


@pytest.mark.parametrize("rate", ["-1", "100.01", "abc"])
def test_bad_tax_rate_is_a_field_error(client, admin_user, rate):
    client.force_login(admin_user)
    response = client.post(URL, values(tax_rate_percent=rate))
    assert response.context["form"].errors["tax_rate_percent"]


def test_logo_must_be_a_small_png_or_jpeg(client, admin_user):
    client.force_login(admin_user)
    data = values()
    data["company-logo"] = SimpleUploadedFile("logo.txt", b"hello", content_type="text/plain")
    response = client.post(URL, data)
    assert response.context["form"].errors["logo"]
    big = SimpleUploadedFile("logo.png", png((2600, 2600)) + b"0" * (2 * 1024 * 1024), content_type="image/png")
    data["company-logo"] = big
    response = client.post(URL, data)
    assert response.context["form"].errors["logo"]
    assert not CompanySettings.objects.exists()


def test_logo_and_letterhead_appear_on_the_pdf(client, admin_user, salesperson):
    from documents import pdf, selectors

    from .factories import approved, product_quote
    from .test_pdfs import text_of

    client.force_login(admin_user)
    data = values()
    data["company-logo"] = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    client.post(URL, data)
    content = pdf.render_customer_document(selectors.quote_document(approved(product_quote(salesperson, lines=1))))
    assert b"/Subtype /Image" in content
    assert "12345675" in text_of(content)
