import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Contact,
    ContactLog,
    Customer,
    CustomerConflict,
    CustomerIdentity,
    CustomerStrategy,
    MemberLevel,
    MonthlyEvaluation,
    MonthlyFiling,
    OwnershipEvent,
    PoolPolicy,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class IdentityInline(admin.TabularInline):
    model = CustomerIdentity
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "key", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    """Registration, ownership and credit changes go through the pages (services); the admin is for reading
    and for correcting descriptive fields."""

    list_display = ["number", "name", "short_name", "tax_id", "owner", "unit", "status", "tier", "credit_limit"]
    list_filter = ["status", "tier", "unit", "region"]
    search_fields = ["name", "short_name", "tax_id", "phone"]
    list_select_related = ["owner", "unit"]
    raw_id_fields = ["owner"]
    readonly_fields = ["owner", "unit", "owned_since", "release_warned_at", "registered_at"]
    history_list_display = ["owner", "tier", "credit_limit"]
    inlines = [ContactInline, IdentityInline]

    def has_add_permission(self, request):
        return False  # register through the 備案 service so the first-come rule applies

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj):
        return obj.display_number

    def autocomplete_label(self, obj):
        """Autocomplete pickers (core.admin_site) list "C2026-00012 大同紡織", as the pages' pickers do."""
        return obj.picker_label

    def get_search_results(self, request, queryset, search_term):
        """Also find a customer by its number ("C2026-00012", "12"), as the pickers show it."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if match := CUSTOMER_NUMBER.match(search_term or ""):
            results |= queryset.filter(pk=int(match.group(1)))
        return results, may_have_duplicates


CUSTOMER_NUMBER = re.compile(r"^\s*C?\s*(?:\d{4}\s*-\s*)?0*(\d{1,9})\s*$", re.IGNORECASE)


class CustomerLabelMixin:
    """Customer pickers in the admin name the customer "C2026-00012 大同紡織" (Customer.picker_label)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Customer:
            field.label_from_instance = lambda obj: obj.picker_label
        return field


@admin.register(ContactLog)
class ContactLogAdmin(CustomerLabelMixin, admin.ModelAdmin):
    list_display = ["customer", "author", "kind", "happened_at", "next_step_date"]
    list_filter = ["kind"]
    list_select_related = ["customer", "author"]
    autocomplete_fields = ["customer", "author"]
    raw_id_fields = ["contact"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OwnershipEvent)
class OwnershipEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "kind", "from_owner", "to_owner", "actor", "reason"]
    list_filter = ["kind"]
    list_select_related = ["customer", "from_owner", "to_owner", "actor"]


@admin.register(CustomerConflict)
class CustomerConflictAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "claimant", "owner_at_claim", "matched_on", "status", "decided_by"]
    list_filter = ["status", "matched_on"]
    list_select_related = ["customer", "claimant", "owner_at_claim", "decided_by"]


@admin.register(MemberLevel)
class MemberLevelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "discount_percent",
        "free_service_visits",
        "checkup_days",
        "reorder_lead_days",
        "case_due_percent",
    ]
    search_fields = ["name"]


@admin.register(PoolPolicy)
class PoolPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "idle_days", "warning_days"]


@admin.register(MonthlyFiling)
class MonthlyFilingAdmin(ReadOnlyAdmin):
    list_display = ["month", "unit", "filed_by", "filed_at", "customers_count", "new_count", "contacts_count"]
    list_filter = ["unit"]


@admin.register(MonthlyEvaluation)
class MonthlyEvaluationAdmin(admin.ModelAdmin):
    list_display = ["month", "customer", "enthusiasm", "credit", "capability", "price_discipline", "author"]
    raw_id_fields = ["customer", "author"]


@admin.register(CustomerStrategy)
class CustomerStrategyAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "review_on", "updated_by", "updated_at"]
    raw_id_fields = ["customer", "updated_by"]
