from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Role, User
from core.datetimes import DbDateTimeFormField
from core.periods import month_start

from . import permissions
from .fields import CARD_FIELDS, CONTACT_LOG_NOTE_FIELDS, STRATEGY_FIELDS
from .imports import MAX_BYTES
from .models import (
    Contact,
    ContactKind,
    ContactLog,
    CreditRating,
    Customer,
    CustomerStrategy,
    ObjectionTag,
    SignalTag,
)


def _helper(submit_label, *layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit_label, css_class="btn-primary"))
    return helper


class CustomerForm(forms.ModelForm):
    phone = PhoneNumberField(label=_("Phone"), required=False, region="TW")
    credit_rating = forms.ChoiceField(
        label=_("Credit rating"), choices=[("", "---------"), *CreditRating.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to register for yourself (GM office: to put the customer in the pool)."),
    )

    class Meta:
        model = Customer
        fields = list(CARD_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "member_benefits": forms.Textarea(attrs={"rows": 2}),
            "member_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "member_renews_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user: User, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["credit_limit"].required = False
        owners = User.objects.filter(is_active=True, role__in=[Role.SALESPERSON, Role.MANAGER])
        if creating and (user.is_company_wide or user.is_manager):
            if user.is_manager and not user.is_company_wide:
                owners = owners.filter(unit_id__in=user.team_unit_ids)
            self.fields["owner"].queryset = owners.order_by("full_name", "username")
        else:
            del self.fields["owner"]
        instance = self.instance if self.instance.pk else None
        may_set_credit = user.is_company_wide or user.is_manager
        if instance is not None:
            may_set_credit = permissions.can_set_credit(user, instance)
        if not may_set_credit:
            for name in ("credit_rating", "credit_limit", "is_trusted"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by the department manager, GM office or finance.")
        self.helper = _helper(
            _("Save"),
            Row(
                Column("name", css_class="col-md-6"),
                Column("short_name", css_class="col-md-3"),
                Column("tax_id", css_class="col-md-3"),
            ),
            Row(
                Column("phone", css_class="col-md-3"),
                Column("email", css_class="col-md-3"),
                Column("region", css_class="col-md-3"),
                Column("industry", css_class="col-md-3"),
            ),
            Row(Column("address", css_class="col-md-6"), Column("delivery_address", css_class="col-md-6")),
            Row(
                Column("source", css_class="col-md-3"),
                Column("status", css_class="col-md-3"),
                Column("tier", css_class="col-md-3"),
                Column("member_level", css_class="col-md-3"),
            ),
            Row(
                Column("member_since", css_class="col-md-3"),
                Column("member_renews_on", css_class="col-md-3"),
                Column("member_benefits", css_class="col-md-6"),
            ),
            Row(
                Column("credit_rating", css_class="col-md-3"),
                Column("credit_limit", css_class="col-md-3"),
                Column("is_trusted", css_class="col-md-6 pt-md-4"),
            ),
            *(["owner"] if "owner" in self.fields else []),
            Field("notes"),
        )

    def clean(self):
        data = super().clean()
        if data.get("tier") != "member" and data.get("member_level"):
            self.add_error("member_level", _("Only member customers have a member level."))
        since, renews = data.get("member_since"), data.get("member_renews_on")
        if since and renews and renews < since:
            self.add_error("member_renews_on", _("The renewal date cannot be before the member-since date."))
        return data

    def _post_clean(self):
        # Validation of the model (constraints, uniqueness) is the service's job.
        pass

    def card_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in CARD_FIELDS if name in self.cleaned_data}
        for name in ("credit_rating", "credit_limit", "is_trusted"):
            if self.fields[name].disabled:
                data.pop(name, None)
        data["phone"] = str(data.get("phone") or "")
        return data


class ContactForm(forms.ModelForm):
    phone = PhoneNumberField(label=_("Phone"), required=False, region="TW")

    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Save"),
            Row(Column("name", css_class="col-md-6"), Column("title", css_class="col-md-6")),
            Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "is_primary",
            "notes",
        )

    def _post_clean(self):
        pass

    def contact_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["phone"] = str(data.get("phone") or "")
        return data


class ContactLogForm(forms.ModelForm):
    happened_at = DbDateTimeFormField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    signal_tags = forms.MultipleChoiceField(
        label=_("Signal tags"), choices=SignalTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    objection_tags = forms.MultipleChoiceField(
        label=_("Objection tags"), choices=ObjectionTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ContactLog
        fields = ["kind", "happened_at", "contact", *CONTACT_LOG_NOTE_FIELDS]
        widgets = {
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "buying_signals": forms.Textarea(attrs={"rows": 2}),
            "objections": forms.Textarea(attrs={"rows": 2}),
            "next_step_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customer: Customer, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("happened_at", timezone.localtime().replace(second=0, microsecond=0))
        kwargs["initial"].setdefault("kind", ContactKind.VISIT)
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.helper = _helper(
            _("Save"),
            Row(
                Column("kind", css_class="col-md-3"),
                Column("happened_at", css_class="col-md-4"),
                Column("contact", css_class="col-md-5"),
            ),
            "purpose",
            "outcome",
            Row(
                Column("buying_signals", Div("signal_tags", css_class="small"), css_class="col-md-6"),
                Column("objections", Div("objection_tags", css_class="small"), css_class="col-md-6"),
            ),
            Row(Column("next_step", css_class="col-md-8"), Column("next_step_date", css_class="col-md-4")),
        )

    def _post_clean(self):
        pass


class StrategyForm(forms.ModelForm):
    class Meta:
        model = CustomerStrategy
        fields = list(STRATEGY_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ["objectives", "decision_makers", "needs", "competitors", "approach", "action_plan"]
        } | {"review_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))

    def _post_clean(self):
        pass


SCORES = [(i, str(i)) for i in range(1, 6)]


class EvaluationForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    )
    enthusiasm = forms.TypedChoiceField(label=_("Enthusiasm"), choices=SCORES, coerce=int)
    credit = forms.TypedChoiceField(label=_("Credit"), choices=SCORES, coerce=int)
    capability = forms.TypedChoiceField(label=_("Capability"), choices=SCORES, coerce=int)
    price_discipline = forms.TypedChoiceField(label=_("Price discipline"), choices=SCORES, coerce=int)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("month", month_start(timezone.localdate()))
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _("Save"),
            Row(
                Column("month", css_class="col-md-4"),
                Column("enthusiasm", css_class="col-6 col-md-2"),
                Column("credit", css_class="col-6 col-md-2"),
                Column("capability", css_class="col-6 col-md-2"),
                Column("price_discipline", css_class="col-6 col-md-2"),
            ),
            "comment",
        )


class ReassignForm(forms.Form):
    new_owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(is_active=True, role__in=[Role.SALESPERSON, Role.MANAGER])
        if not user.is_company_wide:
            owners = owners.filter(unit_id__in=user.team_unit_ids)
        self.fields["new_owner"].queryset = owners.order_by("full_name", "username")
        self.helper = _helper(_("Reassign"))


class ConflictReassignForm(forms.Form):
    """The GM office's confirmation of a 碰車 reassignment: the reason is required and kept in the ownership log."""

    reason = forms.CharField(
        label=_("Reason for the reassignment"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Both salespeople and the first owner's manager read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Yes, give the customer to the claimant"))
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason for the reassignment."))
        return reason


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_("One customer per row, with a header row."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Preview (dry run)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if f.size > MAX_BYTES:  # checked on the upload's size, before a byte of it is read
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
        return f
