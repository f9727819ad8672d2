"""The inbox (待辦): everything waiting for this user now, oldest first, each with its one action.

Built from the workflow tables: for each document, the candidates are the rows in the states where an `awaits`
action starts, narrowed in SQL to the user's scope; each candidate is kept only if the table says the user may take
that action now (`Workflow.awaiting`). Plus the dated to-dos: next steps and reminders due (`core.due`), and the
unit's card filing once its deadline is near.

`inbox_count` is the navbar badge: one statement of sub-counts, each read no further than the inbox lists (LIMIT),
built once per user and day and run every time (plus the user's team units, cached per request).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.db.models.query import get_related_populators
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from accounts import unit_policy
from accounts.models import Role, SalesUnit, User
from care.models import Case, CaseStatus, Checkup
from care.workflows import CASE
from commission.models import ExpenseClaim, MarketFundSpend, UnitCommissionPolicy
from commission.selectors import fund_spends_to_decide
from commission.workflows import EXPENSE, MARKET_FUND
from commission.workflows import UNIT_POLICY as COMMISSION_UNIT_POLICY
from core import due
from core.batch import fetch_together
from core.periods import add_months, month_start
from customers import permissions as customer_permissions
from customers.models import ContactLog, CustomerConflict, MonthlyFiling
from customers.selectors import filing_due_date
from customers.workflows import CONFLICT, FILING, UnitMonth
from documents.models import FilingDepartment
from documents.selectors import departments_awaiting, originals_to_confirm
from field.models import EscalationStatus, MarketingPlan, MarketReport
from field.permissions import can_answer_escalation
from field.workflows import PLAN
from receivables.models import WriteOff
from receivables.workflows import WRITE_OFF
from reminders.models import Notification, Reminder, ReminderState
from reminders.selectors import card_filing_lead_days, due_lookback_days
from reports.models import DailyReport, ImprovementPoint, UnitReportPolicy
from reports.workflows import DAILY_REPORT
from reports.workflows import UNIT_POLICY as REPORT_UNIT_POLICY
from sales.models import (
    ApprovalDecision,
    Contract,
    ContractApproval,
    PriceInquiry,
    Quote,
    SalesReturn,
    UnitSalesPolicy,
)
from sales.workflows import CONTRACT, PRICE_INQUIRY, QUOTE, SALES_RETURN
from sales.workflows import UNIT_POLICY as SALES_UNIT_POLICY

LIMIT = 50  # per kind: the inbox is a to-do list, not an archive


@dataclass(frozen=True)
class Item:
    # quote, contract, price_inquiry, unit_policy, conflict, daily_report, expense, market_fund, filing, original
    # (a contract original to confirm receipt of), next_step, reminder, improvement (and the care kinds)
    kind: str
    since: dt.datetime | dt.date
    title: str
    detail: str
    url: str  # the object
    action_label: str
    action_url: str = ""  # a POST form when set (one-click actions); otherwise the button links to `url`
    action_fields: tuple[tuple[str, str], ...] = ()  # the form's hidden fields
    overdue: bool = False  # overdue items (cases past their due time) come first

    @property
    def since_label(self) -> str:
        if isinstance(self.since, dt.datetime):
            return f"{timezone.localtime(self.since):%Y-%m-%d %H:%M}"
        return self.since.isoformat()

    @property
    def sort_key(self) -> dt.date:
        return timezone.localtime(self.since).date() if isinstance(self.since, dt.datetime) else self.since


# --- candidates per document: SQL narrowing to the states where an awaited action starts and the user's scope ----


def _quotes(user: User) -> QuerySet[Quote]:
    if not user.is_manager:
        return Quote.objects.none()
    return Quote.objects.filter(status__in=QUOTE.awaiting_states(), unit_id__in=user.team_unit_ids).exclude(owner=user)


def _contract_steps(user: User) -> Q | None:
    if user.is_manager:
        return Q(approver_role="manager") & ~Q(contract__owner__role=Role.MANAGER)
    if user.is_gm_office:
        return Q(approver_role="gm_office") | (Q(approver_role="manager") & Q(contract__owner__role=Role.MANAGER))
    return None


def _contracts(user: User) -> QuerySet[Contract]:
    steps = _contract_steps(user)
    if steps is None:
        return Contract.objects.none()
    pending = ContractApproval.objects.filter(
        steps, contract=OuterRef("pk"), decision=ApprovalDecision.PENDING, round=OuterRef("review_round")
    )
    qs = Contract.objects.filter(status__in=CONTRACT.awaiting_states()).exclude(owner=user).filter(Exists(pending))
    if user.is_manager:
        qs = qs.filter(unit_id__in=user.team_unit_ids)
    return qs


def _inquiries(user: User) -> QuerySet[PriceInquiry]:
    """Written price inquiries to a unit this manager leads, awaiting the answer."""
    if not user.is_manager:
        return PriceInquiry.objects.none()
    return PriceInquiry.objects.filter(
        status__in=PRICE_INQUIRY.awaiting_states(), producing_unit_id__in=user.team_unit_ids
    ).exclude(requested_by=user)


# The units' own rules (實施細則) of each policy: (key, model, workflow, page, inbox title). All wait for the GM office.
UNIT_POLICIES: tuple[tuple[str, Any, Any, str, str], ...] = (
    (
        "unit_policies",
        UnitSalesPolicy,
        SALES_UNIT_POLICY,
        "sales:unit_rules",
        gettext_noop("Rules of %(unit)s wait for your approval"),
    ),
    (
        "unit_commission_policies",
        UnitCommissionPolicy,
        COMMISSION_UNIT_POLICY,
        "commission:unit_rules",
        gettext_noop("Commission rules of %(unit)s wait for your approval"),
    ),
    (
        "unit_report_policies",
        UnitReportPolicy,
        REPORT_UNIT_POLICY,
        "reports:unit_rules",
        gettext_noop("Report rules of %(unit)s wait for your approval"),
    ),
)


def _unit_policies(user: User, model: Any) -> QuerySet:
    """A unit policy's proposals not yet decided: the GM office's (never its own)."""
    return unit_policy.awaiting(model.objects.all(), user)


def _marketing_plans(user: User) -> QuerySet[MarketingPlan]:
    """Yearly marketing plans submitted and not yet decided: the unit manager's; a manager's own plan the GM
    office's (field.permissions.can_decide_plan)."""
    qs = MarketingPlan.objects.filter(status__in=PLAN.awaiting_states()).exclude(owner=user)
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    if user.is_gm_office:
        return qs.filter(owner__role=Role.MANAGER)
    return MarketingPlan.objects.none()


