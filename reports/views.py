"""Pages of the reports app. Views parse input, call services and selectors, and render; no business rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import unit_policy_views
from accounts.models import SalesUnit, User
from core.exceptions import ApplicationError
from core.forms import apply_service_error
from core.pagination import EstimatedPaginator
from customers.models import Customer
from sales import selectors as sales_selectors
from sales.models import Contract, Product

from . import exports, workflows
from .calendar import WorkingCalendar, local_tz, report_deadline
from .forms import (
    CommentForm,
    DailyReportForm,
    ForecastForm,
    ImprovementForm,
    LessonForm,
    MarketPriceFormSet,
    PlanForm,
    ReviewForm,
    RouteForm,
    SplitFormSet,
    TargetForm,
    TargetImportForm,
    market_price_initial,
)
from .models import (
    DailyReport,
    Dimension,
    Evaluation,
    Forecast,
    ImprovementPoint,
    MarketPrice,
    PerformanceMonthly,
    Plan,
    PlanKind,
    ReviewItem,
    Target,
    UnitReportPolicy,
    VisitRoute,
)
from .periods import add_months, month_start, normalise_start, parse_period, period_bounds, period_label
from .selectors.dashboard import DashboardQuery, dashboard_cached
from .selectors.evaluation import evaluation_figures, evaluation_history, evaluation_review_for, people_in_scope
from .selectors.lessons import lessons_for
from .selectors.plans import month_summary_draft, plan_actuals
from .selectors.prefill import daily_report_prefill
from .selectors.scope import ScopeNotFound
from .selectors.targets import target_progress, target_splits
from .services.daily_reports import daily_report_comment, daily_report_review, daily_report_save
from .services.evaluation import (
    evaluation_acknowledge,
    evaluation_review,
    improvement_add,
    improvement_close,
)
from .services.lessons import lesson_mark_read, lesson_publish
from .services.market_prices import PriceInput
from .services.plans import forecast_set, plan_save, visit_route_set_day
from .services.targets import LineInput, can_manage_targets, target_save, target_set_split, targets_import_xlsx
from .services.unit_rules import unit_report_policy_approve, unit_report_policy_propose, unit_report_policy_reject
from .workflows import DAILY_REPORT


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --------------------------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------------------------
def _dashboard(request):
    try:
        return dashboard_cached(user=request.user, **DashboardQuery.from_query(request.GET).as_kwargs())
    except ScopeNotFound:
        raise Http404 from None


@login_required
def dashboard(request):
    data = _dashboard(request)
    charts = {
        "trend": {
            "months": [r["month"] for r in data.trend],
            "sales": [str(r["sales"]) for r in data.trend],
            "collected": [str(r["collected"]) for r in data.trend],
        },
        "overdue": {"labels": [r["label"] for r in data.overdue], "amounts": [str(r["amount"]) for r in data.overdue]},
        "ranking": {
            "names": [r["name"] for r in data.ranking[:15]],
            "sales": [str(r["sales"]) for r in data.ranking[:15]],
        },
        "labels": {"sales": _("Sales"), "collected": _("Collected"), "amount": _("Amount")},
    }
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "charts": charts,
            "scope_query": DashboardQuery.from_query(request.GET).scope_query(),
            "scope_query_now": DashboardQuery.from_query(request.GET.dict() | {"on": ""}).scope_query(),
            "picked_on": request.GET.get("on", "")[:10] if data.is_past else "",
            "period_label": period_label(data.period, data.selected.start),
            "to_review": None
            if request.user.is_salesperson
            else DailyReport.objects.visible_to(request.user)
            .filter(
                submitted_at__isnull=False,
                reviewed_at__isnull=True,
                date__gte=timezone.localdate() - dt.timedelta(days=30),
            )
            .exclude(author=request.user)
            .count(),
            "review_from": timezone.localdate() - dt.timedelta(days=30),
        },
    )


@login_required
def dashboard_export(request, chart: str):
    data = _dashboard(request)
    try:
        title, headers, rows = exports.dashboard_table(data, chart)
    except KeyError:
        raise Http404 from None
    return exports.xlsx_response(f"dashboard-{chart}-{data.today:%Y%m%d}.xlsx", title, headers, rows)


# --------------------------------------------------------------------------------------------------------------
# Daily reports
# --------------------------------------------------------------------------------------------------------------
def _daily_reports_filtered(request):
    """The reports the user may see, filtered by the list's status, author, text and date parameters."""
    qs = (
        DailyReport.objects.visible_to(request.user)
        .select_related("author", "unit", "reviewed_by")
        .annotate(n_comments=Count("comments"))
        .order_by("-date", "author__full_name")
    )
    status = request.GET.get("status", "")
    if status == "unreviewed":
        qs = qs.filter(submitted_at__isnull=False, reviewed_at__isnull=True)
    elif status == "draft":
        qs = qs.filter(submitted_at__isnull=True)
    if request.GET.get("author"):
        qs = (
            qs.filter(author_id=request.GET["author"])
            if (request.GET["author"].isascii() and request.GET["author"].isdigit())
            else qs.none()
        )
    if request.GET.get("q"):
        term = request.GET["q"].strip()
        qs = qs.filter(
            Q(results__icontains=term)
            | Q(problems__icontains=term)
            | Q(market_notes__icontains=term)
            | Q(activities__icontains=term)
            | Exists(
                MarketPrice.objects.filter(daily_report=OuterRef("pk")).filter(
                    Q(competitor__icontains=term) | Q(competitor_product__icontains=term)
                )
            )
        )
    if request.GET.get("from"):
        qs = qs.filter(date__gte=_parse_date(request.GET["from"], dt.date.min))
    if request.GET.get("to"):
        qs = qs.filter(date__lte=_parse_date(request.GET["to"], dt.date.max))
    return qs


