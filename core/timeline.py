"""The activity timeline of a record (customer, quote, contract) and its comments with @mentions.

Each app turns its own history (ownership events, contract events, card changes…) into `Entry`s — sentences in the
reader's language, never raw codes — and merges them with the comments kept here as `Activity` rows
(action "commented"). A comment is a handoff like any other: `post_comment` publishes it through `core.events`,
and reminders turns it into one notification per recipient in the recipient's language.

Who is told: the record's owner(s) and everyone @mentioned — but only those who may see the record
(`can_see`), so a mention never leaks a record to someone who would get a 404 on following the link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from . import events
from .exceptions import ApplicationError
from .models import Activity

COMMENTED = "commented"
MAX_COMMENT_LENGTH = 4000  # a technical bound on a text field (like a column width), not a business rule

# "@sales01" or "@陳經理": a username, or a full name written without spaces (\w covers CJK).
MENTION_RE = re.compile(r"(?<![\w@.])@([\w][\w.\-]*)", re.UNICODE)


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: when, who, what (a sentence in the reader's language), and an optional note."""

    at: datetime
    actor: str
    text: str
    note: str = ""
    kind: str = "event"  # "event", "comment", "note" (a contact log), "change" (a card edit)
    details: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "text": self.text,
            "note": self.note,
            "kind": self.kind,
            "details": list(self.details),
        }


def merge(*groups: Iterable[Entry]) -> list[Entry]:
    """All entries, newest first."""
    out = [e for g in groups for e in g]
    out.sort(key=lambda e: e.at, reverse=True)
    return out


def actor_name(user: Any) -> str:
    return str(user) if user is not None else str(_("the system"))


def comment_entries(document: str, document_id: int) -> list[Entry]:
    """The comments on one record (one query)."""
    rows = Activity.objects.filter(document=document, document_id=document_id, action=COMMENTED).select_related("actor")
    return [
        Entry(at=a.created_at, actor=actor_name(a.actor), text=str(_("commented")), note=a.note, kind="comment")
        for a in rows
    ]


def mention_names(body: str) -> list[str]:
    names: list[str] = []
    for m in MENTION_RE.finditer(body or ""):
        name = m.group(1).rstrip(".-")
        if name and name not in names:
            names.append(name)
    return names


def mentioned_users(body: str) -> list[Any]:
    """Active users named in `body` by username or full name (one query; none if nothing is mentioned)."""
    names = mention_names(body)
    if not names:
        return []
    q = Q(username__in=names) | Q(full_name__in=names)
    return list(get_user_model().objects.filter(q, is_active=True).order_by("pk"))


@transaction.atomic
def post_comment(
    *,
    document: str,
    document_id: int,
    actor: Any,
    body: str,
    can_see: Callable[[Any], bool],
    owners: Iterable[Any] = (),
    data: dict[str, Any] | None = None,
) -> Activity:
    """Record a comment on a record and tell its owners and the @mentioned who may see it (never the actor)."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError(str(_("Write a comment first.")), field="body", code="required")
    if len(body) > MAX_COMMENT_LENGTH:
        raise ApplicationError(
            str(_("A comment may have at most %(n)s characters.")) % {"n": MAX_COMMENT_LENGTH},
            field="body",
            code="too_long",
        )
    mentioned = mentioned_users(body)
    visible = [u for u in mentioned if can_see(u)]
    recipients: list[Any] = [u for u in owners if u is not None] + visible
    payload = dict(data or {})
    payload["mentions"] = [u.pk for u in visible]
    return events.publish(
        document=document,
        document_id=document_id,
        action=COMMENTED,
        actor=actor,
        recipients=recipients,
        note=body,
        data=payload,
    )


def comment_view_response(
    request: Any, *, post: Callable[[str], Any], entries: Callable[[], list[Entry]], url: str, back: str
) -> Any:
    """The page side of posting a comment: htmx gets the refreshed timeline card (or the error in it), a plain
    form post is redirected back to the record with a message. Views stay thin: `post` calls the app's service."""
    body = request.POST.get("body", "")
    error = ""
    try:
        post(body)
    except ApplicationError as exc:
        error = str(exc.message)
    if request.headers.get("HX-Request"):
        context = {
            "timeline": entries(),
            "comment_url": url,
            "can_comment": True,
            "comment_error": error,
            "comment_body": body if error else "",
        }
        return render(request, "core/_timeline.html", context)  # htmx swaps 200s only: the error is in the card
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Comment added."))
    return redirect(back)