def _escalations(user: User) -> QuerySet[MarketReport]:
    """Urgent problems of market reports still waiting for an answer: those of the manager's units; for the GM
    office those it was told of (a unit without a manager, or the manager's own report)."""
    qs = MarketReport.objects.filter(escalation=EscalationStatus.OPEN).exclude(author=user)
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    if user.is_gm_office:
        return qs.filter(Q(unit__manager__isnull=True) | Q(unit__manager_id=F("author_id")))
    return MarketReport.objects.none()


def _daily_escalations(user: User) -> QuerySet[DailyReport]:
    """Urgent problems of daily reports not yet answered (by a review or a comment): the team's for a manager; for
    the GM office those it was told of (a manager's own report, or a unit without a manager)."""
    qs = DailyReport.objects.filter(escalated_at__isnull=False, escalation_answered_at__isnull=True).exclude(
        author=user
    )
    if user.is_manager:
        return qs.filter(unit_id__in=user.team_unit_ids)
    if user.is_gm_office:
        return qs.filter(Q(unit__manager__isnull=True) | Q(unit__manager_id=F("author_id")))
    return DailyReport.objects.none()


def _conflicts(user: User) -> QuerySet[CustomerConflict]:
    if not customer_permissions.can_decide_conflicts(user):
        return CustomerConflict.objects.none()
    return CustomerConflict.objects.filter(status__in=CONFLICT.awaiting_states())


def _reports(user: User, today: dt.date) -> QuerySet[DailyReport]:
    """Filed, not yet reviewed reports: a manager's team's; the GM office is asked for the managers' own reports
    (nobody in their unit outranks them, as with their contracts). The GM office may review any report.

    Within the same look-back as the next steps (the reminder settings' catch-up window): a report left unreviewed
    for longer is no longer chased, and the count stays an index range scan on a year of reports."""
    waiting = (
        DailyReport.objects.filter(submitted_at__isnull=False, reviewed_at__isnull=True)
        .filter(due.due_q("date", today=today, lookback_days=due_lookback_days()))
        .exclude(author=user)
    )
    if user.is_manager:
        return waiting.filter(unit_id__in=user.team_unit_ids)
    if user.is_gm_office:
        return waiting.filter(author__role=Role.MANAGER)
    return DailyReport.objects.none()


def _expenses(user: User) -> QuerySet[ExpenseClaim]:
    qs = ExpenseClaim.objects.filter(status__in=EXPENSE.awaiting_states()).exclude(claimant=user)
    if user.is_manager:
        return qs.filter(contract__unit_id__in=user.team_unit_ids)
    return qs if user.is_admin_role else qs.none()


def _fund_spends(user: User) -> QuerySet[MarketFundSpend]:
    return fund_spends_to_decide(user)


def _write_offs(user: User) -> QuerySet[WriteOff]:
    """Proposed bad-debt write-offs: finance and the GM office decide (never their own proposal)."""
    if not (user.is_finance or user.is_gm_office):
        return WriteOff.objects.none()
    return WriteOff.objects.filter(status__in=WRITE_OFF.awaiting_states()).exclude(proposed_by=user)


def _returns(user: User) -> QuerySet[SalesReturn]:
    """Returns (退貨) awaiting a decision: the unit's manager (the GM office for a manager's own contract), never
    on one they recorded or their own contract (the workflow table checks each row)."""
    qs = SalesReturn.objects.filter(status__in=SALES_RETURN.awaiting_states()).exclude(requested_by=user)
    qs = qs.exclude(contract__owner=user)
    if user.is_manager:
        return qs.filter(contract__unit_id__in=user.team_unit_ids).exclude(contract__owner__role=Role.MANAGER)
    if user.is_gm_office:
        return qs.filter(contract__owner__role=Role.MANAGER)
    return qs.none()


