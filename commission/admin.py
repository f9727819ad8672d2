from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    ClosedMonth,
    CommissionCorrection,
    CommissionRuleSet,
    CommissionStatement,
    ContractCost,
    CooperationBonus,
    ExpenseClaim,
    MarketFundEntry,
    MarketFundSpend,
)
from .services import RULE_SET_FIELDS


class RuleSetAdminForm(forms.ModelForm):
    class Meta:
        model = CommissionRuleSet
        fields = [*RULE_SET_FIELDS]

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day <= timezone.localdate():
            raise forms.ValidationError(_("A new rule set starts after today: the rules in force never change."))
        return day


@admin.register(CommissionRuleSet)
class CommissionRuleSetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "effective_from",
        "commission_percent",
        "retention_hold_percent",
        "expense_margin_threshold_percent",
        "market_fund_percent",
    ]
    ordering = ["-effective_from"]

    # The version in force and the past ones decided paid statements: read-only here as on the rules page.
    def _scheduled(self, obj) -> bool:
        return obj is None or obj.effective_from > timezone.localdate()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._scheduled(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._scheduled(obj)

    form = RuleSetAdminForm


@admin.register(ContractCost)
class ContractCostAdmin(admin.ModelAdmin):
    list_display = ["contract", "cost", "recorded_by", "updated_at"]
    autocomplete_fields = ["contract", "recorded_by"]


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(admin.ModelAdmin):
    list_display = ["contract", "claimant", "kind", "amount", "incurred_on", "status", "decided_by", "decided_on"]
    list_filter = ["status", "kind"]
    autocomplete_fields = ["contract", "claimant", "decided_by"]


@admin.register(CooperationBonus)
class CooperationBonusAdmin(admin.ModelAdmin):
    list_display = ["contract", "staff", "rate_percent", "basis"]
    autocomplete_fields = ["contract", "staff"]


@admin.register(ClosedMonth)
class ClosedMonthAdmin(admin.ModelAdmin):
    list_display = ["month", "closed_at", "closed_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommissionStatement)
class CommissionStatementAdmin(admin.ModelAdmin):
    list_display = ["month", "salesperson", "unit", "net", "closed_at"]
    list_filter = ["month"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CommissionCorrection)
class CommissionCorrectionAdmin(admin.ModelAdmin):
    list_display = ["month", "salesperson", "kind", "amount", "contract", "reason", "recorded_by"]
    list_filter = ["month", "kind"]
    autocomplete_fields = ["salesperson", "contract", "recorded_by"]

    def has_add_permission(self, request):
        return False  # through the statement page, which checks that the month is open

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MarketFundEntry)
class MarketFundEntryAdmin(admin.ModelAdmin):
    """The fund's ledger: read-only (append-only lines, written by the services)."""

    list_display = ["month", "unit", "kind", "amount", "sales_base", "rate_percent", "recorded_at"]
    list_filter = ["kind", "unit", "month"]
    list_select_related = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MarketFundSpend)
class MarketFundSpendAdmin(admin.ModelAdmin):
    """Spending requests: decided on the fund page (the GM office), never edited here."""

    list_display = ["created_at", "unit", "purpose", "amount", "status", "requested_by", "decided_by"]
    list_filter = ["status", "purpose", "unit"]
    list_select_related = ["unit", "requested_by", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
