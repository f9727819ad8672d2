from django.contrib import admin

from .models import DailyReport


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ["date", "author", "unit", "submitted_at"]
    list_filter = ["unit", "date"]
    list_select_related = ["author", "unit"]
    raw_id_fields = ["author"]