def _next_steps(user: User, today: dt.date) -> QuerySet[ContactLog]:
    later = ContactLog.objects.filter(customer=OuterRef("customer"), happened_at__gt=OuterRef("happened_at"))
    return (
        ContactLog.objects.filter(customer__owner=user)
        .filter(due.due_q("next_step_date", today=today, lookback_days=due_lookback_days()))
        .exclude(next_step="")
        .exclude(Exists(later))
    )


def _reminders(user: User, today: dt.date) -> QuerySet[Reminder]:
    return (
        Reminder.objects.for_inbox(user)
        .filter(state=ReminderState.OPEN)
        .exclude(status="cancelled")
        .exclude(kind="next_step")  # the next step itself is listed (same due date, one item, not two)
        .filter(due.due_q("due_on", today=today, lookback_days=None))
    )


def _improvements(user: User, today: dt.date) -> QuerySet[ImprovementPoint]:
    """Improvement points of evaluations this user owns, open past their deadline."""
    return ImprovementPoint.objects.filter(owner=user, closed_at__isnull=True, due_on__lt=today)


def _checkups(user: User, today: dt.date) -> QuerySet[Checkup]:
    """Check-ups due (or overdue) for their owner."""
    return Checkup.objects.filter(owner=user, done_at__isnull=True, due_on__lte=today)


def _cases(user: User) -> QuerySet[Case]:
    """Unresolved cases this user owns (the one owner works them from opening to close)."""
    return Case.objects.filter(owner=user, status__in=CASE.awaiting_states())


def _escalated_cases(user: User) -> QuerySet[Case]:
    """Escalated, still unresolved cases of the manager's team owned by someone else."""
    if not user.is_manager:
        return Case.objects.none()
    return Case.objects.filter(
        status__in=[CaseStatus.OPEN, CaseStatus.IN_PROGRESS],
        escalated_at__isnull=False,
        customer__unit_id__in=user.team_unit_ids,
    ).exclude(owner=user)


def _filing_month(today: dt.date) -> dt.date:
    return add_months(month_start(today), -1)


def _filing_units(user: User, today: dt.date) -> tuple[dt.date, QuerySet[SalesUnit]]:
    """Units this manager files whose last month is unfiled, from the reminder's lead before the last on-time day
    (`ReminderSettings.card_filing_lead_days`, as the card-filing reminder)."""
    month = _filing_month(today)
    if not user.is_manager:
        return month, SalesUnit.objects.none()
    days_before = (filing_due_date(month) - today).days  # negative once the last on-time day has passed
    filed = MonthlyFiling.objects.filter(month=month).values("unit_id")
    return month, (
        SalesUnit.objects.filter(pk__in=user.team_unit_ids)
        .exclude(pk__in=filed)
        .alias(lead=card_filing_lead_days())
        .filter(lead__gte=days_before)  # = card_filing_shown(today, due, lead), read in the badge's statement
    )


# --- the count for the navbar: one query ------------------------------------------------------------------------


def _count(qs: QuerySet) -> Func:
    """How many rows `qs` has, up to LIMIT (what the inbox lists of a kind, and so what the badge adds up):
    cardinality(ARRAY(SELECT id ... LIMIT 50)) stops reading there, where COUNT(*) reads every waiting row."""
    ids = qs.order_by().values("id")[:LIMIT]
    return Func(ArraySubquery(ids), function="cardinality", output_field=IntegerField())


def _exact_count(qs: QuerySet) -> Coalesce:
    # COUNT(1), not COUNT(id): no column to fetch, so an index on the filter's columns answers it alone (an
    # index-only scan of notifications (user, read_at) instead of a heap visit per unread notification).
    counted = qs.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


# Compiled badge statements: (SQL, params, column names) per user and day. Building the statement (sixteen
# querysets turned into one SQL text) was most of the badge's cost (12-21 ms of CPU per call, the database 2-10 ms
# at the benchmark's size); the statement is run each time, so the counts stay exact and nothing needs invalidating.
_STATEMENTS: OrderedDict[tuple, Any] = OrderedDict()  # the badge statements and the lists' (key "list", …)
_STATEMENTS_MAX = 512
_STATEMENTS_LOCK = threading.Lock()


def _statement_key(user: User, today: dt.date, filing: bool) -> tuple:
    """Everything the statement's text and parameters depend on: who (roles, unit, managed units), the day."""
    teams = user.team_unit_ids if user.is_manager else None  # only a manager's statement names them (one query)
    return (user.pk, user.role, user.unit_id, user.is_superuser, user.is_active, teams, today, filing)


