"""Field rules (pure): a market report's sales leads, one per line, and what a lead tells of a prospect."""

from __future__ import annotations

import re

PHONE = re.compile(r"(?:\+?886[-\s]?|0)\d(?:[-\s]?\d){6,9}")


def lead_lines(text: str) -> list[str]:
    """The leads of a report: its non-empty lines, numbered from 1 in this order."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def lead_prefill(lead: str) -> dict[str, str]:
    """What the customer registration form can be prefilled with from a lead, as far as it is known: a phone
    number found in the text, and as the name what comes before it (or the text), up to a comma or colon."""
    found = PHONE.search(lead)
    phone = found.group(0).strip() if found else ""
    rest = lead
    if found:
        before = lead[: found.start()].strip(" -–—,，:：;；、")
        rest = before or lead[found.end() :]
    name = re.split(r"[,，:：;；、(（]", rest.strip(" -–—,，:：;；、"), maxsplit=1)[0].strip(" -–—")
    return {"name": name[:200], "phone": phone}
