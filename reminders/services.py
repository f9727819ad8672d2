"""Every write of the reminders app: the periodic scan, the sender, and the user's actions.

Exactly once:
* the scan inserts one row per (kind, subject, due period) with INSERT ... ON CONFLICT (dedup_key) DO NOTHING,
  so two scans running at once, or a scan re-run after a crash, never create a second row;
* the sender claims one due row at a time with SELECT ... FOR UPDATE SKIP LOCKED, delivers it and marks it
  sent in the same transaction: two senders never take the same row, and a sender that dies mid-way rolls
  back (the row is pending again, the in-app notification and delivery records vanish with it). The in-app
  notification and the delivery records are unique per (reminder, round), so the database itself refuses a
  second copy. Outside channels receive the dedup key (e-mail header, SMS Idempotency-Key) so a provider can
  drop the one resend that can follow a crash between the provider's answer and our commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, SalesUnit, User
from core.exceptions import ApplicationError
from core.money import round_money
from customers.models import ContactLog, Customer, CustomerStatus, MonthlyFiling, OwnershipEvent, OwnershipEventKind
from customers.selectors import filing_due_date, overdue_filings, unfiled_units
from customers.services import pool_policy_for
from reports.calendar import DEFAULT_POLICY as DEFAULT_REPORT_POLICY
from reports.calendar import WorkingCalendar, report_deadline
from reports.models import DailyReport, ReportPolicy
from sales.models import Contract, ContractLine, ContractStatus, Product, Shipment
from sales.selectors import BUCKETS, Receivable, contracts_filing_overdue, receivable_for, receivables_for

from . import delivery, messages
from .models import (
    Audience,
    Channel,
    CustomerMessagingPreference,
    Delivery,
    DeliveryStatus,
    FollowUpRule,
    Notification,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderState,
)
from .prediction import predict
from .selectors import PURCHASE_STATUSES, reorder_stats

logger = logging.getLogger(__name__)

BATCH = 2000


def _customer_label(name: str, short_name: str) -> str:
    return short_name or name


def _insert(rows: Iterable[Reminder]) -> int:
    """Insert reminders, skipping dedup keys that exist. Returns the number of candidate rows."""
    count = 0
    batch: list[Reminder] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
            count += len(batch)
            batch = []
    if batch:
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        count += len(batch)
    return count


# ---------------------------------------------------------------------------------------------------------
# scan: one function per kind; each reads a bounded window and inserts rows with unique dedup keys
# ---------------------------------------------------------------------------------------------------------


def _first_shipment():
    return Subquery(Shipment.objects.filter(contract=OuterRef("pk")).order_by("shipped_on").values("shipped_on")[:1])


def _shipped_between(lo: dt.date, hi: dt.date) -> Exists:
    """Cheap pre-filter on the shipped_on index: only contracts with a delivery inside the window."""
    return Exists(Shipment.objects.filter(contract=OuterRef("pk"), shipped_on__range=(lo, hi)))


def scan_follow_up(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """N days after a contract's first delivery, per product category (FollowUpRule; '' = other categories)."""
    today = timezone.localdate(now)
    rules = list(FollowUpRule.objects.filter(is_active=True))
    explicit = [r.category for r in rules if r.category]
    created = 0
    for rule in rules:
        lines = ContractLine.objects.filter(contract=OuterRef("pk"))
        if rule.category:
            lines = lines.filter(product__category=rule.category)
        else:
            lines = lines.exclude(product__category__in=explicit)
        hi = today - dt.timedelta(days=rule.days_after_delivery)
        lo = hi - dt.timedelta(days=cfg.catch_up_days)
        rows = (
            Contract.objects.exclude(status__in=[ContractStatus.CANCELLED, ContractStatus.REJECTED])
            .filter(_shipped_between(lo, hi))
            .annotate(first_shipped=_first_shipment())
            .filter(first_shipped__range=(lo, hi))
            .filter(Exists(lines))
            .order_by()
            .values_list(
                "id",
                "number",
                "owner_id",
                "unit_id",
                "customer_id",
                "customer__name",
                "customer__short_name",
                "first_shipped",
            )
        )
        label = rule.category or "*"
        created += _insert(
            Reminder(
                kind=ReminderKind.FOLLOW_UP,
                dedup_key=f"follow_up:contract:{cid}:{label}",
                owner_id=owner,
                unit_id=unit,
                customer_id=cust,
                subject_type="sales.contract",
                subject_id=cid,
                due_on=shipped + dt.timedelta(days=rule.days_after_delivery),
                send_after=now,
                params={
                    "contract": number,
                    "customer": _customer_label(name, short),
                    "category": rule.category,
                    "shipped_on": shipped.isoformat(),
                },
            )
            for cid, number, owner, unit, cust, name, short, shipped in rows.iterator(chunk_size=BATCH)
        )
    return created