def _badge_statement(user: User, today: dt.date) -> tuple[str, tuple, list[str]]:
    _, units = _filing_units(user, today)  # the filing policy in force: data, so read each time
    key = _statement_key(user, today, not units.query.is_empty())
    with _STATEMENTS_LOCK:
        if (hit := _STATEMENTS.get(key)) is not None:
            _STATEMENTS.move_to_end(key)
            return hit
    # The filing units read above (their policy is a query): not read twice.
    parts = {kind.key: units if kind.key == "filings" else kind.candidates(user, today) for kind in KINDS}
    # Empty querysets (`.none()`) cannot be sub-queries; they count 0 without asking the database.
    live = {f"inbox_{k}": _count(qs) for k, qs in parts.items() if not qs.query.is_empty()}
    live["unread_notes"] = _exact_count(Notification.objects.filter(user=user, read_at__isnull=True))
    sql, params = User.objects.filter(pk=user.pk).annotate(**live).values(*live).query.sql_with_params()
    statement = (sql, tuple(params), list(live))
    with _STATEMENTS_LOCK:
        _STATEMENTS[key] = statement
        while len(_STATEMENTS) > _STATEMENTS_MAX:
            _STATEMENTS.popitem(last=False)
    return statement


def navbar_counts(*, user: User, today: dt.date | None = None) -> tuple[int, int]:
    """(items in the inbox, unread notifications): one SQL statement for both navbar badges (after the user's team
    units, cached on the user, and the filing policy for a manager)."""
    if not user.is_authenticated:
        return 0, 0
    sql, params, names = _badge_statement(user, today or timezone.localdate())
    with connections[router.db_for_read(User)].cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    row = dict(zip(names, values or (), strict=False))
    unread = row.pop("unread_notes", 0) or 0
    return sum(min(v or 0, LIMIT) for v in row.values()), unread


def inbox_count(*, user: User, today: dt.date | None = None) -> int:
    return navbar_counts(user=user, today=today)[0]


# --- the list ------------------------------------------------------------------------------------------------------


def inbox_items(*, user: User, today: dt.date | None = None) -> list[Item]:
    """Everything waiting for `user` now, oldest first. A fixed number of queries whatever the volume.

    Each kind's list statement is compiled once per user and day (as the badge's, under the same key) and run each
    time, all in one round trip: the rows, and so the items, are always read fresh."""
    return _items(user, today or timezone.localdate())[0]


def inbox_page(*, user: User) -> tuple[list[Item], int]:
    """The inbox page's items and the bell's unread count, read in the same round trip (the page's inbox badge is
    the list's length: no badge statement)."""
    items, unread = _items(user, timezone.localdate(), unread=True)
    return items, unread or 0


def _items(user: User, today: dt.date, *, unread: bool = False) -> tuple[list[Item], int | None]:
    ctx = _Context(user=user, today=today, now=timezone.now())
    items: list[Item] = []
    listed, count = _listed_rows(user, today, unread=unread)
    for kind, rows in zip(KINDS, listed, strict=True):
        for row in rows:
            if (item := kind.item(ctx, row)) is not None:
                items.append(item)
    items.sort(key=lambda i: (not i.overdue, i.sort_key, i.kind))
    return items, count


@dataclass(frozen=True)
class _Prepared:
    """A kind's list statement, compiled: its SQL and how its rows become model instances (as Django's
    ModelIterable does: the row's own columns, its select_related rows, its annotations, then the prefetches)."""

    sql: str
    params: tuple
    db: str
    model: Any
    init_list: list[str]
    start: int
    end: int
    populators: list
    annotations: tuple[tuple[str, int], ...]
    converters: dict
    prefetch: tuple[str, ...]

    @classmethod
    def of(cls, qs: QuerySet) -> _Prepared | None:
        """None when the statement can return no row (an empty `.none()` or `IN ()`): no query at all."""
        if qs.query.is_empty():
            return None
        compiler = qs.query.get_compiler(using=qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return cls(
            sql=sql,
            params=tuple(params),
            db=qs.db,
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, qs.db),  # type: ignore[call-arg]  # stubs of Django 6
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=compiler.get_converters([f[0] for f in select]),
            prefetch=tuple(getattr(qs, "_prefetch_related_lookups", ())),
        )

    def objects(self, rows: list[tuple], connection: Any) -> list[Any]:
        """The fetched rows as model instances (as `QuerySet.__iter__` would make them)."""
        objs = []
        for raw in rows:
            row = list(raw)
            for pos, (convs, expression) in self.converters.items():
                for converter in convs:
                    row[pos] = converter(row[pos], expression, connection)
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, pos in self.annotations:
                setattr(obj, name, row[pos])
            objs.append(obj)
        if self.prefetch and objs:
            prefetch_related_objects(objs, *self.prefetch)
        return objs


