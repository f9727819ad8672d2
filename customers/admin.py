from django.contrib import admin

from .models import Contact, ContactLog, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "tax_id", "owner", "unit", "status", "tier"]
    list_filter = ["status", "tier", "unit", "region"]
    search_fields = ["name", "short_name", "tax_id", "phone"]
    list_select_related = ["owner", "unit"]
    raw_id_fields = ["owner"]
    inlines = [ContactInline]


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["customer", "author", "kind", "happened_at", "next_step_date"]
    list_filter = ["kind"]
    list_select_related = ["customer", "author"]
    raw_id_fields = ["customer", "author", "contact"]