def _open_days(user, *, today: dt.date) -> list[dt.date]:
    """Earlier days whose report is still open (before the cut-off) and not filed yet: offered as shortcuts."""
    open_days = []
    now = timezone.now()
    filed = set(
        DailyReport.objects.filter(
            author=user, date__gte=today - dt.timedelta(days=7), submitted_at__isnull=False
        ).values_list("date", flat=True)
    )
    cal = WorkingCalendar(today - dt.timedelta(days=7), today - dt.timedelta(days=1))
    for day in cal.working_days():
        if day not in filed and report_deadline(day, cal.policy_on(day)) > now:
            open_days.append(day)
    return open_days


@login_required
def daily_list(request):
    qs = _daily_reports_filtered(request).prefetch_related("prices")
    status = request.GET.get("status", "")
    page = EstimatedPaginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    missing = []
    if not request.user.is_salesperson and WorkingCalendar(today, today).is_working(today):
        filed = set(DailyReport.objects.visible_to(request.user).filter(date=today).values_list("author_id", flat=True))
        missing = [p for p in people_in_scope(request.user).order_by("full_name") if p.pk not in filed][:50]
    authors = people_in_scope(request.user).order_by("full_name") if not request.user.is_salesperson else []
    open_days = _open_days(request.user, today=today)
    return render(
        request,
        "reports/daily_list.html",
        {
            "page": page,
            "status": status,
            "missing": missing,
            "authors": authors,
            "today": today,
            "open_days": open_days,
        },
    )


def _daily_prices(formset) -> list[PriceInput]:
    return [
        PriceInput(
            competitor=f.cleaned_data["competitor"],
            competitor_product=f.cleaned_data.get("competitor_product") or "",
            product_id=f.cleaned_data["product"].pk if f.cleaned_data.get("product") else None,
            tier=f.cleaned_data.get("tier") or "",
            price=f.cleaned_data.get("price"),
        )
        for f in formset
        if f.cleaned_data.get("competitor")
    ]