def _prepared_lists(user: User, today: dt.date) -> tuple[_Prepared | None, ...]:
    """Each kind's compiled list statement, in the table's order (None: no row possible). The filing units' is
    compiled each time (their filing day is data read in Python); every other kind's depends only on the statement
    key."""
    key = ("list", LIMIT, *_statement_key(user, today, False))
    with _STATEMENTS_LOCK:
        prepared = _STATEMENTS.get(key)
        if prepared is not None:
            _STATEMENTS.move_to_end(key)
    if prepared is None:
        prepared = tuple(
            None if kind.key == "filings" else _Prepared.of(kind.listed(kind.candidates(user, today))) for kind in KINDS
        )
        with _STATEMENTS_LOCK:
            _STATEMENTS[key] = prepared
            while len(_STATEMENTS) > _STATEMENTS_MAX:
                _STATEMENTS.popitem(last=False)
    return tuple(
        _Prepared.of(kind.listed(kind.candidates(user, today))) if kind.key == "filings" else statement
        for kind, statement in zip(KINDS, prepared, strict=True)
    )


def _unread_statement(user: User) -> tuple[str, tuple]:
    """The bell's count (`reminders.selectors.unread_notification_count`) as one more statement of the pipeline."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).order_by()
    counted = unread.annotate(n=Func(Value(1), function="COUNT")).values("n")
    sql, params = counted.query.get_compiler(using=counted.db).as_sql()
    return sql, tuple(params)


def _listed_rows(user: User, today: dt.date, *, unread: bool = False) -> tuple[list[list[Any]], int | None]:
    """Each kind's rows in the table's order, read in one round trip; with `unread`, the bell's count too."""
    prepared = _prepared_lists(user, today)
    db = router.db_for_read(User)
    ran = [p for p in prepared if p is not None and p.db == db]
    sent = [(p.sql, p.params) for p in ran]
    if unread:
        sent.append(_unread_statement(user))
    results = fetch_together(*sent, using=db) if sent else []  # one round trip (psycopg 3 pipeline)
    fetched = dict(zip(map(id, ran), results, strict=False))
    connection = connections[db]
    listed: list[list[Any]] = []
    for statement in prepared:
        if statement is None:
            listed.append([])
        elif id(statement) in fetched:
            listed.append(statement.objects(fetched[id(statement)], connection))
        else:  # another database (a router's choice): on its own
            listed.append(
                statement.objects(fetch_together((statement.sql, statement.params), using=statement.db)[0], connection)
            )
    count = results[-1][0][0] if unread else None
    return listed, count


@dataclass(frozen=True)
class _Context:
    user: User
    today: dt.date
    now: dt.datetime


ItemOf = Callable[[_Context, Any], Item | None]


@dataclass(frozen=True)
class Kind:
    """One kind of inbox item: the list and the badge both read the table of kinds (`KINDS`)."""

    key: str  # the badge's sub-count (`inbox_<key>`)
    candidates: Callable[[User, dt.date], QuerySet]  # the SQL narrowing above: states and the user's scope
    listed: Callable[[QuerySet], QuerySet]  # what the list reads of them: related rows, oldest first, up to LIMIT
    item: ItemOf  # a row's item; None when it does not wait for the user now


def _oldest(*order: str, related: tuple[str, ...] = (), prefetch: tuple[str, ...] = (), limit: bool = True):
    """What the list reads of a kind's candidates: their related rows, in `order` (oldest first), up to LIMIT."""

    def listed(qs: QuerySet) -> QuerySet:
        if related:
            qs = qs.select_related(*related)
        if prefetch:
            qs = qs.prefetch_related(*prefetch)
        qs = qs.order_by(*order)
        return qs[:LIMIT] if limit else qs  # LIMIT read at each call (tests lower it)

    return listed


def _first_awaiting(workflow, user: User, obj: Any):
    waiting = workflow.awaiting(user, obj)
    return waiting[0] if waiting else None


def _awaited(workflow: Any, build: Callable[[_Context, Any, Any], Item]) -> ItemOf:
    """Listed only if the workflow table says the row waits for the user now; `build` gets its first awaited
    action."""

    def item(ctx: _Context, row: Any) -> Item | None:
        t = _first_awaiting(workflow, ctx.user, row)
        return build(ctx, row, t) if t else None

    return item


# --- each kind's item ----------------------------------------------------------------------------------------------


def _quote_item(ctx: _Context, q: Quote, t: Any) -> Item:
    return Item(
        kind="quote",
        since=q.updated_at,
        title=_("Quote %(number)s waits for your approval") % {"number": q.number},
        detail=f"{q.customer.name} · {q.owner.get_full_name()} · {q.amount:,.2f}",
        url=reverse("sales:quote_detail", args=[q.pk]),
        action_label=str(t.label),
        action_url=reverse("sales:quote_action", args=[q.pk, t.action]),
    )


def _contract_item(ctx: _Context, c: Contract, t: Any) -> Item:
    return Item(
        kind="contract",
        since=c.submitted_at or c.updated_at,
        title=_("Contract %(number)s waits for your review") % {"number": c.number},
        detail=f"{c.customer.name} · {c.owner.get_full_name()} · {c.amount:,.2f}",
        url=reverse("sales:contract_detail", args=[c.pk]),
        action_label=_("Review"),
    )


