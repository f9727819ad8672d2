"""Statement data (stored JSON) prepared for one reader: their language, and cost hidden unless allowed."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def _pick(texts: dict | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))


def localize(data: dict, *, language: str, full: bool) -> dict:
    blocks = []
    for block in data["contracts"]:
        lines = []
        for line in block["lines"]:
            text = _pick(line.get("text_full"), language) if full and line.get("text_full") else ""
            lines.append(
                {
                    **line,
                    "display_label": _pick(line["label"], language),
                    "display_text": text or _pick(line["text"], language),
                    "amount_value": Decimal(line["amount"]),
                }
            )
        blocks.append({**block, "lines": lines})
    totals = {k: Decimal(v) for k, v in data["totals"].items()}
    return {**data, "contracts": blocks, "totals_value": totals}
