from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import SalesUnit, User
from .services import user_set_role


@admin.register(SalesUnit)
class SalesUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "manager"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["manager"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "language", "is_active"]
    list_filter = ["role", "unit", "is_active"]
    list_select_related = ["unit"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Sales organisation"), {"fields": ("full_name", "role", "unit", "language", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Sales organisation"), {"fields": ("full_name", "role", "unit", "language")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=obj.role)