def _inquiry_item(ctx: _Context, inquiry: PriceInquiry, t: Any) -> Item:
    return Item(
        kind="price_inquiry",
        since=inquiry.created_at,
        title=_("Price inquiry %(number)s waits for your answer") % {"number": inquiry.number},
        detail=f"{inquiry.product.code} {inquiry.product.name} · {inquiry.requesting_unit.name} · "
        f"{inquiry.requested_by.get_full_name()}",
        url=reverse("sales:inquiry_detail", args=[inquiry.pk]),
        action_label=str(t.label),
    )


def _unit_policy_kind(key: str, model: Any, workflow: Any, page: str, title: str) -> Kind:
    def build(ctx: _Context, policy: Any, t: Any) -> Item:
        return Item(
            kind="unit_policy",
            since=policy.created_at,
            title=_(title) % {"unit": policy.unit.name},
            detail=_("From %(date)s, proposed by %(name)s")
            % {"date": policy.effective_from.isoformat(), "name": policy.set_by.get_full_name()},
            url=reverse(page),
            action_label=str(t.label),
        )

    return Kind(
        key,
        lambda user, today: _unit_policies(user, model),
        _oldest("created_at", "id", related=("unit", "set_by")),
        _awaited(workflow, build),
    )


def _conflict_item(ctx: _Context, c: CustomerConflict, t: Any) -> Item:
    return Item(
        kind="conflict",
        since=c.created_at,
        title=_("Customer conflict: %(customer)s") % {"customer": c.customer.name},
        detail=_("Claimed by %(name)s") % {"name": c.claimant.get_full_name()},
        url=reverse("customers:conflicts"),
        action_label=_("Decide"),
    )


def _report_item(ctx: _Context, r: DailyReport, t: Any) -> Item:
    return Item(
        kind="daily_report",
        since=r.submitted_at or r.updated_at,
        title=_("Daily report of %(name)s, %(date)s") % {"name": r.author.get_full_name(), "date": r.date.isoformat()},
        detail=_("Filed, not yet reviewed"),
        url=reverse("reports:daily_detail", args=[r.pk]),
        action_label=pgettext("daily report", "Review"),
    )


def _expense_item(ctx: _Context, e: ExpenseClaim, t: Any) -> Item:
    return Item(
        kind="expense",
        since=e.created_at,
        title=_("Expense claim of %(name)s") % {"name": e.claimant.get_full_name()},
        detail=f"{e.contract.number} · {e.amount:,.2f} · {e.description}",
        url=reverse("commission:expenses"),
        action_label=str(t.label),
        action_url=reverse("commission:expense_decide", args=[e.pk]),
        action_fields=(("decision", "approve"),),
    )


def _fund_spend_item(ctx: _Context, spend: MarketFundSpend, t: Any) -> Item:
    return Item(
        kind="market_fund",
        since=spend.created_at,
        title=_("Market fund spending of %(unit)s") % {"unit": spend.unit.name},
        detail=f"{spend.get_purpose_display()} · {spend.amount:,.2f} · {spend.description}",
        url=reverse("commission:market_fund"),
        action_label=str(t.label),
        action_url=reverse("commission:market_fund_decide", args=[spend.pk]),
        action_fields=(("decision", "approve"),),
    )


def _write_off_item(ctx: _Context, w: WriteOff, t: Any) -> Item:
    return Item(
        kind="write_off",
        since=w.created_at,
        title=_("Bad-debt write-off of %(number)s") % {"number": w.contract.number},
        detail=f"{w.amount:,.2f} · {w.liable.get_full_name()} {w.liability_amount:,.2f} · {w.reason}",
        url=reverse("sales:contract_detail", args=[w.contract_id]),
        action_label=str(t.label),
    )


def _return_item(ctx: _Context, r: SalesReturn, t: Any) -> Item:
    return Item(
        kind="sales_return",
        since=r.created_at,
        title=_("Return on contract %(number)s") % {"number": r.contract.number},
        detail=f"{r.contract.customer.name} · {r.contract_line.product.code} × {r.quantity:f} · "
        f"{r.amount:,.2f} · {r.reason}",
        url=reverse("sales:contract_detail", args=[r.contract_id]),
        action_label=str(t.label),
        action_url=reverse("sales:return_decide", args=[r.pk, t.action]),
    )


def _filing_item(ctx: _Context, unit: SalesUnit) -> Item | None:
    month = _filing_month(ctx.today)
    if not FILING.awaiting(ctx.user, UnitMonth(unit=unit, month=month, filed=False)):
        return None
    deadline = filing_due_date(month)  # the last on-time day (the 10th by default)
    return Item(
        kind="filing",
        since=deadline,
        title=_("File the customer cards of %(unit)s for %(month)s") % {"unit": unit.name, "month": f"{month:%Y-%m}"},
        detail=_("Due %(date)s") % {"date": deadline.isoformat()},
        url=reverse("customers:filing") + f"?month={month:%Y-%m}",
        action_label=_("File"),
    )


