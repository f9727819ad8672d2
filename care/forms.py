from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import Customer

from .models import CaseKind, CaseSeverity


class CheckupForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[(i, f"{i}") for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 = very satisfied, 1 = very unhappy. A low score opens a case."),
    )
    usage_notes = forms.CharField(
        label=_("How the product is used"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )


class CaseForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=CaseSeverity.choices, initial=CaseSeverity.NORMAL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        customer = cast(forms.ModelChoiceField, self.fields["customer"])
        customer.queryset = Customer.objects.visible_to(user).order_by("name")


class CaseActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("What the colleague should know"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to"]).queryset = colleagues


class ReferralForm(forms.Form):
    referrer = forms.ModelChoiceField(label=_("Referred by"), queryset=Customer.objects.none())

    def __init__(self, *args, user: User, exclude: int, **kwargs):
        super().__init__(*args, **kwargs)
        referrer = cast(forms.ModelChoiceField, self.fields["referrer"])
        referrer.queryset = Customer.objects.visible_to(user).exclude(pk=exclude).order_by("name")


class GatheringForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    cost = forms.DecimalField(label=_("Cost"), max_digits=14, decimal_places=2, min_value=0, required=False)
    customers = forms.ModelMultipleChoiceField(
        label=_("Invited customers"), queryset=Customer.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["customers"])
        field.queryset = Customer.objects.visible_to(user).order_by("name")