@login_required
def daily_edit(request, date: str | None = None):
    today = timezone.localdate()
    day = _parse_date(date, today)
    report = DailyReport.objects.filter(author=request.user, date=day).first()
    now = timezone.now()
    if report and report.is_locked(now):
        messages.warning(request, _("This report is locked: the cut-off has passed."))
        return redirect("reports:daily_detail", pk=report.pk)
    prefill = daily_report_prefill(author=request.user, day=day)
    initial_prices = market_price_initial(report.prices.all()) if report else None
    # A post without the price rows (an older client) leaves the day's prices as they are.
    posts_prices = request.method == "POST" and "prices-TOTAL_FORMS" in request.POST
    prices = MarketPriceFormSet(request.POST if posts_prices else None, prefix="prices", initial=initial_prices)
    if request.method == "POST":
        form = DailyReportForm(request.POST, instance=report or DailyReport(author=request.user, date=day))
        if form.is_valid() and (not posts_prices or prices.is_valid()):
            try:
                saved = daily_report_save(
                    author=request.user,
                    date=day,
                    data={name: form.cleaned_data.get(name) for name in form.Meta.fields},
                    submit="submit" in request.POST,
                    prices=_daily_prices(prices) if posts_prices else None,
                )
            except (ApplicationError, ValidationError) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Report filed.") if saved.submitted_at else _("Draft saved."))
                return redirect("reports:daily_detail", pk=saved.pk)
    elif report:
        form = DailyReportForm(instance=report)
    else:
        form = DailyReportForm(initial={"activities": prefill.activities, "plan_tomorrow": prefill.plan_tomorrow})
    return render(
        request,
        "reports/daily_form.html",
        {
            "form": form,
            "prices": prices,
            "report": report,
            "day": day,
            "prefill": prefill,
            "is_today": day == today,
            "working_day": WorkingCalendar(day, day).is_working(day),
        },
    )


@login_required
def daily_detail(request, pk: int):
    report = get_object_or_404(
        DailyReport.objects.visible_to(request.user).select_related("author", "unit", "reviewed_by"), pk=pk
    )
    comments = report.comments.select_related("author")
    prices = report.prices.select_related("product")
    return render(
        request,
        "reports/daily_detail.html",
        {
            "report": report,
            "prices": prices,
            "comments": comments,
            "comment_form": CommentForm(),
            "actions": (actions := set(DAILY_REPORT.action_names(request.user, report))),
            "can_review": bool(actions & {"review", "re_review"}),
            "can_edit": report.author_id == request.user.pk and not report.is_locked(timezone.now()),
            "deadline_local": timezone.localtime(report.deadline, local_tz()) if report.deadline else None,
        },
    )