def _original_item(ctx: _Context, c: Contract) -> Item:
    """A signed contract whose original a department this user confirms for (the filing desk) has not confirmed:
    the desk's own page (documents:filing_inbox) lists the same ones. One click confirms when one department
    waits; with more, the desk's page has a button per department."""
    labels = dict(FilingDepartment.choices)
    pending = departments_awaiting(c)
    one = len(pending) == 1
    return Item(
        kind="original",
        since=c.signed_on or timezone.localdate(c.created_at),
        title=_("Contract original to confirm: %(number)s") % {"number": c.number},
        detail=_("%(customer)s · waiting for %(departments)s · due %(date)s")
        % {
            "customer": c.customer.name,
            "departments": ", ".join(str(labels[d]) for d in pending),
            "date": c.filing_due_on.isoformat() if c.filing_due_on else "—",
        },
        url=reverse("documents:filing_inbox"),
        action_label=_("Confirm receipt of the original"),
        action_url=reverse("documents:filing_confirm", args=[c.pk, pending[0]]) if one else "",
        action_fields=(("next", "inbox"),) if one else (),
        overdue=bool(c.filing_due_on and c.filing_due_on < ctx.today),
    )


def _due_label(day: dt.date, today: dt.date) -> str:
    return (_("Overdue since %(date)s") if due.is_overdue(day, today=today) else _("Due %(date)s")) % {
        "date": day.isoformat()
    }


def _next_step_item(ctx: _Context, log: ContactLog) -> Item:
    day = log.next_step_date or ctx.today  # never None here: due_q filters on it
    return Item(
        kind="next_step",
        since=day,
        title=f"{log.customer.name}: {log.next_step}",
        detail=_due_label(day, ctx.today),
        url=reverse("customers:detail", args=[log.customer_id]),
        action_label=_("Open"),
    )


def _reminder_item(ctx: _Context, r: Reminder) -> Item:
    from reminders.messages import render as render_reminder

    title, body = render_reminder(r)
    return Item(
        kind="reminder",
        since=r.due_on,
        title=title,
        detail=body,
        url=reverse("reminders:inbox"),
        action_label=_("Done"),
        action_url=reverse("reminders:done", args=[r.pk]),
        action_fields=(("next", reverse("inbox")),),
    )


def _improvement_item(ctx: _Context, p: ImprovementPoint) -> Item:
    ev = p.evaluation
    return Item(
        kind="improvement",
        since=p.due_on,
        title=p.text,
        detail=_("Improvement point overdue since %(date)s") % {"date": p.due_on.isoformat()},
        url=f"{reverse('reports:evaluation_detail', args=[ev.salesperson_id])}"
        f"?period={ev.period_type}&start={ev.period_start.isoformat()}",
        action_label=_("Close"),
        action_url=reverse("reports:improvement_close", args=[p.pk]),
        action_fields=(("next", reverse("inbox")),),
    )


def _checkup_item(ctx: _Context, c: Checkup) -> Item:
    return Item(
        kind="checkup",
        since=c.due_on,
        title=_("Check-up with %(customer)s, %(days)s days after delivery")
        % {"customer": c.customer.name, "days": c.offset_days},
        detail=_due_label(c.due_on, ctx.today),
        url=reverse("care:checkup", args=[c.pk]),
        action_label=_("Record the check-up"),
    )


def _case_item(user: User, case: Case, kind: str, title: str, now: dt.datetime, *, one_click: bool) -> Item | None:
    t = _first_awaiting(CASE, user, case)
    if t is None:
        return None
    overdue = case.due_at < now
    due_label = f"{timezone.localtime(case.due_at):%Y-%m-%d %H:%M}"
    url = reverse("care:case", args=[case.pk])
    one_click = one_click and not t.needs_reason
    return Item(
        kind=kind,
        since=case.created_at,
        title=title,
        detail=(_("Overdue since %(date)s") if overdue else _("Due %(date)s")) % {"date": due_label}
        + f" · {case.customer.name} · {case.get_severity_display()}",
        url=url,
        action_label=str(t.label) if one_click or kind == "case" else _("Look into it"),
        action_url=reverse("care:case_action", args=[case.pk, t.action]) if one_click else "",
        overdue=overdue,
    )


def _own_case_item(ctx: _Context, c: Case) -> Item | None:
    title = _("Case %(number)s: %(subject)s") % {"number": c.number, "subject": c.subject}
    return _case_item(ctx.user, c, "case", title, ctx.now, one_click=True)


def _escalated_case_item(ctx: _Context, c: Case) -> Item | None:
    title = _("Escalated case %(number)s of %(owner)s: %(subject)s") % {
        "number": c.number,
        "owner": c.owner.get_full_name(),
        "subject": c.subject,
    }
    return _case_item(ctx.user, c, "case_escalated", title, ctx.now, one_click=False)


def _marketing_plan_item(ctx: _Context, plan: MarketingPlan, t: Any) -> Item:
    return Item(
        kind="marketing_plan",
        since=plan.submitted_at or plan.updated_at,
        title=_("Marketing plan %(year)s of %(owner)s waits for your approval")
        % {"year": plan.year, "owner": plan.owner},
        detail=f"{plan.owner.get_full_name()} · {plan.budget:,.2f}",
        url=reverse("field:plan", args=[plan.pk]),
        action_label=str(t.label),
        action_url=reverse("field:plan_action", args=[plan.pk, t.action]),
    )


