"""The activity timelines of a quote and of a contract, as sentences in the reader's language, with comments.

Quote: its handoff events (`core.Activity`: submitted, approved, rejected, sent, accepted…) and comments.
Contract: its audit history (`ContractEvent`) and comments. A bounded number of queries each.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from core import timeline
from core.models import Activity
from core.timeline import COMMENTED, Entry, actor_name

from .models import Contract, ContractStatus, Quote
from .workflows import CONTRACT, QUOTE

LIMIT = 100  # rows read per source: a page, not a rule


def _quote_sentences() -> dict[str, str]:
    return {
        "submitted": _("%(actor)s submitted the quote for approval"),
        "approved_within_authority": _("%(actor)s submitted the quote; it was within their authority"),
        "approved": _("%(actor)s approved the quote"),
        "rejected": _("%(actor)s rejected the quote"),
        "sent": _("%(actor)s sent the quote to the customer"),
        "accepted": _("%(actor)s recorded that the customer accepted the quote"),
        "declined": _("%(actor)s recorded that the customer declined the quote"),
    }


def _contract_sentences() -> dict[str, str]:
    return {
        "created": _("%(actor)s created the contract"),
        "updated": _("%(actor)s changed the contract"),
        "submitted": _("%(actor)s submitted the contract for review"),
        "approved": _("%(actor)s approved the contract"),
        "rejected": _("%(actor)s rejected the contract"),
        "signed": _("%(actor)s recorded that the contract was signed"),
        "filed": _("%(actor)s filed the contract"),
        "cancelled": _("%(actor)s cancelled the contract"),
        "shipped": _("%(actor)s recorded a shipment"),
        "invoiced": _("%(actor)s recorded an invoice"),
        "paid": _("%(actor)s recorded a payment"),
    }


def _status(value: str) -> str:
    try:
        return str(ContractStatus(value).label)
    except ValueError:
        return value


def quote_timeline(*, quote: Quote) -> list[Entry]:
    """The quote's story, newest first (two queries)."""
    sentences = _quote_sentences()
    rows = (
        Activity.objects.filter(document=QUOTE.document, document_id=quote.pk)
        .exclude(action=COMMENTED)
        .select_related("actor")[:LIMIT]
    )
    events = [
        Entry(
            at=a.created_at,
            actor=actor_name(a.actor),
            text=sentences.get(a.action, _("%(actor)s updated the quote")) % {"actor": actor_name(a.actor)},
            note=a.note,
        )
        for a in rows
    ]
    created = Entry(
        at=quote.created_at,
        actor=actor_name(quote.owner),
        text=_("%(actor)s created the quote") % {"actor": actor_name(quote.owner)},
    )
    return timeline.merge([created], events, timeline.comment_entries(QUOTE.document, quote.pk))


def contract_timeline(*, contract: Contract) -> list[Entry]:
    """The contract's story, newest first (two queries)."""
    sentences = _contract_sentences()
    rows = contract.events.select_related("actor").order_by("-at", "-id")[:LIMIT]
    entries = []
    for e in rows:
        who = actor_name(e.actor)
        text = sentences.get(e.action, _("%(actor)s updated the contract")) % {"actor": who}
        details: tuple[str, ...] = ()
        if e.from_status and e.to_status and e.from_status != e.to_status:
            details = (_("%(old)s → %(new)s") % {"old": _status(e.from_status), "new": _status(e.to_status)},)
        entries.append(Entry(at=e.at, actor=who, text=text, note=e.note, details=details))
    return timeline.merge(entries, timeline.comment_entries(CONTRACT.document, contract.pk))


def can_see_quote(quote: Quote):
    def check(user: User) -> bool:
        return Quote.objects.visible_to(user).filter(pk=quote.pk).exists()

    return check


def can_see_contract(contract: Contract):
    def check(user: User) -> bool:
        return Contract.objects.visible_to(user).filter(pk=contract.pk).exists()

    return check
