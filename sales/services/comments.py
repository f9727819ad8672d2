"""Comments on a quote's or a contract's timeline: the owner and the @mentioned who may see the record are told."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core import timeline
from core.exceptions import PermissionDenied
from core.models import Activity

from .. import timeline as sales_timeline
from ..models import Contract, Quote
from ..workflows import CONTRACT, QUOTE


def quote_comment(*, quote: Quote, actor: User, body: str) -> Activity:
    if not Quote.objects.visible_to(actor).filter(pk=quote.pk).exists():
        raise PermissionDenied(_("You may not comment on this quote."))
    return timeline.post_comment(
        document=QUOTE.document,
        document_id=quote.pk,
        actor=actor,
        body=body,
        can_see=sales_timeline.can_see_quote(quote),
        owners=[quote.owner_id],
        data={
            "number": quote.number,
            "actor": actor.get_full_name(),
            "customer": quote.customer.name,
            "url": reverse("sales:quote_detail", args=[quote.pk]),
        },
    )


def contract_comment(*, contract: Contract, actor: User, body: str) -> Activity:
    if not Contract.objects.visible_to(actor).filter(pk=contract.pk).exists():
        raise PermissionDenied(_("You may not comment on this contract."))
    return timeline.post_comment(
        document=CONTRACT.document,
        document_id=contract.pk,
        actor=actor,
        body=body,
        can_see=sales_timeline.can_see_contract(contract),
        owners=[contract.owner_id],
        data={
            "number": contract.number,
            "actor": actor.get_full_name(),
            "customer": contract.customer.name,
            "url": reverse("sales:contract_detail", args=[contract.pk]),
        },
    )