def _escalation_item(ctx: _Context, r: MarketReport) -> Item | None:
    """Open until answered: the answer is written on the report, so the button opens it."""
    if not can_answer_escalation(ctx.user, r):
        return None
    return Item(
        kind="escalation",
        since=r.created_at,
        title=_("Urgent: problem reported at %(place)s") % {"place": r.place},
        detail=f"{r.author.get_full_name()} · {r.urgent_problem[:120]}",
        url=reverse("field:report", args=[r.pk]),
        action_label=_("Answer"),
    )


def _daily_escalation_item(ctx: _Context, r: DailyReport) -> Item:
    return Item(
        kind="daily_escalation",
        since=r.escalated_at or r.updated_at,
        title=_("Urgent problem in the daily report of %(author)s, %(date)s")
        % {"author": r.author.get_full_name(), "date": r.date.isoformat()},
        detail=r.problems[:120],
        url=reverse("reports:daily_detail", args=[r.pk]),
        action_label=_("Answer"),
    )


# --- the table: each kind's candidates, what the list reads of them, and its item ---------------------------------
# The list and the badge both read it; the candidates (u: the user, d: today) are looked up by name at each call.

KINDS: tuple[Kind, ...] = (
    Kind(
        "quotes",
        lambda u, d: _quotes(u),
        _oldest("updated_at", related=("customer", "owner")),
        _awaited(QUOTE, _quote_item),
    ),
    Kind(
        "contracts",
        lambda u, d: _contracts(u),
        _oldest("submitted_at", "id", related=("customer", "owner"), prefetch=("approvals",)),
        _awaited(CONTRACT, _contract_item),
    ),
    Kind(
        "inquiries",
        lambda u, d: _inquiries(u),
        _oldest("created_at", "id", related=("product", "requested_by", "requesting_unit")),
        _awaited(PRICE_INQUIRY, _inquiry_item),
    ),
    *(_unit_policy_kind(*policy) for policy in UNIT_POLICIES),
    Kind(
        "conflicts",
        lambda u, d: _conflicts(u),
        _oldest("created_at", related=("customer", "claimant")),
        _awaited(CONFLICT, _conflict_item),
    ),
    Kind(
        "reports",
        lambda u, d: _reports(u, d),
        _oldest("submitted_at", related=("author",)),
        _awaited(DAILY_REPORT, _report_item),
    ),
    Kind(
        "expenses",
        lambda u, d: _expenses(u),
        _oldest("created_at", related=("contract", "claimant")),
        _awaited(EXPENSE, _expense_item),
    ),
    Kind("fund_spends", lambda u, d: _fund_spends(u), _oldest("created_at"), _awaited(MARKET_FUND, _fund_spend_item)),
    Kind(
        "write_offs",
        lambda u, d: _write_offs(u),
        _oldest("created_at", related=("contract", "liable")),
        _awaited(WRITE_OFF, _write_off_item),
    ),
    Kind(
        "returns",
        lambda u, d: _returns(u),
        _oldest("created_at", related=("contract__owner", "contract__customer", "contract_line__product")),
        _awaited(SALES_RETURN, _return_item),
    ),
    # a manager's units, a handful: all of them
    Kind("filings", lambda u, d: _filing_units(u, d)[1], _oldest("code", limit=False), _filing_item),
    Kind(
        "originals",
        lambda u, d: originals_to_confirm(u),
        _oldest("filing_due_on", "pk", related=("customer",)),
        _original_item,
    ),
    Kind(
        "next_steps",
        lambda u, d: _next_steps(u, d),
        _oldest("next_step_date", "id", related=("customer",)),
        _next_step_item,
    ),
    Kind("reminders", lambda u, d: _reminders(u, d), _oldest("due_on", "id", related=("customer",)), _reminder_item),
    Kind(
        "improvements",
        lambda u, d: _improvements(u, d),
        _oldest("due_on", "id", related=("evaluation",)),
        _improvement_item,
    ),
    Kind("checkups", lambda u, d: _checkups(u, d), _oldest("due_on", "id", related=("customer",)), _checkup_item),
    Kind("cases", lambda u, d: _cases(u), _oldest("due_at", "id", related=("customer",)), _own_case_item),
    Kind(
        "escalated_cases",
        lambda u, d: _escalated_cases(u),
        _oldest("due_at", "id", related=("customer", "owner")),
        _escalated_case_item,
    ),
    Kind(
        "marketing_plans",
        lambda u, d: _marketing_plans(u),
        _oldest("submitted_at", "id", related=("owner",)),
        _awaited(PLAN, _marketing_plan_item),
    ),
    Kind(
        "escalations", lambda u, d: _escalations(u), _oldest("created_at", "id", related=("author",)), _escalation_item
    ),
    Kind(
        "daily_escalations",
        lambda u, d: _daily_escalations(u),
        _oldest("escalated_at", "id", related=("author",)),
        _daily_escalation_item,
    ),
)
