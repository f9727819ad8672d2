import re
from pathlib import Path

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_compiled():
    text = PO.read_text(encoding="utf-8")
    entries = re.findall(r'msgid "(.+?)"\n(?:msgid_plural ".*?"\n)?msgstr(?:\[0\])? "(.*?)"\n', text)
    assert len(entries) > 300
    assert [m for m, s in entries if not s] == []
    assert "#, fuzzy" not in text
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 5


def test_pages_and_refusal_in_traditional_chinese(client, salesperson, other_salesperson):
    salesperson.language = "zh-hant"
    salesperson.save(update_fields=["language"])
    CustomerFactory(owner=other_salesperson, name="中文碰車股份有限公司", tax_id="", phone="")
    client.force_login(salesperson)
    body = client.get(reverse("customers:list")).content.decode()
    assert "客戶備案" in body and "公海" in body
    response = client.post(
        reverse("customers:create"), {"name": "中文碰車有限公司", "status": "prospect", "tier": "ordinary"}
    )
    assert f"已由 {other_salesperson.get_full_name()}" in response.content.decode()
