from django.contrib import admin

from .models import Attachment, AttachmentEvent, CompanySettings, Dispatch, FilingDesk, FilingReceipt, PurchaseOrder


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ("legal_name_zh", "tax_id", "tax_rate_percent", "updated_at")


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("number", "to", "status", "sent_at", "sent_by", "sha256")
    list_filter = ("status", "document")
    readonly_fields = [f.name for f in Dispatch._meta.fields]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "target", "target_id", "size", "uploaded_by", "created_at", "deleted_at")
    list_filter = ("target",)
    readonly_fields = [f.name for f in Attachment._meta.fields]


@admin.register(AttachmentEvent)
class AttachmentEventAdmin(admin.ModelAdmin):
    list_display = ("attachment", "action", "actor", "at")
    readonly_fields = ("attachment", "action", "actor", "at")


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("po_number", "contract", "signer_name", "signed_on")


@admin.register(FilingDesk)
class FilingDeskAdmin(admin.ModelAdmin):
    list_display = ("department", "role", "user")


@admin.register(FilingReceipt)
class FilingReceiptAdmin(admin.ModelAdmin):
    list_display = ("contract", "department", "confirmed_by", "confirmed_at")
