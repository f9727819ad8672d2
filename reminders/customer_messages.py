"""Messages to customers (reorder, after-sale check): the admin's template in the customer's language, or the
built-in words, always signed with the company and the salesperson (name and phone) and ending with an opt-out
link. Placeholders are a closed list: a template naming anything else is refused when saved."""

from __future__ import annotations

import string

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import messages
from .models import MessageTemplate, ReminderKind

OPT_OUT_SALT = "reminders.opt-out"
PLACEHOLDERS = {
    "company": gettext_lazy("the company's name"),
    "customer": gettext_lazy("the customer's name"),
    "product": gettext_lazy("the product (reorder)"),
    "last": gettext_lazy("the last order's date (reorder)"),
    "expected": gettext_lazy("the expected run-out date (reorder)"),
    "contract": gettext_lazy("the contract number (after-sale check)"),
    "salesperson": gettext_lazy("the salesperson's name"),
    "salesperson_phone": gettext_lazy("the salesperson's phone"),
    "opt_out": gettext_lazy("the opt-out link"),
}
TEMPLATE_KINDS = [
    (ReminderKind.REORDER, ReminderKind.REORDER.label),
    (ReminderKind.FOLLOW_UP, gettext_lazy("After-sale check")),
]


def template_errors(body: str) -> list[str]:
    """What is wrong with a template's text (empty list = fine): unknown placeholders, format tricks, bad braces."""
    errors: list[str] = []
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return [_("Braces must come in pairs: write {{ or }} for a literal brace.")]
    for name, spec, conv in fields:
        if name not in PLACEHOLDERS:
            errors.append(
                _("Unknown placeholder {%(name)s}. Use one of: %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{k}}}" for k in PLACEHOLDERS)}
            )
        elif spec or conv:
            errors.append(_("Write {%(name)s} without a format.") % {"name": name})
    return errors


def unsubscribe_line(url: str) -> str:
    return _("Unsubscribe: %(url)s") % {"url": url}


def opt_out_token(customer_id: int) -> str:
    """The same short token each time for a customer (no timestamp: an opt-out link never expires)."""
    return signing.Signer(salt=OPT_OUT_SALT).sign(str(customer_id))


def read_opt_out_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def opt_out_url(customer_id: int) -> str:
    path = reverse("opt_out", kwargs={"token": opt_out_token(customer_id)})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def company_name(language: str) -> str:
    """The name messages are signed with (settings.COMPANY_NAME)."""
    return str(getattr(settings, "COMPANY_NAME", "") or "")


def _values(reminder, language: str) -> dict[str, str]:
    p = reminder.params or {}
    owner = reminder.owner
    return {
        "company": company_name(language),
        "customer": p.get("customer", ""),
        "product": p.get("product", ""),
        "last": p.get("last_on", ""),
        "expected": p.get("expected_on", ""),
        "contract": p.get("contract", ""),
        "salesperson": (owner.get_full_name() or owner.username) if owner else "",
        "salesperson_phone": getattr(owner, "phone", "") if owner else "",
        "opt_out": opt_out_url(reminder.customer_id),
    }


def render(reminder, *, language: str) -> tuple[str, str]:
    """(title, body) of a customer message in `language`, with signature and opt-out link."""
    values = _values(reminder, language)
    template = MessageTemplate.objects.filter(kind=reminder.kind, language=language).first()
    with translation.override(language):
        title, default_body = messages.render(reminder, language=language)
        if template is not None and not template_errors(template.body):
            body = template.body.format_map(values)
        else:
            signature = _("%(company)s %(salesperson)s %(phone)s") % {
                "company": values["company"],
                "salesperson": values["salesperson"],
                "phone": values["salesperson_phone"],
            }
            body = f"{default_body} — {' '.join(signature.split())}"
        if values["opt_out"] not in body:  # every message can be refused, whatever the template says
            body = f"{body} {unsubscribe_line(values['opt_out'])}"
    return title, body


def preview_message(*, kind: str, language: str, body: str) -> str:
    """The template filled with example values, as the admin will see it on a phone (empty = built-in words)."""
    with translation.override(language):
        example = {
            "company": company_name(language) or _("(company name)"),
            "customer": _("Example Co."),
            "product": _("Example product"),
            "last": "2026-01-15",
            "expected": "2026-03-01",
            "contract": "K2026-00001",
            "salesperson": _("(salesperson)"),
            "salesperson_phone": "0912-345-678",
            "opt_out": f"{settings.PUBLIC_BASE_URL.rstrip('/')}/m/u/…/",
        }
        if not body.strip():
            return str(_("(built-in words)"))
        if template_errors(body):
            return ""
        text = body.format_map(example)
        if example["opt_out"] not in text:
            text = f"{text} {unsubscribe_line(example['opt_out'])}"
        return text
