from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SalesUnit, User
from .services import two_factor_reset, user_set_role

# django-otp's own device admin shows each device's secret key and QR code: no one but the user may see those.
# Admins reset a user's two-factor from the user list instead (the action below).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(SalesUnit)
class SalesUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "manager"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["manager"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "language", "two_factor_enabled", "is_active"]
    list_filter = ["role", "unit", "is_active", "two_factor_enabled"]
    readonly_fields = ["two_factor_enabled"]
    actions = ["reset_two_factor"]
    list_select_related = ["unit"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Sales organisation"), {"fields": ("full_name", "role", "unit", "language", "phone")}),
        (_("Two-factor authentication"), {"fields": ("two_factor_enabled",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Sales organisation"), {"fields": ("full_name", "role", "unit", "language")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=obj.role)

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        users = list(queryset.filter(two_factor_enabled=True))
        for user in users:
            two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user: they set it up again after signing in.",
                "Two-factor authentication reset for %(count)d users: they set it up again after signing in.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
