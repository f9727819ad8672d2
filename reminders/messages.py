"""The words of each reminder, rendered in the reader's language when shown or sent."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from .models import Audience, ReminderKind


# ~70 lines: one short branch per reminder kind holding only its translatable title and body (a table of texts)
def _text(kind: str, audience: str, p: dict) -> tuple[str, str]:
    customer = p.get("customer", "")
    if kind == ReminderKind.FOLLOW_UP:
        return (
            _("Follow up with %(customer)s") % {"customer": customer},
            _("Contract %(contract)s (%(category)s) was delivered on %(shipped)s: call to check all is well.")
            % {
                "contract": p.get("contract", ""),
                "category": p.get("category", ""),
                "shipped": p.get("shipped_on", ""),
            },
        )
    if kind == ReminderKind.NEXT_STEP:
        return (
            _("Next step with %(customer)s due %(date)s") % {"customer": customer, "date": p.get("date", "")},
            p.get("next_step", ""),
        )
    if kind == ReminderKind.REORDER:
        product = p.get("product", "")
        if audience == Audience.CUSTOMER:
            return (
                _("Time to restock %(product)s") % {"product": product},
                _(
                    "Dear %(customer)s, your last order of %(product)s was on %(last)s; you may run out around "
                    "%(expected)s. Reply or call us to reorder."
                )
                % {
                    "customer": customer,
                    "product": product,
                    "last": p.get("last_on", ""),
                    "expected": p.get("expected_on", ""),
                },
            )
        return (
            _("%(customer)s may reorder %(product)s") % {"customer": customer, "product": product},
            _("Buys about every %(days)s days; last order %(last)s; next expected %(expected)s.")
            % {"days": p.get("interval_days", ""), "last": p.get("last_on", ""), "expected": p.get("expected_on", "")},
        )
    if kind == ReminderKind.DAILY_REPORT:
        return (
            _("Daily report for %(date)s not submitted") % {"date": p.get("date", "")},
            _("Please submit today's work report before you leave."),
        )
    if kind == ReminderKind.CONTRACT_FILING:
        return (
            _("File contract %(contract)s") % {"contract": p.get("contract", "")},
            _("Signed on %(signed)s with %(customer)s and still not filed (due within %(days)s days).")
            % {"signed": p.get("signed_on", ""), "customer": customer, "days": p.get("days", "")},
        )
    if kind == ReminderKind.RECEIVABLE_OVERDUE:
        return (
            _("Receivable overdue: %(contract)s") % {"contract": p.get("contract", "")},
            _("%(customer)s owes %(amount)s, due on %(due)s.")
            % {"customer": customer, "amount": p.get("outstanding", ""), "due": p.get("due_on", "")},
        )
    if kind == ReminderKind.INTEREST_WARNING:
        return (
            _("Interest starts on %(date)s: %(contract)s")
            % {"date": p.get("starts_on", ""), "contract": p.get("contract", "")},
            _(
                "%(customer)s still owes %(amount)s on the shipment of %(shipped)s. Collect it by %(due)s, or overdue "
                "interest of %(rate)s %% a month is charged against your commission from %(date)s."
            )
            % {
                "customer": customer,
                "amount": p.get("outstanding", ""),
                "shipped": p.get("shipped_on", ""),
                "due": p.get("due_on", ""),
                "rate": p.get("rate", ""),
                "date": p.get("starts_on", ""),
            },
        )
    if kind == ReminderKind.PROMISE_MISSED:
        return (
            _("Promise to pay missed: %(customer)s") % {"customer": customer},
            _("%(customer)s promised to pay %(amount)s by %(date)s; %(received)s was received.")
            % {
                "customer": customer,
                "amount": p.get("promised_amount", ""),
                "date": p.get("promised_on", ""),
                "received": p.get("received", ""),
            },
        )
    if kind == ReminderKind.CARD_FILING:
        return (
            _("Customer cards of %(unit)s due by %(date)s") % {"unit": p.get("unit", ""), "date": p.get("due_on", "")},
            _("File this month's customer profile cards of the unit before the deadline."),
        )
    if kind == ReminderKind.POOL_RELEASE:
        return (
            _("%(customer)s goes back to the pool on %(date)s")
            % {"customer": customer, "date": p.get("release_on", "")},
            _(
                "No contact has been logged with %(customer)s for a long time. Log a visit or call before %(date)s "
                "to keep the customer; otherwise it is released to the public pool."
            )
            % {"customer": customer, "date": p.get("release_on", "")},
        )
    if kind == ReminderKind.MEMBERSHIP_RENEWAL:
        return (
            _("Membership of %(customer)s to renew by %(date)s")
            % {"customer": customer, "date": p.get("renews_on", "")},
            _(
                "The %(level)s membership of %(customer)s runs out on %(date)s. Call to renew it; after that day the "
                "member benefits stop."
            )
            % {"customer": customer, "level": p.get("level", ""), "date": p.get("renews_on", "")},
        )
    return (str(kind), "")


def render(reminder, *, language: str | None = None) -> tuple[str, str]:
    """(title, body) of a reminder in the given language (default: the active one)."""
    if language:
        with translation.override(language):
            return _text(reminder.kind, reminder.audience, reminder.params or {})
    return _text(reminder.kind, reminder.audience, reminder.params or {})


def link(reminder) -> str:
    if reminder.kind == "daily_report":
        return "/reports/"
    if reminder.kind == "card_filing":
        return "/customers/filing/"
    if reminder.customer_id:
        return f"/customers/{reminder.customer_id}/"
    return "/reminders/"
