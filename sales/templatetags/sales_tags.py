from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import ZERO

from .. import selectors

register = template.Library()

BADGES = {
    "draft": "text-bg-secondary",
    "in_review": "text-bg-warning",
    "approved": "text-bg-info",
    "signed": "text-bg-primary",
    "filed": "text-bg-success",
    "rejected": "text-bg-danger",
    "cancelled": "text-bg-light",
}

EVENT_LABELS = {
    "created": pgettext_lazy("contract event", "created"),
    "updated": pgettext_lazy("contract event", "changed"),
    "submitted": pgettext_lazy("contract event", "submitted for review"),
    "approved": pgettext_lazy("contract event", "approved"),
    "rejected": pgettext_lazy("contract event", "rejected"),
    "signed": pgettext_lazy("contract event", "signed"),
    "filed": pgettext_lazy("contract event", "filed"),
    "cancelled": pgettext_lazy("contract event", "cancelled"),
    "shipped": pgettext_lazy("contract event", "shipped"),
    "invoiced": pgettext_lazy("contract event", "invoiced"),
    "paid": pgettext_lazy("contract event", "payment received"),
}


@register.simple_tag
def contract_status_badge(contract):
    overdue = selectors.is_filing_overdue(contract)
    return format_html(
        '<span class="badge {}">{}</span>{}',
        BADGES.get(contract.status, "text-bg-secondary"),
        contract.get_status_display(),
        format_html(' <span class="badge text-bg-danger">{}</span>', _("filing overdue")) if overdue else "",
    )


@register.simple_tag
def event_label(action):
    return EVENT_LABELS.get(action, action)


@register.filter
def open_amount(contract):
    """Amount minus paid, for contracts annotated by selectors.with_paid."""
    return max(ZERO, contract.amount - getattr(contract, "paid_total", ZERO))


@register.simple_tag(takes_context=True)
def customer_contracts(context, customer):
    """The customer's contracts visible to the viewer, with receivables (three queries)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return selectors.customer_contracts(user=request.user, customer_id=customer.pk)


@register.filter
def status_label(value):
    from ..models import ContractStatus

    try:
        return ContractStatus(value).label
    except ValueError:
        return value or "—"
