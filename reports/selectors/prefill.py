"""Daily report pre-fill: what the contact log says the salesperson did that day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import ContactKind, ContactLog

from ..calendar import local_tz, policy_for, report_deadline
from ..models import VisitRoute
from ._common import _day_range


def contact_counts(*, author: User, day: dt.date) -> dict[str, int]:
    start, end = _day_range(day)
    rows = (
        ContactLog.objects.filter(author=author, happened_at__gte=start, happened_at__lt=end)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


@dataclass
class Prefill:
    day: dt.date
    logs: list[ContactLog]
    route: list[VisitRoute]
    visits: int
    calls: int
    messages: int
    activities: str
    plan_tomorrow: str
    deadline: dt.datetime


def daily_report_prefill(*, author: User, day: dt.date) -> Prefill:
    """What the salesperson did that day according to the contact log, and tomorrow's fixed route."""
    start, end = _day_range(day)
    logs = list(
        ContactLog.objects.filter(author=author, happened_at__gte=start, happened_at__lt=end)
        .select_related("customer")
        .order_by("happened_at")
    )
    tomorrow = day + dt.timedelta(days=1)
    route = list(
        VisitRoute.objects.filter(owner=author, weekday=tomorrow.weekday())
        .select_related("customer")
        .order_by("position")
    )
    lines = []
    for log in logs:
        parts = [
            f"{timezone.localtime(log.happened_at, local_tz()):%H:%M}",
            str(log.get_kind_display()),
            str(log.customer),
        ]
        if log.purpose:
            parts.append(log.purpose)
        text = " ".join(parts)
        if log.outcome:
            text += f": {log.outcome}"
        if log.next_step:
            text += f" → {log.next_step}"
            if log.next_step_date:
                text += f" ({log.next_step_date:%m-%d})"
        lines.append(text)
    follow_ups = [
        f"{log.customer}: {log.next_step}" for log in logs if log.next_step and log.next_step_date == tomorrow
    ]
    plan = [f"{_('Route')}: {stop.customer}" for stop in route] + follow_ups
    kinds = defaultdict(int)
    for log in logs:
        kinds[log.kind] += 1
    return Prefill(
        day=day,
        logs=logs,
        route=route,
        visits=kinds[ContactKind.VISIT],
        calls=kinds[ContactKind.CALL],
        messages=kinds[ContactKind.MESSAGE],
        activities="\n".join(lines),
        plan_tomorrow="\n".join(plan),
        deadline=report_deadline(day, policy_for(day, author.unit_id)),
    )
