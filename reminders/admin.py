from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CustomerMessagingPreference, Delivery, FollowUpRule, Notification, Reminder, ReminderSettings


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "days_after_delivery", "is_active"]
    list_editable = ["days_after_delivery", "is_active"]


@admin.register(CustomerMessagingPreference)
class CustomerMessagingPreferenceAdmin(admin.ModelAdmin):
    list_display = ["customer", "opted_in", "channel", "language", "opted_in_at"]
    list_filter = ["opted_in", "channel", "language"]
    raw_id_fields = ["customer"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "to", "round", "created_at"]
    can_delete = False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["dedup_key", "kind", "audience", "owner", "due_on", "status", "attempts", "state", "sent_at"]
    list_filter = ["kind", "status", "state", "audience"]
    search_fields = ["dedup_key"]
    raw_id_fields = ["owner", "customer", "unit"]
    readonly_fields = ["dedup_key", "channels_done", "sent_at", "attempts", "last_error", "round"]
    inlines = [DeliveryInline]
    actions = ["retry_failed"]

    @admin.action(description=_("Retry failed deliveries"))
    def retry_failed(self, request, queryset):
        n = 0
        for reminder in queryset.filter(status="failed"):
            services.reminder_retry(reminder_id=reminder.pk, actor=request.user)
            n += 1
        self.message_user(request, _("%(n)d reminders queued again.") % {"n": n}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    raw_id_fields = ["user", "reminder"]
