from django.contrib import admin

from .models import (
    BonusScore,
    BonusWeights,
    CalendarDay,
    DailyReport,
    Evaluation,
    Forecast,
    ImprovementPoint,
    Lesson,
    Plan,
    ReportComment,
    ReportPolicy,
    ReviewScore,
    ReviewWeights,
    SummaryState,
    Target,
    TargetLine,
    VisitRoute,
)


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0


class ImprovementPointInline(admin.TabularInline):
    model = ImprovementPoint
    extra = 0
    raw_id_fields = ["owner", "closed_by"]


class ReportCommentInline(admin.TabularInline):
    model = ReportComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ["date", "author", "unit", "submitted_at", "deadline", "reviewed_at"]
    list_filter = ["unit", "date"]
    list_select_related = ["author", "unit"]
    raw_id_fields = ["author", "reviewed_by"]
    search_fields = ["author__username", "author__full_name", "results", "problems"]
    inlines = [ReportCommentInline]


@admin.register(ReportPolicy)
class ReportPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "cutoff_days", "cutoff_time", "working_weekdays"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working", "name"]
    list_filter = ["is_working"]
    date_hierarchy = "date"


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["period_start", "kind", "author", "unit"]
    list_filter = ["kind", "unit"]
    list_select_related = ["author", "unit"]
    raw_id_fields = ["author"]


@admin.register(VisitRoute)
class VisitRouteAdmin(admin.ModelAdmin):
    list_display = ["owner", "weekday", "position", "customer"]
    list_select_related = ["owner", "customer"]
    raw_id_fields = ["owner", "customer"]


@admin.register(Forecast)
class ForecastAdmin(admin.ModelAdmin):
    list_display = ["owner", "month", "amount", "confidence"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


class TargetLineInline(admin.TabularInline):
    model = TargetLine
    extra = 0
    raw_id_fields = ["product", "customer", "salesperson"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["period_start", "period_type", "kind", "unit", "amount"]
    list_filter = ["kind", "period_type", "unit"]
    list_select_related = ["unit"]
    raw_id_fields = ["created_by"]
    inlines = [TargetLineInline]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["period_start", "period_type", "salesperson", "feedback_by", "feedback_at"]
    list_select_related = ["salesperson", "feedback_by"]
    raw_id_fields = ["salesperson", "feedback_by"]
    inlines = [ReviewScoreInline, ImprovementPointInline]


@admin.register(ReviewWeights)
class ReviewWeightsAdmin(admin.ModelAdmin):
    """The admin sets the scored items' weights here; the model's clean() requires them to sum to 100 %."""

    list_display = ["effective_from", "obedience", "planning", "progress", "service", "profit"]


@admin.register(SummaryState)
class SummaryStateAdmin(admin.ModelAdmin):
    list_display = ["name", "refreshed_at", "duration_ms"]


@admin.register(BonusWeights)
class BonusWeightsAdmin(admin.ModelAdmin):
    """Year-end bonus weights: the model's clean() refuses weights that do not add up to 100 %."""

    list_display = [
        "effective_from",
        "sales_weight",
        "quality_weight",
        "satisfaction_weight",
        "market_share_weight",
        "company_weight",
        "fund_share_percent",
    ]


@admin.register(BonusScore)
class BonusScoreAdmin(admin.ModelAdmin):
    list_display = ["year", "salesperson", "quality", "satisfaction", "market_share", "scored_by"]
    list_filter = ["year"]
    list_select_related = ["salesperson", "scored_by"]
    raw_id_fields = ["salesperson", "scored_by"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["created_at", "unit", "author", "title"]
    list_select_related = ["unit", "author"]
    raw_id_fields = ["author", "customer", "contract"]
