from django.contrib import admin

from .models import Contract, ContractLine, Payment, Product, Shipment


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "category", "unit_of_measure", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_filter = ["category", "is_active"]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "owner", "unit", "status", "signed_on", "amount"]
    list_filter = ["status", "unit"]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer", "owner", "unit"]
    raw_id_fields = ["customer", "owner"]
    inlines = [ContractLineInline]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["contract", "shipped_on", "note"]
    raw_id_fields = ["contract"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["contract", "paid_on", "amount", "kind"]
    raw_id_fields = ["contract", "recorded_by"]