@login_required
@require_POST
def daily_review(request, pk: int):
    report = get_object_or_404(DailyReport.objects.visible_to(request.user), pk=pk)
    try:
        daily_report_review(report=report, actor=request.user, comment=request.POST.get("body", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as reviewed."))
    return redirect("reports:daily_detail", pk=pk)


@login_required
@require_POST
def daily_comment(request, pk: int):
    report = get_object_or_404(DailyReport.objects.visible_to(request.user), pk=pk)
    try:
        daily_report_comment(report=report, actor=request.user, body=request.POST.get("body", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment added."))
    return redirect(reverse("reports:daily_detail", args=[pk]) + "#comments")


# --------------------------------------------------------------------------------------------------------------
# Plans, routes, forecasts
# --------------------------------------------------------------------------------------------------------------
@login_required
def plan_list(request):
    qs = Plan.objects.visible_to(request.user).select_related("author").order_by("-period_start", "kind")
    kind = request.GET.get("kind", "")
    if kind in PlanKind.values:
        qs = qs.filter(kind=kind)
    page = EstimatedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reports/plan_list.html", {"page": page, "kind": kind, "kinds": PlanKind.choices})


@login_required
def plan_edit(request, pk: int | None = None):
    plan = get_object_or_404(Plan.objects.filter(author=request.user), pk=pk) if pk else None
    if request.method == "POST":
        form = PlanForm(request.POST, instance=plan or Plan(author=request.user))
        if form.is_valid():
            try:
                plan = plan_save(
                    author=request.user,
                    kind=form.cleaned_data["kind"],
                    period_start=form.cleaned_data["period_start"],
                    data=form.cleaned_data,
                )
            except (ApplicationError, ValidationError) as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("reports:plan_list")
    else:
        kind = request.GET.get("kind") if request.GET.get("kind") in PlanKind.values else PlanKind.WEEKLY
        today = timezone.localdate()
        start = normalise_start("week" if kind == PlanKind.WEEKLY else "month", today)
        initial = None
        if plan is None:
            initial = {"kind": kind, "period_start": start}
            if kind == PlanKind.SUMMARY:  # summarise last month, pre-filled with its figures
                initial["period_start"] = add_months(start, -1)
                initial["goals"] = month_summary_draft(author=request.user, month=initial["period_start"])
        form = PlanForm(instance=plan, initial=initial)
    return render(request, "reports/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("author", "unit"), pk=pk)
    return render(request, "reports/plan_detail.html", {"plan": plan, "actuals": plan_actuals(plan=plan)})


@login_required
def routes(request):
    customers = list(Customer.objects.filter(owner=request.user).order_by("name"))
    current: dict[int, list[int]] = {}
    for stop in VisitRoute.objects.filter(owner=request.user).order_by("weekday", "position"):
        current.setdefault(stop.weekday, []).append(stop.customer_id)
    form = RouteForm(request.POST or None, customers=customers, initial_days=current)
    if request.method == "POST" and form.is_valid():
        try:
            for weekday in range(7):
                ids = [int(i) for i in form.cleaned_data.get(f"day_{weekday}") or []]
                if ids != current.get(weekday, []):
                    visit_route_set_day(owner=request.user, weekday=weekday, customer_ids=ids, actor=request.user)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Routes saved."))
            return redirect("reports:routes")
    team_routes = []
    if request.user.is_manager or request.user.is_company_wide:
        team_routes = (
            VisitRoute.objects.visible_to(request.user)
            .exclude(owner=request.user)
            .select_related("owner", "customer")
            .order_by("owner__full_name", "weekday", "position")[:500]
        )
    return render(request, "reports/routes.html", {"form": form, "team_routes": team_routes})


@login_required
def forecasts(request):
    form = ForecastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forecast_set(owner=request.user, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Forecast saved."))
            return redirect("reports:forecasts")
    start = add_months(month_start(timezone.localdate()), -2)
    rows = (
        Forecast.objects.visible_to(request.user)
        .filter(month__gte=start)
        .select_related("owner")
        .order_by("owner__full_name", "month")
    )
    actual = {
        (o, m): s
        for o, m, s in PerformanceMonthly.objects.visible_to(request.user)
        .filter(month__gte=start)
        .values_list("owner_id", "month")
        .annotate(s=Sum("sales_amount"))
        .order_by()
    }
    table = [{"f": f, "actual": actual.get((f.owner_id, f.month))} for f in rows]
    return render(request, "reports/forecasts.html", {"form": form, "table": table})


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------
def _manageable_units(user: User):
    if user.is_admin_role or user.is_gm_office:
        return SalesUnit.objects.order_by("code"), True
    if user.is_manager:
        return SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("code"), False
    return SalesUnit.objects.none(), False


@login_required
def target_list(request):
    qs = Target.objects.visible_to(request.user).select_related("unit").annotate(n_lines=Count("lines"))
    year = request.GET.get("year")
    if year and year.isascii() and year.isdigit() and len(year) == 4:  # a 20-digit "year" is no year: ignored
        qs = qs.filter(period_start__year=int(year))
    page = EstimatedPaginator(qs.order_by("-period_start", "period_type", "unit__code"), 50).get_page(
        request.GET.get("page")
    )
    units, _company = _manageable_units(request.user)
    return render(request, "reports/target_list.html", {"page": page, "can_manage": units.exists()})


@login_required
def target_new(request):
    units, allow_company = _manageable_units(request.user)
    if not units.exists():
        raise Http404
    form = TargetForm(request.POST or None, units=units, allow_company=allow_company)
    if request.method == "POST" and form.is_valid():
        try:
            target = target_save(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return redirect("reports:target_detail", pk=target.pk)
    return render(request, "reports/target_form.html", {"form": form})


@login_required
def target_detail(request, pk: int):
    target = get_object_or_404(Target.objects.visible_to(request.user).select_related("unit", "created_by"), pk=pk)
    manage = can_manage_targets(actor=request.user, unit=target.unit)
    splits = target_splits(target=target)
    if not manage:  # a salesperson sees only their own line
        for view in splits:
            view.rows = [
                r for r in view.rows if view.dimension != Dimension.SALESPERSON or r.label == str(request.user)
            ]
        splits = [v for v in splits if v.dimension == Dimension.SALESPERSON] if request.user.is_salesperson else splits
    forms_by_dim = {}
    if manage:
        split_kwargs = _split_choices(target)
        existing: dict[str, list[dict]] = {dim: [] for dim in Dimension.values}
        for ln in target.lines.select_related("product", "customer"):
            existing[ln.dimension].append({"key": _split_key(ln), "amount": ln.amount})
        posted = request.POST.get("dimension", "") if request.method == "POST" else ""
        for dim, label in Dimension.choices:
            formset = SplitFormSet(
                request.POST if posted == dim else None,
                prefix=dim,
                initial=existing[dim],
                form_kwargs={"dimension": dim, **split_kwargs[dim]},
            )
            forms_by_dim[dim] = (label, formset)
        if posted in forms_by_dim:
            formset = forms_by_dim[posted][1]
            if formset.is_valid():
                lines = [LineInput(key=key, amount=amount) for key, amount in formset.rows()]
                try:
                    target_set_split(actor=request.user, target=target, dimension=posted, lines=lines)
                except ApplicationError as exc:
                    formset._non_form_errors = formset.error_class([exc.message])
                else:
                    messages.success(request, _("Split saved."))
                    return redirect("reports:target_detail", pk=target.pk)
    assigned_dims = {v.dimension for v in splits}
    progress = target_progress(target=target) if manage or request.user.is_company_wide else None
    return render(
        request,
        "reports/target_detail.html",
        {
            "target": target,
            "splits": splits,
            "manage": manage,
            "progress": progress,
            "split_forms": [(dim, label, form, dim in assigned_dims) for dim, (label, form) in forms_by_dim.items()],
        },
    )


def _split_key(line):
    """The picker value of a split line (a customer is the customer itself: its picker names it)."""
    return {
        Dimension.PRODUCT: lambda: line.product.code,
        Dimension.REGION: lambda: line.region,
        Dimension.CUSTOMER: lambda: line.customer,
        Dimension.SALESPERSON: lambda: str(line.salesperson_id),
        Dimension.SETTLEMENT: lambda: line.settlement_method,
        Dimension.SALES_METHOD: lambda: line.sales_method,
    }[line.dimension]()


def _split_choices(target: Target) -> dict[str, dict]:
    """What each dimension's picker offers, for the target's unit (the whole company for a company target):
    active products, the regions of the unit's customers, its people, the settlement methods. One query each."""
    unit = target.unit
    customers = Customer.objects.all() if unit is None else Customer.objects.filter(unit=unit)
    people = User.objects.filter(is_active=True)
    people = people.filter(unit=unit) if unit is not None else people.exclude(unit=None)
    regions = set(customers.exclude(region="").values_list("region", flat=True).distinct())
    regions |= set(target.lines.exclude(region="").values_list("region", flat=True))
    products = Product.objects.filter(is_active=True).order_by("code").values_list("code", "name")
    return {
        Dimension.PRODUCT: {"choices": [(code, f"{code} {name}") for code, name in products]},
        Dimension.REGION: {"choices": [(r, r) for r in sorted(regions)]},
        Dimension.CUSTOMER: {"customers": customers},
        Dimension.SALESPERSON: {
            "choices": [
                (str(u.pk), f"{u.get_full_name()} ({u.username})")
                for u in people.order_by("full_name", "username").only("pk", "full_name", "username")
            ]
        },
        Dimension.SETTLEMENT: {"choices": sorted(sales_selectors.method_labels("settlement").items())},
        Dimension.SALES_METHOD: {"choices": sorted(sales_selectors.method_labels("sales").items())},
    }


@login_required
def target_import(request):
    units, _company = _manageable_units(request.user)
    if not units.exists():
        raise Http404
    form = TargetImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = targets_import_xlsx(actor=request.user, file=form.cleaned_data["file"])
        except ApplicationError as exc:
            errors = exc.extra.get("errors") or [exc.message]
            form.add_error("file", _("Nothing was imported: fix the rows below and try again."))
        else:
            messages.success(
                request,
                _("Imported %(t)s targets and %(l)s split lines.") % {"t": result["targets"], "l": result["lines"]},
            )
            return redirect("reports:target_list")
    return render(request, "reports/target_import.html", {"form": form, "errors": errors})


@login_required
def target_import_template(request):
    headers = ["period_type", "period_start", "unit", "dimension", "key", "amount", "quantity"]
    year = timezone.localdate().year
    unit = SalesUnit.objects.order_by("code").first()
    code = unit.code if unit else ""
    rows = [
        ["year", f"{year}-01-01", code, "total", "", 12000000, ""],
        ["year", f"{year}-01-01", code, "salesperson", "sales01", 4000000, ""],
        ["year", f"{year}-01-01", code, "region", "台北", 5000000, ""],
        ["year", f"{year}-01-01", code, "settlement", "monthly", 6000000, ""],
        ["month", f"{year}-01-01", "", "total", "", 3000000, ""],
    ]
    return exports.xlsx_response("targets-template.xlsx", _("Targets"), headers, rows)


# --------------------------------------------------------------------------------------------------------------
# Evaluations
# --------------------------------------------------------------------------------------------------------------
def _period_from(request) -> tuple[str, dt.date]:
    return parse_period(request.GET.get("period"), request.GET.get("start"), today=timezone.localdate())


@login_required
def evaluation_list(request):
    period_type, start = _period_from(request)
    people = list(people_in_scope(request.user).select_related("unit").order_by("unit__code", "full_name"))
    figures = evaluation_figures(
        user_ids=[p.pk for p in people], period_type=period_type, period_start=start, viewer=request.user
    )
    rows = [(p, figures[p.pk]) for p in people]
    shows_allowance = sales_selectors.sees_cost(request.user)
    if request.GET.get("format") == "xlsx":
        title, headers, table = exports.evaluation_table(rows, show_allowance=shows_allowance)
        return exports.xlsx_response(f"evaluation-{period_type}-{start}.xlsx", title, headers, table)
    return render(
        request,
        "reports/evaluation_list.html",
        {
            "rows": rows,
            "shows_allowance": shows_allowance,
            "period_type": period_type,
            "start": start,
            "end": period_bounds(period_type, start)[1],
            "label": period_label(period_type, start),
            "prev": add_months(start, -{"month": 1, "quarter": 3, "year": 12}[period_type]),
            "next": add_months(start, {"month": 1, "quarter": 3, "year": 12}[period_type]),
        },
    )


@login_required
def evaluation_detail(request, user_id: int):
    person = get_object_or_404(people_in_scope(request.user).select_related("unit"), pk=user_id)
    period_type, start = _period_from(request)
    figures = evaluation_figures(
        user_ids=[person.pk], period_type=period_type, period_start=start, viewer=request.user
    )[person.pk]
    review = evaluation_review_for(viewer=request.user, salesperson=person, period_type=period_type, period_start=start)
    can_feedback = request.user.pk != person.pk and (
        request.user.is_manager or request.user.is_gm_office or request.user.is_admin_role
    )
    form = None
    improvement_form = None
    if can_feedback:
        initial = {"feedback": figures.feedback} | {r.item: r.score for r in review.rows if r.score is not None}
        form = ReviewForm(request.POST or None, initial=initial, weights={r.item: r.weight for r in review.rows})
        if review.evaluation is not None:
            improvement_form = ImprovementForm(owners=_improvement_owners(person), initial={"owner": person.pk})
    here = f"{reverse('reports:evaluation_detail', args=[person.pk])}?period={period_type}&start={start}"
    history = evaluation_history(viewer=request.user, salesperson=person, last_month=figures.as_of)
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation_review(
                actor=request.user,
                salesperson=person,
                period_type=period_type,
                period_start=start,
                scores={item: data[item] for item in ReviewItem.values},
                summary=data["feedback"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Review saved."))
            return redirect(here)
    return render(
        request,
        "reports/evaluation_detail.html",
        {
            "person": person,
            "f": figures,
            "review": review,
            "form": form,
            "improvement_form": improvement_form,
            "is_self": request.user.pk == person.pk,
            "period_type": period_type,
            "start": start,
            "label": period_label(period_type, start),
            "today": timezone.localdate(),
            "history": history,
            "history_chart": _history_chart(history, shows_profit=review.shows_profit),
        },
    )


def _history_chart(history, *, shows_profit: bool) -> dict:
    """The figures of the salesperson's chart over time (the table under it shows the same)."""
    return {
        "months": [h.month.strftime("%Y-%m") for h in history],
        "sales": [str(h.sales) for h in history],
        "target": [None if h.target is None else str(h.target) for h in history],
        "collections": [str(h.collections) for h in history],
        "visits": [h.visits for h in history],
        "review": [None if h.review is None else str(h.review) for h in history],
        "labels": {
            "sales": _("Sales"),
            "target": _("Target"),
            "collections": _("Collections"),
            "visits": _("Visits"),
            "review": _("Review score") if shows_profit else _("Review score (without profit contribution)"),
        },
    }


# --------------------------------------------------------------------------------------------------------------
# Year-end bonus worksheet (年終獎勵)
# --------------------------------------------------------------------------------------------------------------
FACTOR_LABELS = {
    "sales": _("Sales performance"),
    "quality": _("Professional quality"),
    "satisfaction": _("Customer satisfaction"),
    "market_share": _("Market share"),
    "company": _("Company results"),
}


def _bonus_year(request) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate()
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= today.year else today.year


@login_required
def year_end_bonus(request):
    """Per salesperson the rule book's five factors, the weighted score and the share of the year-end part of the
    market service fund. Managers score their people; the admin sets the weights. Salespeople: 404."""
    from .forms import BonusScoreForm, BonusWeightsForm
    from .permissions import can_see_bonus_worksheet, can_set_bonus_weights
    from .selectors.bonus import bonus_worksheet, weights_for
    from .services.bonus import bonus_score_save, bonus_weights_set

    user = request.user
    if not can_see_bonus_worksheet(user):
        raise Http404
    year = _bonus_year(request)
    score_form = BonusScoreForm(request.POST if "score" in request.POST else None)
    if "score" in request.POST and score_form.is_valid():
        person = get_object_or_404(people_in_scope(user), pk=score_form.cleaned_data["salesperson"])
        try:
            values = {k: v for k, v in score_form.cleaned_data.items() if k != "salesperson"}
            bonus_score_save(actor=user, salesperson=person, year=year, **values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Scores saved."))
            return redirect(f"{reverse('reports:year_end_bonus')}?year={year}")
    elif "score" in request.POST:
        messages.error(request, " ".join(str(e) for errs in score_form.errors.values() for e in errs))
    current = weights_for(year)
    weights_form = None
    if can_set_bonus_weights(user):
        weights_form = BonusWeightsForm(
            request.POST if "weights" in request.POST else None,
            initial={"effective_from": dt.date(year, 1, 1), "fund_share_percent": current.fund_share_percent}
            | {f"{k}_weight": v for k, v in current.weights.items()},
        )
        if "weights" in request.POST and weights_form.is_valid():
            try:
                bonus_weights_set(actor=user, **weights_form.cleaned_data)
            except ApplicationError as exc:
                apply_service_error(weights_form, exc)
            else:
                messages.success(request, _("Weights saved."))
                return redirect(f"{reverse('reports:year_end_bonus')}?year={year}")
    sheet = bonus_worksheet(viewer=user, year=year)
    if request.GET.get("format") == "xlsx":
        return _bonus_xlsx(sheet)
    return render(
        request,
        "reports/year_end_bonus.html",
        {
            "sheet": sheet,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "factors": [(k, str(v), sheet.weights.weights[k]) for k, v in FACTOR_LABELS.items()],
            "weights_form": weights_form,
        },
    )


def _bonus_xlsx(sheet):
    from openpyxl import Workbook

    from core.exports import workbook_bytes, xlsx_append, xlsx_response

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Year-end bonus"))[:31]
    weights = sheet.weights.weights
    header = [_("Salesperson"), _("Sales unit"), _("Review score"), _("Place in the unit"), _("Sales"), _("Target")]
    header += [f"{label} ({weights[k]} %)" for k, label in FACTOR_LABELS.items()]
    header += [_("Weighted score"), _("Exact share"), _("Award"), _("Remainder cent"), _("Note")]
    xlsx_append(ws, [str(h) for h in header])
    for r in sheet.rows:
        xlsx_append(
            ws,
            [
                r.person.get_full_name(),
                str(r.person.unit or ""),
                r.review,
                f"{r.unit_rank[0]}/{r.unit_rank[1]}" if r.unit_rank else "",
                r.sales,
                r.target,
            ]
            + [r.scores.get(k) for k in FACTOR_LABELS]
            + [
                r.score,
                r.share.exact.quantize(Decimal("0.0001")) if r.share else None,
                r.share.amount if r.share else None,
                "+0.01" if r.share and r.share.extra_cent else "",
                r.note,
            ],
        )
    xlsx_append(ws, [])
    xlsx_append(ws, [str(_("Fund accrued in the year")), sheet.accrued])
    xlsx_append(ws, [str(_("Year-end part")), f"{sheet.weights.fund_share_percent} %", sheet.pool])
    xlsx_append(ws, [str(_("Distributed")), sheet.distributed])
    return xlsx_response(f"year-end-bonus-{sheet.year}.xlsx", workbook_bytes(wb))


def _improvement_owners(person: User):
    return User.objects.filter(is_active=True, unit_id=person.unit_id).order_by("full_name")


def _evaluation_url(evaluation: Evaluation) -> str:
    return (
        f"{reverse('reports:evaluation_detail', args=[evaluation.salesperson_id])}"
        f"?period={evaluation.period_type}&start={evaluation.period_start}"
    )


@login_required
@require_POST
def evaluation_acknowledge_view(request, pk: int):
    evaluation = get_object_or_404(Evaluation.objects.visible_to(request.user), pk=pk)
    try:
        evaluation_acknowledge(actor=request.user, evaluation=evaluation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Evaluation acknowledged."))
    return redirect(_evaluation_url(evaluation))


@login_required
@require_POST
def improvement_add_view(request, pk: int):
    evaluation = get_object_or_404(Evaluation.objects.visible_to(request.user).select_related("salesperson"), pk=pk)
    form = ImprovementForm(request.POST, owners=_improvement_owners(evaluation.salesperson))
    if form.is_valid():
        try:
            improvement_add(actor=request.user, evaluation=evaluation, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Improvement point added."))
    else:
        errors = "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items() if k in form.fields)
        messages.error(request, errors)
    return redirect(_evaluation_url(evaluation))


@login_required
@require_POST
def improvement_close_view(request, pk: int):
    visible = Evaluation.objects.visible_to(request.user).values("pk")
    point = get_object_or_404(
        ImprovementPoint.objects.filter(Q(owner=request.user) | Q(evaluation__in=visible)).select_related("evaluation"),
        pk=pk,
    )
    try:
        improvement_close(actor=request.user, point=point)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Improvement point closed."))
    if request.POST.get("next") == reverse("inbox"):
        return redirect("inbox")
    return redirect(_evaluation_url(point.evaluation))


# --------------------------------------------------------------------------------------------------------------
# Lessons (成功的經驗…推廣)
# --------------------------------------------------------------------------------------------------------------
@login_required
def lesson_list(request):
    page = EstimatedPaginator(lessons_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "reports/lesson_list.html", {"page": page, "can_publish": request.user.is_manager})


@login_required
def lesson_new(request):
    user = request.user
    if not user.is_manager:
        raise Http404
    form = LessonForm(
        request.POST or None,
        units=SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("code"),
        customers=Customer.objects.visible_to(user).order_by("name"),
        contracts=Contract.objects.visible_to(user).order_by("-id"),
        initial={"unit": user.unit_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lesson_publish(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Lesson published to the team."))
            return redirect("reports:lesson_detail", pk=lesson.pk)
    return render(request, "reports/lesson_form.html", {"form": form})


@login_required
def lesson_detail(request, pk: int):
    lesson = get_object_or_404(lessons_for(request.user), pk=pk)
    if lesson_mark_read(reader=request.user, lesson=lesson):
        lesson.read_count += 1
    return render(request, "reports/lesson_detail.html", {"lesson": lesson})


# --- unit rules (實施細則): the shared page of accounts.unit_policy_views ----------------------------------------


@login_required
def unit_rules(request):
    return unit_policy_views.rules_page(
        request,
        model=UnitReportPolicy,
        workflow=workflows.UNIT_POLICY,
        propose=unit_report_policy_propose,
        url_name="reports:unit_rules",
        decide_url_name="reports:unit_rules_decide",
        title=_("Unit rules: reports"),
    )


@login_required
@require_POST
def unit_rules_decide(request, pk: int, verb: str):
    return unit_policy_views.decide(
        request,
        model=UnitReportPolicy,
        pk=pk,
        verb=verb,
        approve=unit_report_policy_approve,
        reject=unit_report_policy_reject,
        url_name="reports:unit_rules",
    )
