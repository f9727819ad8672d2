"""The customer's activity timeline: ownership events, contact logs, card changes and comments as sentences.

A bounded number of queries whatever the history's length (one per source, each capped at `LIMIT` rows).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from core import timeline
from core.timeline import Entry, actor_name

from .models import ContactKind, Customer, OwnershipEventKind
from .selectors import AUDITED

DOCUMENT = "customers.customer"
LIMIT = 100  # rows read per source: a page, not a rule

K = OwnershipEventKind
# Fields whose changes are told elsewhere (ownership events) or hold ids rather than words.
_NOT_TOLD = {"owner", "unit"}


def _ownership_sentence(e) -> str:
    params = {
        "actor": actor_name(e.actor),
        "from": e.from_owner or _("the pool"),
        "to": e.to_owner or _("the pool"),
    }
    if e.kind == K.REGISTER:
        if e.to_owner is None:
            return _("%(actor)s registered the customer in the pool") % params
        return _("%(actor)s registered the customer for %(to)s") % params
    if e.kind == K.CLAIM:
        return _("%(to)s claimed the customer from the pool") % params
    if e.kind == K.WARN:
        return _("Release warning to %(from)s: no recent contact") % params
    if e.kind == K.RELEASE:
        if e.actor is None:
            return _("The customer went back to the pool from %(from)s (no recent contact)") % params
        return _("%(actor)s released the customer from %(from)s to the pool") % params
    if e.kind == K.REASSIGN:
        return _("%(actor)s reassigned the customer from %(from)s to %(to)s") % params
    if e.kind == K.CONFIRM:
        return _("%(actor)s confirmed %(to)s as the owner") % params
    return str(e.get_kind_display())


def _reason(e) -> str:
    """The reason given for a move; a registration's "reason" is its source code (web, import…), not for readers."""
    return "" if e.kind in (K.REGISTER, K.CLAIM) else e.reason


def _contact_sentence(log) -> str:
    kind = {
        ContactKind.CALL: _("%(who)s called the customer"),
        ContactKind.VISIT: _("%(who)s visited the customer"),
        ContactKind.MESSAGE: _("%(who)s sent the customer a message"),
    }.get(log.kind, _("%(who)s contacted the customer"))
    return kind % {"who": actor_name(log.author)}


def _value(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _changes(customer: Customer) -> list[Entry]:
    history = list(customer.history.select_related("history_user").order_by("-history_date", "-history_id")[:LIMIT])
    fields = {f.name: f for f in Customer._meta.concrete_fields}
    entries = []
    for newer, older in zip(history, [*history[1:], None], strict=False):
        who = actor_name(newer.history_user)
        if older is None:
            if len(history) < LIMIT:  # the first record really is the creation
                entries.append(
                    Entry(at=newer.history_date, actor=who, text=_("%(who)s created the card") % {"who": who})
                )
            continue
        told = [f for f in AUDITED if f not in _NOT_TOLD]
        delta = newer.diff_against(older, included_fields=told)
        details = tuple(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": fields[c.field].verbose_name,
                "old": _value(fields[c.field], c.old),
                "new": _value(fields[c.field], c.new),
            }
            for c in delta.changes
        )
        if details:
            entries.append(
                Entry(
                    at=newer.history_date,
                    actor=who,
                    text=_("%(who)s changed the card") % {"who": who},
                    kind="change",
                    details=details,
                )
            )
    return entries


def customer_timeline(*, customer: Customer) -> list[Entry]:
    """Everything that happened to `customer`, newest first (five queries)."""
    ownership = customer.ownership_events.select_related("from_owner", "to_owner", "actor")[:LIMIT]
    logs = customer.contact_logs.select_related("author").order_by("-happened_at")[:LIMIT]
    return timeline.merge(
        (
            Entry(at=e.created_at, actor=actor_name(e.actor), text=_ownership_sentence(e), note=_reason(e))
            for e in ownership
        ),
        (
            Entry(
                at=log.happened_at,
                actor=actor_name(log.author),
                text=_contact_sentence(log),
                note=" · ".join(x for x in (log.purpose, log.outcome) if x),
                kind="note",
            )
            for log in logs
        ),
        _changes(customer),
        timeline.comment_entries(DOCUMENT, customer.pk),
    )


def can_see(customer: Customer):
    """The `can_see(user)` test for mentions: may that user open this customer's page?"""

    def check(user: User) -> bool:
        return Customer.objects.visible_to(user).filter(pk=customer.pk).exists()

    return check