def scan_next_step(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """A contact log's next step, `next_step_lead_days` before its date, to the customer's salesperson."""
    today = timezone.localdate(now)
    rows = (
        ContactLog.objects.filter(
            next_step_date__gte=today - dt.timedelta(days=cfg.catch_up_days),
            next_step_date__lte=today + dt.timedelta(days=cfg.next_step_lead_days),
        )
        .exclude(next_step="")
        .order_by()
        .values_list(
            "id",
            "next_step",
            "next_step_date",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "customer__owner_id",
            "customer__unit_id",
            "author_id",
        )
    )
    return _insert(
        Reminder(
            kind=ReminderKind.NEXT_STEP,
            dedup_key=f"next_step:log:{log_id}:{date.isoformat()}",
            owner_id=owner or author,
            unit_id=unit,
            customer_id=cust,
            subject_type="customers.contactlog",
            subject_id=log_id,
            due_on=date,
            send_after=now,
            params={"customer": _customer_label(name, short), "next_step": step, "date": date.isoformat()},
        )
        for log_id, step, date, cust, name, short, owner, unit, author in rows.iterator(chunk_size=BATCH)
    )


def scan_reorder(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Predicted run-outs (median interval or consumption rate), `reorder_lead_days` ahead: the salesperson,
    and the customer where they opted in (sent outside quiet hours, in their language)."""
    today = timezone.localdate(now)
    earliest = today - dt.timedelta(days=cfg.catch_up_days)
    due = []
    for stats in reorder_stats():
        p = predict(stats, today=today, lead_days=cfg.reorder_lead_days)
        if p is None or p.lapsed or p.remind_on > today or p.remind_on < earliest:
            continue
        due.append(p)
    if not due:
        return 0
    customers: dict[int, tuple] = {}
    ids = sorted({p.customer_id for p in due})
    for start in range(0, len(ids), BATCH):
        for row in (
            Customer.objects.filter(id__in=ids[start : start + BATCH])
            .exclude(status=CustomerStatus.LOST)
            .values_list("id", "name", "short_name", "owner_id", "unit_id")
        ):
            customers[row[0]] = row
    products = dict(Product.objects.filter(id__in={p.product_id for p in due}).values_list("id", "name"))
    prefs = {}
    if cfg.reorder_notify_customer:
        prefs = {
            pref.customer_id: pref
            for pref in CustomerMessagingPreference.objects.filter(customer_id__in=list(customers), opted_in=True)
        }

    def rows():
        for p in due:
            cust = customers.get(p.customer_id)
            if cust is None or cust[3] is None:
                continue
            _id, name, short, owner, unit = cust
            key = f"reorder:customer:{p.customer_id}:product:{p.product_id}:{p.last_on.isoformat()}"
            params = {
                "customer": _customer_label(name, short),
                "product": products.get(p.product_id, ""),
                "product_id": p.product_id,
                "last_on": p.last_on.isoformat(),
                "expected_on": p.expected_on.isoformat(),
                "interval_days": p.interval_days,
                "method": p.method,
                "purchases": p.purchases,
            }
            common = dict(
                kind=ReminderKind.REORDER,
                owner_id=owner,
                unit_id=unit,
                customer_id=p.customer_id,
                subject_type="sales.product",
                subject_id=p.product_id,
                due_on=p.expected_on,
                params=params,
            )
            yield Reminder(dedup_key=f"{key}:staff", send_after=now, **common)
            if p.customer_id in prefs:
                yield Reminder(
                    dedup_key=f"{key}:customer",
                    audience=Audience.CUSTOMER,
                    send_after=delivery.next_allowed_time(now, start=cfg.quiet_start, end=cfg.quiet_end),
                    **common,
                )

    return _insert(rows())


def _daily_report_remind_at(day: dt.date, deadline: dt.datetime, cfg: ReminderSettings) -> dt.datetime:
    """End of the working day (`daily_report_hour` local), or an hour before the report deadline if earlier."""
    end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time(cfg.daily_report_hour)))
    return min(end_of_day, deadline - dt.timedelta(hours=1))


def daily_report_days(*, now: dt.datetime, cfg: ReminderSettings) -> list[tuple[dt.date, dt.datetime]]:
    """Working days (reports app's calendar) whose missing reports should be reminded now: the reminder time has
    come and the report deadline (`reports.calendar.report_deadline`) has not passed. (day, deadline) pairs."""
    today = timezone.localdate(now)
    longest = ReportPolicy.objects.aggregate(m=Max("cutoff_days"))["m"] or 0
    lookback = min(max(longest, DEFAULT_REPORT_POLICY.cutoff_days) + 1, cfg.catch_up_days)
    calendar = WorkingCalendar(today - dt.timedelta(days=lookback), today)
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
    locked then)."""
    count = 0
    for day, deadline in daily_report_days(now=now, cfg=cfg):
        submitted = DailyReport.objects.filter(author=OuterRef("pk"), date=day, submitted_at__isnull=False)
        rows = (
            User.objects.filter(role=Role.SALESPERSON, is_active=True)
            .exclude(Exists(submitted))
            .order_by()
            .values_list("id", "unit_id")
        )
        count += _insert(
            Reminder(
                kind=ReminderKind.DAILY_REPORT,
                dedup_key=f"daily_report:user:{uid}:{day.isoformat()}",
                owner_id=uid,
                unit_id=unit,
                subject_type="accounts.user",
                subject_id=uid,
                due_on=day,
                send_after=now,
                params={"date": day.isoformat(), "deadline": timezone.localtime(deadline).isoformat()},
            )
            for uid, unit in rows.iterator(chunk_size=BATCH)
        )
    return count


def scan_contract_filing(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Signed contracts past the sales app's filing deadline (`Contract.filing_due_on`) and still not filed.

    The deadline is the sales app's (`sales.selectors.contracts_filing_overdue`): set when the contract is signed,
    from the sales policy in force that day; the reminder is due on that deadline."""
    today = timezone.localdate(now)
    rows = (
        contracts_filing_overdue(today=today)
        .select_related(None)
        .order_by()
        .values_list(
            "id",
            "number",
            "owner_id",
            "unit_id",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "signed_on",
            "filing_due_on",
        )
    )
    return _insert(
        Reminder(
            kind=ReminderKind.CONTRACT_FILING,
            dedup_key=f"contract_filing:contract:{cid}:{signed.isoformat() if signed else due.isoformat()}",
            owner_id=owner,
            unit_id=unit,
            customer_id=cust,
            subject_type="sales.contract",
            subject_id=cid,
            due_on=due,
            send_after=now,
            params={
                "contract": number,
                "customer": _customer_label(name, short),
                "signed_on": signed.isoformat() if signed else "",
                "filing_due_on": due.isoformat(),
                "days": (due - signed).days if signed else 0,
            },
        )
        for cid, number, owner, unit, cust, name, short, signed, due in rows.iterator(chunk_size=BATCH)
    )


OVERDUE_BUCKETS = tuple(b for b in BUCKETS if b != BUCKETS[0])  # past the sales app's first (0-30 day) bucket
OVERDUE_AFTER_DAYS = 30  # the upper bound of that first bucket: `sales.selectors.bucket_for(30) == "0-30"`


def overdue_amount(receivable: Receivable) -> Decimal:
    """The part of a receivable that is overdue by the sales app's aging: shipped value (less retention) older
    than the first bucket, plus retention past its due date."""
    amount = sum((receivable.aging.get(b, Decimal("0")) for b in OVERDUE_BUCKETS), Decimal("0"))
    if receivable.retention_overdue:
        amount += receivable.retention_outstanding
    return amount


def scan_receivable_overdue(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Receivables turning overdue, by the sales app's aging (`sales.selectors.receivables_for`): each shipment's
    value less its retention share is due from its shipment date and overdue once it leaves the 0-30 day bucket
    unpaid (payments clear the oldest shipment first); retention is overdue after `retention_due_on`.

    One reminder per contract and day something turned overdue (a shipment's 31st day, the day after the
    retention due date), within `catch_up_days`."""
    today = timezone.localdate(now)
    hi = today - dt.timedelta(days=OVERDUE_AFTER_DAYS + 1)  # shipped on or before: in the 31-60 bucket today
    lo = hi - dt.timedelta(days=cfg.catch_up_days)
    ret_lo, ret_hi = today - dt.timedelta(days=cfg.catch_up_days + 1), today - dt.timedelta(days=1)
    candidates = (
        Contract.objects.filter(status__in=PURCHASE_STATUSES)
        .filter(Q(_shipped_between(lo, hi)) | Q(retention_due_on__range=(ret_lo, ret_hi), retention_amount__gt=0))
        .select_related("customer")
        .only(
            "id",
            "number",
            "owner_id",
            "unit_id",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "amount",
            "retention_amount",
            "retention_due_on",
        )
        .order_by("id")
    )

    def rows():
        start = 0
        while True:
            chunk = list(candidates.filter(pk__gt=start)[:BATCH])
            if not chunk:
                return
            start = chunk[-1].pk
            recs = receivables_for(contracts=chunk, as_of=today)
            ships: dict[int, set[dt.date]] = {}
            for cid, shipped in Shipment.objects.filter(
                contract_id__in=[c.pk for c in chunk], shipped_on__range=(lo, hi)
            ).values_list("contract_id", "shipped_on"):
                ships.setdefault(cid, set()).add(shipped)
            for c in chunk:
                rec = recs[c.pk]
                owed = overdue_amount(rec)
                if owed <= 0:
                    continue
                due_days = []
                oldest = rec.oldest_unpaid_shipment
                if oldest is not None and rec.aging and any(rec.aging[b] > 0 for b in OVERDUE_BUCKETS):
                    # shipments on or after the oldest unpaid one are (partly) open: each turned overdue on day 31
                    due_days += [
                        (f"{d + dt.timedelta(days=OVERDUE_AFTER_DAYS)}", d) for d in ships.get(c.pk, ()) if d >= oldest
                    ]
                if rec.retention_overdue and ret_lo <= rec.retention_due_on <= ret_hi:
                    due_days.append((f"retention:{rec.retention_due_on}", None))
                for key, shipped in sorted(due_days):
                    due = shipped + dt.timedelta(days=OVERDUE_AFTER_DAYS) if shipped else rec.retention_due_on
                    yield Reminder(
                        kind=ReminderKind.RECEIVABLE_OVERDUE,
                        dedup_key=f"receivable_overdue:contract:{c.pk}:{key}",
                        owner_id=c.owner_id,
                        unit_id=c.unit_id,
                        customer_id=c.customer_id,
                        subject_type="sales.contract",
                        subject_id=c.pk,
                        due_on=due,
                        send_after=now,
                        params={
                            "contract": c.number,
                            "customer": _customer_label(c.customer.name, c.customer.short_name),
                            "due_on": due.isoformat(),
                            "outstanding": str(round_money(owed)),
                            "retention": shipped is None,
                        },
                    )

    return _insert(rows())


def scan_card_filing(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Each unit's monthly customer-card filing (the customers app's rule: last month's cards before the 10th):
    the unit's manager, `card_filing_lead_days` before the deadline, only while the unit has not filed; a unit
    still unfiled once the deadline has come (`customers.selectors.overdue_filings`) is reminded too if it was
    not before (within `catch_up_days`). One reminder per unit and month."""
    today = timezone.localdate(now)
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the month whose cards are due
    due = filing_due_date(month)  # the first day the filing is late
    if today < due - dt.timedelta(days=cfg.card_filing_lead_days):
        return 0
    if today < due:
        unit_ids = list(unfiled_units(month=month).values_list("pk", flat=True))
    elif (today - due).days <= cfg.catch_up_days:
        unit_ids = [unit.pk for unit, _month in overdue_filings(today=today)]
    else:
        return 0
    rows = SalesUnit.objects.filter(pk__in=unit_ids, manager__isnull=False, manager__is_active=True).values_list(
        "id", "name", "manager_id"
    )
    return _insert(
        Reminder(
            kind=ReminderKind.CARD_FILING,
            dedup_key=f"card_filing:unit:{uid}:{due:%Y-%m}",
            owner_id=manager,
            unit_id=uid,
            subject_type="accounts.salesunit",
            subject_id=uid,
            due_on=due,
            send_after=now,
            params={"unit": name, "due_on": due.isoformat(), "month": f"{month:%Y-%m}"},
        )
        for uid, name, manager in rows
    )


def _release_on(warned_at: dt.datetime, warning_days: int) -> dt.date:
    """The day the customers app's nightly pool sweep releases a customer warned at `warned_at` (still idle)."""
    return timezone.localdate(warned_at + dt.timedelta(days=warning_days))


def scan_pool_release(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """The customers app's pool-release warnings (`OwnershipEvent` kind "warn", `Customer.release_warned_at`):
    the owner is told once per warning, with the release date, while the warning still stands."""
    since = now - dt.timedelta(days=cfg.catch_up_days)
    rows = (
        OwnershipEvent.objects.filter(
            kind=OwnershipEventKind.WARN,
            created_at__gte=since,
            customer__release_warned_at__isnull=False,
            customer__owner_id=F("to_owner_id"),
        )
        .order_by()
        .values_list(
            "id",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "to_owner_id",
            "customer__unit_id",
            "customer__release_warned_at",
        )
    )
    # the nightly sweep releases with the pool policy in force on the day it runs
    warning_days = pool_policy_for(timezone.localdate(now)).warning_days

    def build():
        for event_id, cust, name, short, owner, unit, warned_at in rows.iterator(chunk_size=BATCH):
            release_on = _release_on(warned_at, warning_days)
            yield Reminder(
                kind=ReminderKind.POOL_RELEASE,
                dedup_key=f"pool_release:customer:{cust}:warn:{event_id}",
                owner_id=owner,
                unit_id=unit,
                customer_id=cust,
                subject_type="customers.customer",
                subject_id=cust,
                due_on=release_on,
                send_after=now,
                params={
                    "customer": _customer_label(name, short),
                    "release_on": release_on.isoformat(),
                    "warned_at": timezone.localtime(warned_at).isoformat(),
                },
            )

    return _insert(build())


SCANS = {
    ReminderKind.FOLLOW_UP: scan_follow_up,
    ReminderKind.NEXT_STEP: scan_next_step,
    ReminderKind.REORDER: scan_reorder,
    ReminderKind.DAILY_REPORT: scan_daily_report,
    ReminderKind.CONTRACT_FILING: scan_contract_filing,
    ReminderKind.RECEIVABLE_OVERDUE: scan_receivable_overdue,
    ReminderKind.CARD_FILING: scan_card_filing,
    ReminderKind.POOL_RELEASE: scan_pool_release,
}


def reminders_wake_snoozed(*, now: dt.datetime) -> int:
    """Snoozed reminders whose time came back: due again and delivered again (a new round)."""
    return Reminder.objects.filter(state=ReminderState.SNOOZED, snoozed_until__lte=now).update(
        state=ReminderState.OPEN,
        snoozed_until=None,
        status=DeliveryStatus.PENDING,
        send_after=now,
        round=F("round") + 1,
        attempts=0,
        channels_done=[],
        last_error="",
        updated_at=now,
    )


def reminders_auto_resolve(*, now: dt.datetime) -> int:
    """Close open reminders whose cause went away: contract filed, daily report submitted, receivable paid."""
    live = Reminder.objects.filter(state__in=[ReminderState.OPEN, ReminderState.SNOOZED], audience=Audience.STAFF)
    close = dict(state=ReminderState.DONE, done_at=now, snoozed_until=None, updated_at=now)
    n = (
        live.filter(kind=ReminderKind.CONTRACT_FILING)
        .exclude(Exists(Contract.objects.filter(pk=OuterRef("subject_id"), status=ContractStatus.SIGNED)))
        .update(**close)
    )
    n += (
        live.filter(kind=ReminderKind.DAILY_REPORT)
        .filter(
            Exists(
                DailyReport.objects.filter(
                    author_id=OuterRef("owner_id"), date=OuterRef("due_on"), submitted_at__isnull=False
                )
            )
        )
        .update(**close)
    )
    # Receivables: closed once nothing of the contract is overdue any more by the sales app's aging.
    open_recv = dict(live.filter(kind=ReminderKind.RECEIVABLE_OVERDUE).values_list("pk", "subject_id").order_by())
    if open_recv:
        today = timezone.localdate(now)
        recs = receivables_for(
            contracts=Contract.objects.filter(pk__in=set(open_recv.values())).only(
                "id", "amount", "retention_amount", "retention_due_on"
            ),
            as_of=today,
        )
        settled = [pk for pk, cid in open_recv.items() if cid not in recs or overdue_amount(recs[cid]) <= 0]
        if settled:
            n += live.filter(pk__in=settled).update(**close)
    # Pool-release warnings: closed once the warning is gone (owner logged a contact) or the owner changed.
    n += (
        live.filter(kind=ReminderKind.POOL_RELEASE)
        .exclude(
            Exists(
                Customer.objects.filter(
                    pk=OuterRef("subject_id"), owner_id=OuterRef("owner_id"), release_warned_at__isnull=False
                )
            )
        )
        .update(**close)
    )
    # Card filings: a handful of open rows (one per unit and month), matched against the units that filed.
    card = {
        pk: (unit, dt.date.fromisoformat(f"{month}-01"))
        for pk, unit, month in live.filter(kind=ReminderKind.CARD_FILING, params__has_key="month").values_list(
            "pk", "subject_id", "params__month"
        )
    }
    if card:
        filed = set(
            MonthlyFiling.objects.filter(
                unit_id__in={u for u, _m in card.values()}, month__in={m for _u, m in card.values()}
            ).values_list("unit_id", "month")
        )
        done = [pk for pk, key in card.items() if key in filed]
        if done:
            n += live.filter(pk__in=done).update(**close)
    return n


def reminders_scan(*, now: dt.datetime | None = None, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Find everything due and insert it as reminder rows (idempotent: run it as often as you like)."""
    now = now or timezone.now()
    cfg = ReminderSettings.load()
    result = {}
    for kind, scan in SCANS.items():
        if kinds is not None and kind not in kinds:
            continue
        with transaction.atomic():
            result[str(kind)] = scan(now=now, cfg=cfg)
    result["woken"] = reminders_wake_snoozed(now=now)
    result["resolved"] = reminders_auto_resolve(now=now)
    return result


# ---------------------------------------------------------------------------------------------------------
# sender
# ---------------------------------------------------------------------------------------------------------


def _still_relevant(reminder: Reminder) -> bool:
    """Kinds whose cause can go away before sending: a filed contract, a report submitted meanwhile."""
    if reminder.kind == ReminderKind.CONTRACT_FILING:
        return Contract.objects.filter(pk=reminder.subject_id, status=ContractStatus.SIGNED).exists()
    if reminder.kind == ReminderKind.DAILY_REPORT:
        deadline = reminder.params.get("deadline")
        if deadline and dt.datetime.fromisoformat(deadline) <= timezone.now():
            return False  # the report is locked: nothing the salesperson can do any more
        return not DailyReport.objects.filter(
            author_id=reminder.owner_id, date=reminder.due_on, submitted_at__isnull=False
        ).exists()
    if reminder.kind == ReminderKind.POOL_RELEASE:
        return Customer.objects.filter(
            pk=reminder.subject_id, owner_id=reminder.owner_id, release_warned_at__isnull=False
        ).exists()
    if reminder.kind == ReminderKind.RECEIVABLE_OVERDUE:
        contract = Contract.objects.filter(pk=reminder.subject_id).first()
        if contract is None:
            return False
        return overdue_amount(receivable_for(contract=contract, as_of=timezone.localdate())) > 0
    if reminder.kind == ReminderKind.CARD_FILING and reminder.params.get("month"):
        month = dt.date.fromisoformat(f"{reminder.params['month']}-01")
        return not MonthlyFiling.objects.filter(unit_id=reminder.subject_id, month=month).exists()
    return True


def _deliver_staff(reminder: Reminder) -> list[str]:
    user = reminder.owner
    title, body = messages.render(reminder, language=user.language)
    done = list(reminder.channels_done)
    if Channel.IN_APP not in done:
        Notification.objects.create(
            user=user, reminder=reminder, round=reminder.round, title=title, body=body, url=messages.link(reminder)
        )
        done.append(Channel.IN_APP)
        reminder.channels_done = done  # kept even if the e-mail below fails
    if user.email and Channel.EMAIL not in done:
        delivery.send_email(to=user.email, subject=title, body=body, key=f"{reminder.dedup_key}#{reminder.round}")
        Delivery.objects.create(reminder=reminder, channel=Channel.EMAIL, to=user.email, round=reminder.round)
        done.append(Channel.EMAIL)
    return done


def _deliver_customer(reminder: Reminder, pref: CustomerMessagingPreference) -> list[str]:
    customer = reminder.customer
    title, body = messages.render(reminder, language=pref.language)
    key = f"{reminder.dedup_key}#{reminder.round}"
    if pref.channel == Channel.EMAIL:
        to = pref.email or customer.email
        if not to:
            raise delivery.DeliveryError("the customer has no e-mail address")
        delivery.send_email(to=to, subject=title, body=body, key=key)
    else:
        to = pref.phone or customer.phone
        if not to:
            raise delivery.DeliveryError("the customer has no phone number")
        delivery.send_sms(to=to, body=f"{title}: {body}", key=key)
    Delivery.objects.create(reminder=reminder, channel=pref.channel, to=to, round=reminder.round)
    return [pref.channel]


def _claim(now: dt.datetime) -> Reminder | None:
    return (
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "customer")
        .filter(status=DeliveryStatus.PENDING, send_after__lte=now)
        .exclude(state=ReminderState.SNOOZED)  # snoozed before it was sent: it goes out when it wakes up
        .order_by("send_after", "id")
        .first()
    )


@transaction.atomic
def reminder_send_next(*, now: dt.datetime | None = None) -> str | None:
    """Claim one due reminder, deliver it and record the outcome, all in one transaction.

    Returns "sent", "retry", "failed", "deferred", "cancelled", or None when nothing is due.
    """
    now = now or timezone.now()
    reminder = _claim(now)
    if reminder is None:
        return None
    cfg = ReminderSettings.load()
    if reminder.state == ReminderState.DONE or not _still_relevant(reminder):
        reminder.status = DeliveryStatus.CANCELLED
        reminder.save(update_fields=["status", "updated_at"])
        return "cancelled"
    pref = None
    if reminder.audience == Audience.CUSTOMER:
        pref = CustomerMessagingPreference.objects.filter(customer_id=reminder.customer_id, opted_in=True).first()
        if pref is None:  # consent withdrawn since the scan
            reminder.status = DeliveryStatus.CANCELLED
            reminder.last_error = "customer did not opt in"
            reminder.save(update_fields=["status", "last_error", "updated_at"])
            return "cancelled"
        allowed = delivery.next_allowed_time(now, start=cfg.quiet_start, end=cfg.quiet_end)
        if allowed > now:  # never at night: wait for the end of the quiet hours
            reminder.send_after = allowed
            reminder.save(update_fields=["send_after", "updated_at"])
            return "deferred"
    try:
        if pref is not None:
            reminder.channels_done = _deliver_customer(reminder, pref)
        else:
            reminder.channels_done = _deliver_staff(reminder)
    except delivery.DeliveryError as exc:
        reminder.attempts += 1
        reminder.last_error = str(exc)[:2000]
        if reminder.attempts >= cfg.max_attempts:
            reminder.status = DeliveryStatus.FAILED
            outcome = "failed"
        else:
            backoff = cfg.retry_base_seconds * 2 ** (reminder.attempts - 1)
            reminder.send_after = now + dt.timedelta(seconds=backoff)
            outcome = "retry"
        logger.warning("reminder %s delivery %s: %s", reminder.dedup_key, outcome, exc)
        reminder.save(update_fields=["attempts", "last_error", "status", "send_after", "channels_done", "updated_at"])
        return outcome
    reminder.status = DeliveryStatus.SENT
    reminder.sent_at = now
    reminder.attempts += 1
    reminder.last_error = ""
    reminder.save(update_fields=["status", "sent_at", "attempts", "last_error", "channels_done", "updated_at"])
    return "sent"


def reminders_send_due(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send due reminders one transaction each, until none is left or `limit` were handled."""
    counts: dict[str, int] = {}
    for _i in range(limit):
        outcome = reminder_send_next(now=now)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------------------
# what people do with reminders and notifications
# ---------------------------------------------------------------------------------------------------------


def _lock_own(reminder_id: int, actor: User) -> Reminder:
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id, owner=actor, audience=Audience.STAFF).first()
    if reminder is None:
        raise ApplicationError(_("Only the person reminded can change this reminder."), code="not_yours")
    return reminder


@transaction.atomic
def reminder_snooze(*, reminder_id: int, actor: User, until: dt.datetime) -> Reminder:
    now = timezone.now()
    if timezone.is_naive(until):
        raise ApplicationError(_("Give a time with a time zone."), field="until", code="naive")
    if until <= now:
        raise ApplicationError(_("Snooze until a time in the future."), field="until", code="past")
    if until > now + dt.timedelta(days=90):
        raise ApplicationError(_("Snooze for at most 90 days."), field="until", code="too_far")
    reminder = _lock_own(reminder_id, actor)
    if reminder.state == ReminderState.DONE:
        raise ApplicationError(_("This reminder is already done."), field="state", code="done")
    reminder.state = ReminderState.SNOOZED
    reminder.snoozed_until = until
    reminder.save(update_fields=["state", "snoozed_until", "updated_at"])
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(read_at=now)
    return reminder


@transaction.atomic
def reminder_done(*, reminder_id: int, actor: User) -> Reminder:
    now = timezone.now()
    reminder = _lock_own(reminder_id, actor)
    reminder.state = ReminderState.DONE
    reminder.done_at = now
    reminder.snoozed_until = None
    reminder.save(update_fields=["state", "done_at", "snoozed_until", "updated_at"])
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(read_at=now)
    return reminder


@transaction.atomic
def reminder_reopen(*, reminder_id: int, actor: User) -> Reminder:
    reminder = _lock_own(reminder_id, actor)
    reminder.state = ReminderState.OPEN
    reminder.done_at = None
    reminder.snoozed_until = None
    reminder.save(update_fields=["state", "done_at", "snoozed_until", "updated_at"])
    return reminder


@transaction.atomic
def reminder_retry(*, reminder_id: int, actor: User) -> Reminder:
    """Put a failed delivery back in the queue (admins, or the person it is for)."""
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if reminder is None or not (actor.is_admin_role or reminder.owner_id == actor.pk):
        raise ApplicationError(_("You cannot retry this reminder."), code="not_yours")
    if reminder.status != DeliveryStatus.FAILED:
        raise ApplicationError(_("Only failed deliveries can be retried."), field="status", code="not_failed")
    reminder.status = DeliveryStatus.PENDING
    reminder.attempts = 0
    reminder.send_after = timezone.now()
    reminder.save(update_fields=["status", "attempts", "send_after", "updated_at"])
    return reminder


@transaction.atomic
def notification_mark_read(*, notification_id: int, actor: User) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id, user=actor).first()
    if notification is None:
        raise ApplicationError(_("No such notification."), code="not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def reminder_settings_update(*, actor: User, **fields) -> ReminderSettings:
    if not actor.is_admin_role:
        raise ApplicationError(_("Only admins change reminder settings."), code="forbidden")
    cfg = ReminderSettings.objects.select_for_update().filter(pk=1).first() or ReminderSettings.load()
    for name, value in fields.items():
        if not hasattr(cfg, name) or name == "id":
            raise ApplicationError(_("Unknown setting %(name)s.") % {"name": name}, field=name)
        setattr(cfg, name, value)
    cfg.full_clean()
    cfg.save()
    return cfg


@transaction.atomic
def messaging_preference_set(
    *,
    customer: Customer,
    actor: User,
    opted_in: bool,
    channel: str = Channel.SMS,
    language: str = "zh-hant",
    phone: str = "",
    email: str = "",
) -> CustomerMessagingPreference:
    """Record what the customer agreed to receive. The actor must see the customer."""
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ApplicationError(_("You cannot change this customer."), code="forbidden")
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise ApplicationError(_("Choose SMS or e-mail."), field="channel")
    if opted_in and channel == Channel.SMS and not (phone or customer.phone):
        raise ApplicationError(_("The customer has no phone number for SMS."), field="phone", code="no_phone")
    if opted_in and channel == Channel.EMAIL and not (email or customer.email):
        raise ApplicationError(_("The customer has no e-mail address."), field="email", code="no_email")
    pref, _created = CustomerMessagingPreference.objects.select_for_update().get_or_create(customer=customer)
    if opted_in and not pref.opted_in:
        pref.opted_in_at = timezone.now()
    pref.opted_in = opted_in
    pref.channel = channel
    pref.language = language
    pref.phone = phone
    pref.email = email
    pref.full_clean()
    pref.save()
    return pref
