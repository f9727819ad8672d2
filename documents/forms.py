from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from .models import CompanySettings, FilingDepartment, TaxMode

LOGO_TYPES = ("png", "jpg", "jpeg")
LOGO_MAX_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CompanySettingsForm(forms.ModelForm):
    class Meta:
        model = CompanySettings
        fields = [
            "legal_name_zh",
            "legal_name_en",
            "tax_id",
            "address_zh",
            "address_en",
            "phone",
            "logo",
            "bank_account",
            "default_payment_terms",
            "quote_validity_days",
            "tax_rate_percent",
            "prices_include_tax",
        ]
        widgets = {
            "bank_account": forms.Textarea(attrs={"rows": 2}),
            "default_payment_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and getattr(logo, "content_type", None) is not None:
            if PurePath(logo.name).suffix.lower().lstrip(".") not in LOGO_TYPES:
                raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
            if logo.size > LOGO_MAX_BYTES:
                raise forms.ValidationError(_("The logo is too large: at most 2 MB."))
        return logo


class SendForm(forms.Form):
    to = forms.EmailField(label=_("To"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)


class TaxModeForm(forms.Form):
    tax_mode = forms.ChoiceField(label=_("Tax"), choices=TaxMode.choices)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class PurchaseOrderForm(forms.Form):
    po_number = forms.CharField(label=_("Purchase order number"), max_length=64)
    signer_name = forms.CharField(label=_("Signed for the customer by"), max_length=100)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=100, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    scan = forms.FileField(label=_("Scan of the signed purchase order"), required=False)


class FilingDeskForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=FilingDepartment.choices)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("role") and not data.get("user"):
            raise forms.ValidationError(_("Name a user or a role for the department."))
        return data


class StatementForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput(), required=False)
