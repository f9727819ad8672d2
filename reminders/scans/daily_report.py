"""Missing daily report: salespeople without a submitted report for a working day of the reports calendar."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from reports.calendar import WorkingCalendar, longest_cutoff_days, report_deadline, units_with_own_cutoff
from reports.models import DailyReport

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, insert, reminder_row


def _daily_report_remind_at(day: dt.date, deadline: dt.datetime, cfg: ReminderSettings) -> dt.datetime:
    """End of the working day (`daily_report_hour` local), or an hour before the report deadline if earlier."""
    end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time(cfg.daily_report_hour)))
    return min(end_of_day, deadline - dt.timedelta(hours=1))


def daily_report_days(
    *, now: dt.datetime, cfg: ReminderSettings, unit_id: int | None = None
) -> list[tuple[dt.date, dt.datetime]]:
    """Working days (reports app's calendar) whose missing reports should be reminded now: the reminder time has
    come and the report deadline (`reports.calendar.report_deadline`, with `unit_id`'s own approved cut-off if it
    has one) has not passed. (day, deadline) pairs."""
    today = timezone.localdate(now)
    lookback = min(longest_cutoff_days() + 1, cfg.catch_up_days)
    calendar = WorkingCalendar(today - dt.timedelta(days=lookback), today, unit_id=unit_id)
    days = []
    for day in calendar.working_days():
        deadline = report_deadline(day, calendar.policy_on(day))
        if _daily_report_remind_at(day, deadline, cfg) <= now < deadline:
            days.append((day, deadline))
    return days


def scan_daily_report(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Salespeople without a submitted report for a working day, by the reports app's working-day calendar
    (report policy's working week, holidays, make-up days) and its report deadline: reminded at the end of the
    working day (or an hour before the deadline if that is earlier), never after the deadline (the report is
    locked then). The salespeople of a unit with its own approved cut-off are scanned by their unit's deadline."""
    own = units_with_own_cutoff(timezone.localdate(now))
    salespeople = User.objects.filter(role=Role.SALESPERSON, is_active=True)
    count = _scan(now=now, cfg=cfg, unit_id=None, people=salespeople.exclude(unit_id__in=own))
    for unit_id in own:
        count += _scan(now=now, cfg=cfg, unit_id=unit_id, people=salespeople.filter(unit_id=unit_id))
    return count


def _scan(*, now: dt.datetime, cfg: ReminderSettings, unit_id: int | None, people: QuerySet[User]) -> int:
    count = 0
    for day, deadline in daily_report_days(now=now, cfg=cfg, unit_id=unit_id):
        submitted = DailyReport.objects.filter(author=OuterRef("pk"), date=day, submitted_at__isnull=False)
        rows = people.exclude(Exists(submitted)).order_by().values_list("id", "unit_id")
        count += insert(
            reminder_row(
                ReminderKind.DAILY_REPORT,
                f"user:{uid}:{day.isoformat()}",
                owner_id=uid,
                unit_id=unit,
                subject=("accounts.user", uid),
                due_on=day,
                send_after=now,
                params={"date": day.isoformat(), "deadline": timezone.localtime(deadline).isoformat()},
            )
            for uid, unit in rows.iterator(chunk_size=BATCH)
        )
    return count


def resolve_daily_report(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once the report is submitted."""
    return live.filter(
        Exists(
            DailyReport.objects.filter(
                author_id=OuterRef("owner_id"), date=OuterRef("due_on"), submitted_at__isnull=False
            )
        )
    ).update(**close)


def daily_report_still_relevant(reminder: Reminder) -> bool:
    deadline = reminder.params.get("deadline")
    if deadline and dt.datetime.fromisoformat(deadline) <= timezone.now():
        return False  # the report is locked: nothing the salesperson can do any more
    return not DailyReport.objects.filter(
        author_id=reminder.owner_id, date=reminder.due_on, submitted_at__isnull=False
    ).exists()


register(
    ReminderKind.DAILY_REPORT,
    scan=scan_daily_report,
    resolve=resolve_daily_report,
    still_relevant=daily_report_still_relevant,
)
