"""The Traditional Chinese catalogue is complete and compiled."""

import re
from pathlib import Path

from django.utils import translation

from sales.models import ContractStatus

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text, re.M)
    assert len(entries) > 300
    empty = [mid for mid, mstr in entries if mstr.strip() == '""' and mid.strip() != '""']
    assert empty == []


def test_compiled_catalogue_is_used():
    with translation.override("zh-hant"):
        assert str(ContractStatus.IN_REVIEW.label) == "評審中"
        assert translation.gettext("Discount authority") == "折扣許可權"
        assert translation.gettext("Retention money") == "質保金"
