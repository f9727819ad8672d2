"""Django admin: reference data (products, price lists, levels, settings) for admins. Workflow state (contract
status, approvals, history, payments) is read-only here: it changes only through the sales services."""

from django.contrib import admin

from customers.admin import CustomerLabelMixin

from .models import (
    Contract,
    ContractApproval,
    ContractEvent,
    ContractLine,
    DiscountAuthority,
    Invoice,
    Payment,
    PriceInquiry,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
    SalesLevel,
    SalesMethod,
    SalesPolicy,
    SettlementMethod,
    Shipment,
)


class AppendOnlyAdmin(admin.ModelAdmin):
    """History rows: add new ones, never edit or delete (corrections are new rows)."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "category", "unit_of_measure", "is_active", "needs_price_inquiry"]
    search_fields = ["code", "name", "name_en"]
    list_filter = ["category", "is_active", "needs_price_inquiry"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    raw_id_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["name", "producing_unit", "effective_from", "issued_by"]
    date_hierarchy = "effective_from"
    inlines = [PriceListItemInline]
    raw_id_fields = ["issued_by"]


@admin.register(SalesLevel)
class SalesLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    filter_horizontal = ["members"]


@admin.register(DiscountAuthority)
class DiscountAuthorityAdmin(AppendOnlyAdmin):
    list_display = ["user", "level", "max_discount_percent", "effective_from", "set_by", "created_at"]
    list_filter = ["level"]
    raw_id_fields = ["user", "set_by"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ["set_by"]


@admin.register(SalesPolicy)
class SalesPolicyAdmin(AppendOnlyAdmin):
    list_display = [
        "effective_from",
        "margin_review_percent",
        "prepayment_threshold",
        "filing_days",
        "quote_valid_days",
        "default_discount_percent",
        "set_by",
    ]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ["set_by"]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ContractLine._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(CustomerLabelMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "owner", "unit", "status", "signed_on", "filed_on", "amount"]
    list_filter = ["status", "unit", "basis"]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer", "owner", "unit"]
    autocomplete_fields = ["customer", "owner", "quote"]
    readonly_fields = [
        "status",
        "amount",
        "cost_total",
        "review_round",
        "submitted_at",
        "approved_at",
        "signed_on",
        "filing_due_on",
        "filed_on",
        "po_consent_by",
        "po_consent_at",
        "rejection_reason",
    ]
    inlines = [ContractLineInline]


@admin.register(ContractApproval)
class ContractApprovalAdmin(ReadOnlyAdmin):
    list_display = ["contract", "round", "approver_role", "decision", "decided_by", "decided_at"]
    list_filter = ["approver_role", "decision"]


@admin.register(ContractEvent)
class ContractEventAdmin(ReadOnlyAdmin):
    list_display = ["contract", "at", "actor", "action", "from_status", "to_status"]
    list_filter = ["action"]


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    readonly_fields = [f.name for f in QuoteLine._meta.fields]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quote)
class QuoteAdmin(CustomerLabelMixin, ReadOnlyAdmin):
    list_display = ["number", "kind", "customer", "owner", "status", "amount"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "customer__name"]
    inlines = [QuoteLineInline]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["contract", "shipped_on", "amount", "note"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["contract", "paid_on", "amount", "kind", "recorded_by"]
    list_filter = ["kind"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "contract", "issued_on", "amount"]


class MethodListAdmin(admin.ModelAdmin):
    """結算方式 / 銷售方式 lists: deactivate an entry rather than delete it (quotes and contracts keep theirs)."""

    list_display = ["code", "name", "name_en", "position", "is_active", "is_default"]
    list_editable = ["name", "name_en", "position", "is_active", "is_default"]
    search_fields = ["code", "name", "name_en"]

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(SettlementMethod, MethodListAdmin)
admin.site.register(SalesMethod, MethodListAdmin)


@admin.register(PriceInquiry)
class PriceInquiryAdmin(ReadOnlyAdmin):
    """Written price inquiries change only through the sales services (ask, answer, attach, withdraw)."""

    list_display = ["number", "product", "requesting_unit", "producing_unit", "status", "price", "valid_until"]
    list_filter = ["status"]
    search_fields = ["number", "product__code"]
