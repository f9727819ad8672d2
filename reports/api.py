"""API of the reports app. register() adds its viewsets to the /api/v1/ router.

Input and output serializers are separate; every queryset goes through visible_to(user); writes call services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # 404 (not 500) for ids that are not numbers
from rest_framework.response import Response

from accounts import unit_policy_api
from core.api import PG_INT_MAX

from .models import (
    DailyReport,
    Dimension,
    MarketPrice,
    MarketTrend,
    PeriodType,
    Plan,
    PlanKind,
    PriceTier,
    ReportComment,
    Target,
    TargetKind,
    TargetLine,
    UnitReportPolicy,
)
from .periods import parse_period
from .selectors.dashboard import DashboardQuery, dashboard_cache_key, dashboard_cached
from .selectors.evaluation import evaluation_figures, people_in_scope
from .selectors.prefill import daily_report_prefill
from .selectors.scope import ScopeNotFound
from .services.daily_reports import daily_report_comment, daily_report_review, daily_report_save
from .services.evaluation import evaluation_give_feedback
from .services.market_prices import PriceInput
from .services.plans import plan_save
from .services.targets import LineInput, can_manage_targets, target_save, target_set_split
from .services.unit_rules import unit_report_policy_approve, unit_report_policy_propose, unit_report_policy_reject
from .workflows import UNIT_POLICY


# --------------------------------------------------------------------------------------------------------------
# Daily reports
# --------------------------------------------------------------------------------------------------------------
class DailyReportCommentOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name")

    class Meta:
        model = ReportComment
        fields = ["id", "author", "body", "created_at"]


class MarketPriceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketPrice
        fields = ["competitor", "competitor_product", "product", "tier", "price"]


class MarketPriceInputSerializer(serializers.Serializer):
    competitor = serializers.CharField(max_length=100)
    competitor_product = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    product = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=PG_INT_MAX)
    tier = serializers.ChoiceField(choices=[("", "—"), *PriceTier.choices], required=False, default="")
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0.01")
    )


class DailyReportOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name")
    prices = MarketPriceOutputSerializer(many=True, read_only=True)
    is_on_time = serializers.BooleanField()
    comments_count = serializers.IntegerField(source="n_comments", default=0)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "author",
            "author_name",
            "unit",
            "date",
            "activities",
            "results",
            "problems",
            "problem_urgent",
            "escalated_at",
            "escalation_answered_at",
            "market_notes",
            "plan_tomorrow",
            "visits_count",
            "calls_count",
            "prices",
            "market_trend",
            "submitted_at",
            "deadline",
            "is_on_time",
            "reviewed_by",
            "reviewed_at",
            "comments_count",
        ]


class DailyReportDetailOutput(DailyReportOutputSerializer):
    comments = DailyReportCommentOutputSerializer(many=True)

    class Meta(DailyReportOutputSerializer.Meta):
        fields = [*DailyReportOutputSerializer.Meta.fields, "comments"]


class DailyReportInputSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    activities = serializers.CharField(required=False, allow_blank=True)
    results = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    problem_urgent = serializers.BooleanField(required=False)
    market_notes = serializers.CharField(required=False, allow_blank=True)
    plan_tomorrow = serializers.CharField(required=False, allow_blank=True)
    prices = MarketPriceInputSerializer(many=True, required=False, max_length=20)
    market_trend = serializers.ChoiceField(choices=[("", "—"), *MarketTrend.choices], required=False)
    submit = serializers.BooleanField(default=False)


class DailyReportCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="")


class PrefillOutputSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    visits = serializers.IntegerField()
    calls = serializers.IntegerField()
    messages = serializers.IntegerField()
    activities = serializers.CharField()
    plan_tomorrow = serializers.CharField()
    deadline = serializers.DateTimeField()


class DailyReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Daily work reports (工作日報表). POST creates or updates the caller's report of `date` (default today);
    PATCH edits it until the cut-off; `submit: true` files it."""

    filterset_fields = {"date": ["exact", "gte", "lte"], "author": ["exact"], "unit": ["exact"]}
    ordering_fields = ["date", "submitted_at"]
    search_fields = ["results", "problems", "market_notes", "prices__competitor", "prices__competitor_product"]

    def get_queryset(self):
        return (
            DailyReport.objects.visible_to(self.request.user)
            .select_related("author")
            .prefetch_related("prices")
            .annotate(n_comments=Count("comments"))
            .order_by("-date", "author_id")
        )

    def get_serializer_class(self):
        return DailyReportDetailOutput if self.action == "retrieve" else DailyReportOutputSerializer

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        report = (
            DailyReport.objects.prefetch_related("comments__author", "prices")
            .select_related("author")
            .get(pk=report.pk)
        )
        return Response(DailyReportDetailOutput(report).data)

    def _save(self, request, day: dt.date, status_code: int):
        data = DailyReportInputSerializer(data=request.data, partial=status_code == status.HTTP_200_OK)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        submit = values.pop("submit", False)
        values.pop("date", None)
        raw_prices = values.pop("prices", None)
        prices = (
            None
            if raw_prices is None
            else [
                PriceInput(
                    competitor=p["competitor"],
                    competitor_product=p.get("competitor_product") or "",
                    product_id=p.get("product"),
                    tier=p.get("tier") or "",
                    price=p.get("price"),
                )
                for p in raw_prices
            ]
        )
        report = daily_report_save(author=request.user, date=day, data=values, submit=submit, prices=prices)
        report.n_comments = report.comments.count()
        return Response(DailyReportOutputSerializer(report).data, status=status_code)

    @extend_schema(request=DailyReportInputSerializer, responses={201: DailyReportOutputSerializer})
    def create(self, request, *args, **kwargs):
        data = DailyReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._save(request, data.validated_data.get("date") or timezone.localdate(), status.HTTP_201_CREATED)

    @extend_schema(request=DailyReportInputSerializer, responses={200: DailyReportOutputSerializer})
    def partial_update(self, request, pk=None):
        report = get_object_or_404(DailyReport.objects.visible_to(request.user).filter(author=request.user), pk=pk)
        return self._save(request, report.date, status.HTTP_200_OK)

    @extend_schema(request=DailyReportCommentInputSerializer, responses={200: DailyReportDetailOutput})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = DailyReportCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        daily_report_review(report=self.get_object(), actor=request.user, comment=data.validated_data["body"])
        return self.retrieve(request, pk=pk)

    @extend_schema(request=DailyReportCommentInputSerializer, responses={201: DailyReportCommentOutputSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        data = DailyReportCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = daily_report_comment(report=self.get_object(), actor=request.user, body=data.validated_data["body"])
        return Response(DailyReportCommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
        responses={200: PrefillOutputSerializer},
    )
    @action(detail=False, methods=["get"])
    def prefill(self, request):
        """What the caller's contact log says about a day (default today), to pre-fill the report."""
        try:
            day = dt.date.fromisoformat(request.query_params.get("date") or "") or timezone.localdate()
        except ValueError:
            day = timezone.localdate()
        return Response(PrefillOutputSerializer(daily_report_prefill(author=request.user, day=day)).data)


# --------------------------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------------------------
class PlanOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name")

    class Meta:
        model = Plan
        fields = [
            "id",
            "author",
            "author_name",
            "unit",
            "kind",
            "period_start",
            "goals",
            "actions",
            "key_points_next",
            "sales_goal",
            "visits_goal",
            "updated_at",
        ]


class PlanInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    period_start = serializers.DateField()
    goals = serializers.CharField(required=False, allow_blank=True)
    actions = serializers.CharField(required=False, allow_blank=True)
    key_points_next = serializers.CharField(required=False, allow_blank=True)
    sales_goal = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    visits_goal = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=PG_INT_MAX)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Weekly / monthly action plans and monthly summaries. POST creates or updates the caller's plan of the
    period (normalised to Monday / the first of the month)."""

    serializer_class = PlanOutputSerializer
    filterset_fields = {"kind": ["exact"], "period_start": ["exact", "gte", "lte"], "author": ["exact"]}

    def get_queryset(self):
        return Plan.objects.visible_to(self.request.user).select_related("author").order_by("-period_start", "kind")

    @extend_schema(request=PlanInputSerializer, responses={201: PlanOutputSerializer})
    def create(self, request):
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = plan_save(
            author=request.user, kind=values.pop("kind"), period_start=values.pop("period_start"), data=values
        )
        return Response(PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------
class TargetLineOutputSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="key_label")

    class Meta:
        model = TargetLine
        fields = ["id", "dimension", "key", "product", "region", "customer", "salesperson", "settlement_method",
                  "sales_method", "amount", "quantity"]  # fmt: skip


class TargetOutputSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    unassigned = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "unit",
            "kind",
            "period_type",
            "period_start",
            "amount",
            "quantity",
            "note",
            "lines",
            "unassigned",
        ]

    def _lines(self, obj) -> list[TargetLine]:
        user = self.context["request"].user
        lines = list(obj.lines.all())
        if not can_manage_targets(actor=user, unit=obj.unit) and not user.is_company_wide:
            lines = [ln for ln in lines if ln.salesperson_id == user.pk]
        return lines

    def get_lines(self, obj) -> list[dict]:
        return TargetLineOutputSerializer(self._lines(obj), many=True).data

    def get_unassigned(self, obj) -> dict[str, str]:
        user = self.context["request"].user
        if not (can_manage_targets(actor=user, unit=obj.unit) or user.is_company_wide):
            return {}
        totals: dict[str, object] = {}
        for ln in obj.lines.all():
            totals[ln.dimension] = totals.get(ln.dimension, 0) + ln.amount
        return {dim: str(obj.amount - total) for dim, total in totals.items()}


class TargetInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=TargetKind.choices, required=False, default=TargetKind.SALES)
    period_type = serializers.ChoiceField(choices=PeriodType.choices)
    period_start = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SplitLineInputSerializer(serializers.Serializer):
    key = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class SplitInputSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    lines = SplitLineInputSerializer(many=True)


class TargetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales targets (銷售指標) and collection targets (回款目標, kind=collection) with their splits. POST creates or
    updates a unit's (or the company's) target."""

    serializer_class = TargetOutputSerializer
    filterset_fields = {
        "kind": ["exact"],
        "period_type": ["exact"],
        "period_start": ["exact", "gte", "lte"],
        "unit": ["exact"],
    }

    def get_queryset(self):
        return (
            Target.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related("lines__product", "lines__customer", "lines__salesperson")
            .order_by("-period_start", "period_type", "id")
        )

    @extend_schema(request=TargetInputSerializer, responses={201: TargetOutputSerializer})
    def create(self, request):
        from accounts.models import SalesUnit

        data = TargetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit_id = values.pop("unit", None)
        unit = get_object_or_404(SalesUnit, pk=unit_id) if unit_id else None
        target = target_save(actor=request.user, unit=unit, **values)
        target = self.get_queryset().get(pk=target.pk)
        return Response(
            TargetOutputSerializer(target, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=SplitInputSerializer, responses={200: TargetOutputSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        data = SplitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target_set_split(
            actor=request.user,
            target=self.get_object(),
            dimension=data.validated_data["dimension"],
            lines=[LineInput(**line) for line in data.validated_data["lines"]],
        )
        target = self.get_queryset().get(pk=pk)
        return Response(TargetOutputSerializer(target, context={"request": request}).data)


# --------------------------------------------------------------------------------------------------------------
# Evaluations
# --------------------------------------------------------------------------------------------------------------
class ExpenseControlOutputSerializer(serializers.Serializer):
    """Approved expense claims of the period against the expense allowance of the contracts sold in it (the
    commission app's allowance rule); `used` is approved ÷ allowance in %, null without an allowance."""

    available = serializers.BooleanField(
        help_text="False for a caller who may not see cost: then `allowance`, `excess` and `used` are null (the "
        "allowance is a share of the gross profit, so it would give the cost away)."
    )
    approved = serializers.DecimalField(max_digits=16, decimal_places=2)
    allowance = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    excess = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    used = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class FiguresOutputSerializer(serializers.Serializer):
    salesperson_id = serializers.IntegerField()
    salesperson_name = serializers.CharField()
    period_type = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    as_of = serializers.DateField()
    sales_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    sales_quantity = serializers.DecimalField(max_digits=16, decimal_places=2)
    contracts = serializers.IntegerField()
    target_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    completion = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    expected_by_today = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    pace = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    collections = serializers.DecimalField(max_digits=16, decimal_places=2)
    overdue_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    overdue_contracts = serializers.IntegerField()
    visits = serializers.IntegerField()
    calls = serializers.IntegerField()
    working_days_due = serializers.IntegerField()
    reports_on_time = serializers.IntegerField()
    report_compliance = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    expense_control = serializers.SerializerMethodField()
    new_customers = serializers.IntegerField()
    repeat_customers = serializers.IntegerField()
    collection_target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    collection_completion = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    sales_last_year = serializers.DecimalField(max_digits=16, decimal_places=2)
    sales_change = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    collections_last_year = serializers.DecimalField(max_digits=16, decimal_places=2)
    collections_change = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
    feedback = serializers.CharField()
    feedback_by = serializers.CharField()

    @extend_schema_field(ExpenseControlOutputSerializer)
    def get_expense_control(self, obj) -> dict:
        return ExpenseControlOutputSerializer(
            {
                "available": obj["allowance_visible"],
                "approved": obj["expenses_approved"],
                "allowance": obj["expense_allowance"],
                "excess": obj["expense_excess"],
                "used": obj["expense_used"],
            }
        ).data


class FeedbackInputSerializer(serializers.Serializer):
    feedback = serializers.CharField()


ID_PARAM = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="salesperson's user id")
PERIOD_PARAMS = [
    OpenApiParameter("period_type", OpenApiTypes.STR, enum=PeriodType.values, required=False),
    OpenApiParameter("period_start", OpenApiTypes.DATE, required=False),
]


class EvaluationViewSet(viewsets.ViewSet):
    """Evaluation figures (表現評估) per salesperson for a period (default: this month), computed live in a fixed
    number of queries; the id is the salesperson's user id."""

    def _period(self, request) -> tuple[str, dt.date]:
        src = request.data if request.method == "POST" else request.query_params
        return parse_period(src.get("period_type"), src.get("period_start"), today=timezone.localdate())

    def _rows(self, people, period_type, start):
        figures = evaluation_figures(
            user_ids=[p.pk for p in people], period_type=period_type, period_start=start, viewer=self.request.user
        )
        rows = []
        for p in people:
            data = figures[p.pk].__dict__.copy()
            data["salesperson_name"] = p.get_full_name()
            rows.append(data)
        return rows

    @extend_schema(parameters=PERIOD_PARAMS, responses={200: FiguresOutputSerializer(many=True)})
    def list(self, request):
        period_type, start = self._period(request)
        people = list(people_in_scope(request.user).order_by("unit_id", "full_name", "id"))
        return Response(FiguresOutputSerializer(self._rows(people, period_type, start), many=True).data)

    @extend_schema(parameters=[ID_PARAM, *PERIOD_PARAMS], responses={200: FiguresOutputSerializer})
    def retrieve(self, request, pk=None):
        person = get_object_or_404(people_in_scope(request.user), pk=pk)
        period_type, start = self._period(request)
        return Response(FiguresOutputSerializer(self._rows([person], period_type, start)[0]).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request=inline_serializer(
            "EvaluationFeedbackInput",
            {
                "feedback": serializers.CharField(),
                "period_type": serializers.ChoiceField(choices=PeriodType.choices, required=False),
                "period_start": serializers.DateField(required=False),
            },
        ),
        responses={200: FiguresOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        person = get_object_or_404(people_in_scope(request.user), pk=pk)
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period_type, start = self._period(request)
        evaluation_give_feedback(
            actor=request.user,
            salesperson=person,
            period_type=period_type,
            period_start=start,
            feedback=data.validated_data["feedback"],
        )
        return Response(FiguresOutputSerializer(self._rows([person], period_type, start)[0]).data)


# --------------------------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------------------------
def _dashboard_response(request) -> Response:
    """The figures behind the dashboard's charts, for the caller's scope.

    Behind the dashboard's cache the answer itself is cached too, under the dashboard's key (which holds the
    language). Profiled: unpickling the dashboard and turning it into JSON types was most of a cached request's
    time."""
    kwargs = DashboardQuery.from_query(request.query_params).as_kwargs()
    key = dashboard_cache_key(user=request.user, **kwargs)
    answer_key = f"{key}:api" if key else None
    if answer_key and (answer := cache.get(answer_key)) is not None:
        return Response(answer)
    try:
        data = dashboard_cached(user=request.user, key=key, **kwargs)
    except ScopeNotFound:
        raise Http404 from None
    answer = _dashboard_answer(data)
    if answer_key:
        cache.set(answer_key, answer, getattr(settings, "REPORTS_DASHBOARD_CACHE_SECONDS", 120))
    return Response(answer)


def _dashboard_answer(data) -> dict:
    scope = data.scope
    return {
        "scope": {
            "level": scope.level,
            "label": scope.label,
            "unit": scope.unit.pk if scope.unit else None,
            "salesperson": scope.salesperson.pk if scope.salesperson else None,
            "customer": scope.customer.pk if scope.customer else None,
        },
        "today": data.today,
        "as_of": data.as_of,
        "receivables_as_of": data.receivables_as_of,
        "period": data.period,
        "refreshed_at": data.refreshed_at,
        "periods": [_jsonable(p.__dict__) for p in data.periods],
        "trend": _jsonable(data.trend),
        "overdue": _jsonable(data.overdue),
        "ranking": _jsonable(data.ranking),
        "units": _jsonable(data.units),
        "top_customers": _jsonable(data.top_customers),
        "breakdowns": _jsonable(data.breakdowns),
    }


def _jsonable(value):
    """Decimals as strings (money is never a float), dates as ISO strings."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- the units' own report cut-off (實施細則): accounts.unit_policy_api, as on the page reports:unit_rules ---------


class UnitReportPolicyOutputSerializer(unit_policy_api.UnitPolicyOutputSerializer):
    """A unit's own daily-report cut-off; empty values keep the company's report policy."""

    workflow = UNIT_POLICY

    class Meta:
        model = UnitReportPolicy
        fields = [*unit_policy_api.HEAD_FIELDS, *UnitReportPolicy.OVERRIDES, *unit_policy_api.TAIL_FIELDS]


class UnitReportPolicyInputSerializer(unit_policy_api.UnitPolicyInputSerializer):
    cutoff_days = serializers.IntegerField(min_value=0, max_value=31, required=False, allow_null=True)
    cutoff_time = serializers.TimeField(required=False, allow_null=True)


@extend_schema_view(
    create=extend_schema(request=UnitReportPolicyInputSerializer, responses={201: UnitReportPolicyOutputSerializer}),
    approve=extend_schema(request=None, responses=UnitReportPolicyOutputSerializer),
    reject=extend_schema(
        request=unit_policy_api.UnitPolicyRejectInputSerializer, responses=UnitReportPolicyOutputSerializer
    ),
)
class UnitReportPolicyViewSet(unit_policy_api.UnitPolicyViewSet):
    """A unit's own daily-report cut-off (實施細則): its manager or an admin proposes (a new row each time: the
    history stays), the GM office approves or rejects with a reason."""

    model = UnitReportPolicy
    output_serializer = UnitReportPolicyOutputSerializer
    input_serializer = UnitReportPolicyInputSerializer
    propose = unit_report_policy_propose
    approve_service = unit_report_policy_approve
    reject_service = unit_report_policy_reject


def register(router) -> None:
    router.register("daily-reports", DailyReportViewSet, basename="daily-report")
    router.register("plans", PlanViewSet, basename="plan")
    router.register("targets", TargetViewSet, basename="target")
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("dashboard", DashboardViewSet, basename="dashboard")
    router.register("unit-report-policies", UnitReportPolicyViewSet, basename="unit-report-policy")


class DashboardViewSet(viewsets.ViewSet):
    """The figures behind the dashboard's charts for the caller's scope (drill down with unit, salesperson,
    customer), read from the summary tables: a fixed number of queries whatever the size of the company."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year"], required=False),
            OpenApiParameter("unit", OpenApiTypes.INT, required=False),
            OpenApiParameter("salesperson", OpenApiTypes.INT, required=False),
            OpenApiParameter("customer", OpenApiTypes.INT, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        return _dashboard_response(request)
