from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sales.models import Product

from .models import GoalDimension, PriceTier, ReportKind


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    activities = forms.CharField(label=_("Activities"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)
    budget = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2, min_value=0)


class GoalForm(forms.Form):
    dimension = forms.ChoiceField(label=_("By"), choices=GoalDimension.choices, required=False)
    key = forms.CharField(label=_("What"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Sales goal"), max_digits=14, decimal_places=2, min_value=0, required=False)

    def clean(self):
        data = super().clean()
        filled = [bool(data.get("key")), data.get("amount") is not None]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give both what the goal is about and its amount."))
        return data


GoalFormSet = forms.formset_factory(GoalForm, extra=4, max_num=20)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=60, required=False)
    competitors_seen = forms.CharField(
        label=_("Competitors seen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    new_products = forms.CharField(
        label=_("New products seen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    stock = forms.CharField(label=_("Stock"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    display = forms.CharField(label=_("Display"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    channel_conflict = forms.BooleanField(label=_("Channel conflict (竄貨) seen"), required=False)
    conflict_evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    leads = forms.CharField(label=_("Sales leads"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    urgent_problem = forms.CharField(
        label=_("Problem to report at once"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Filled in: your manager is told now and answers here."),
    )


class PriceForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Our product"), queryset=Product.objects.none(), required=False)
    competitor = forms.CharField(label=_("Competitor"), max_length=100, required=False)
    competitor_product = forms.CharField(label=_("Their product"), max_length=100, required=False)
    tier = forms.ChoiceField(label=_("Price tier"), choices=PriceTier.choices, required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=14, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.filter(is_active=True).order_by(
            "code"
        )

    def clean(self):
        data = super().clean()
        filled = [data.get("product") is not None, bool(data.get("competitor")), data.get("price") is not None]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("A price needs our product, the competitor and the price."))
        return data


PriceFormSet = forms.formset_factory(PriceForm, extra=3, max_num=30)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ActionForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
