"""Moves on the pipeline board: a drag is one workflow action, taken through the service that owns it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied
from core.periods import month_start

from .. import pipeline
from ..models import Contract, Quote, QuoteKind
from ..permissions import may_work_on_quote
from ._common import _lock_quote
from .contracts import contract_create_from_quote
from .quotes import quote_approve, quote_set_outcome, quote_submit, quote_update


@transaction.atomic
def quote_move(*, actor: User, quote: Quote, stage: str) -> Quote | Contract:
    """Move `quote` to pipeline `stage` if one workflow transition leads there and `actor` may take it.

    Refusals: an unknown stage, or a move the workflow does not allow from here (ApplicationError, field "stage").
    The service of the action then guards again (state and person) under the quote's row lock.
    """
    if stage not in pipeline.STAGE_KEYS:
        raise ApplicationError(_("Unknown pipeline stage."), field="stage", code="invalid")
    _lock_quote(quote)  # the row lock first; the action's service locks it again (same transaction)
    locked = pipeline.with_stage(Quote.objects.filter(pk=quote.pk)).select_related("customer").get()
    transition = pipeline.move_transition(actor, locked, stage)
    if transition is None:
        raise ApplicationError(
            _("The quote cannot be moved from “%(here)s” to “%(there)s”.")
            % {
                "here": dict(pipeline.STAGES).get(pipeline.stage_of(locked) or "", locked.get_status_display()),
                "there": dict(pipeline.STAGES)[stage],
            },
            field="stage",
            code="not_allowed",
        )
    action = transition.action
    if action == "submit":
        return quote_submit(actor=actor, quote=locked)
    if action == "approve":
        return quote_approve(actor=actor, quote=locked)
    if action == "change":
        return quote_update(actor=actor, quote=locked)
    if action == "contract":
        if locked.kind == QuoteKind.ENGINEERING:
            raise ApplicationError(
                _("An engineering quote needs its project product: open the quote."),
                field="stage",
                code="needs_product",
            )
        return contract_create_from_quote(actor=actor, quote=locked)
    return quote_set_outcome(actor=actor, quote=locked, status=action)


@transaction.atomic
def quote_set_expected_close(*, actor: User, quote: Quote, month: dt.date | None) -> Quote:
    """Set the month the deal should close (stored as its first day); anyone who may work on the quote."""
    locked = _lock_quote(quote)
    if not may_work_on_quote(actor, locked):
        raise PermissionDenied(_("Only the salesperson or their manager may change this quote."))
    locked.expected_close = month_start(month) if month else None
    locked.save(update_fields=["expected_close", "updated_at"])
    return locked
