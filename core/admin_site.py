"""The admin site: Django's, with autocomplete pickers that name a record as the pages' pickers do.

A ModelAdmin that defines `autocomplete_label(obj)` has its records listed by that label in every autocomplete
picker that searches it (customers: "C2026-00012 大同紡織", Customer.picker_label) instead of str(obj)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = str(label(obj))
        return result


class CRMAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class CRMAdminConfig(AdminConfig):
    default_site = "core.admin_site.CRMAdminSite"
