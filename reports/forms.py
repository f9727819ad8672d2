from __future__ import annotations

from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit
from sales.models import Product

from .models import DailyReport, MarketTrend, PeriodType, Plan, PlanKind, PriceTier, TargetKind, Weekday


class DailyReportForm(forms.ModelForm):
    """The daily report, laid out for a phone: one column, big text areas, two buttons."""

    class Meta:
        model = DailyReport
        fields = [
            "activities",
            "results",
            "problems",
            "problem_urgent",
            "market_trend",
            "market_notes",
            "plan_tomorrow",
        ]
        widgets = {
            "activities": forms.Textarea(attrs={"rows": 5}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "market_notes": forms.Textarea(attrs={"rows": 2}),
            "plan_tomorrow": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "activities": _("Pre-filled from today's contact log; correct or add to it."),
            "market_notes": _("Trends, prices and products seen in the market."),
            "problem_urgent": _("Your manager is told when you save, and answers with a review or a comment."),
        }

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market_trend"].choices = [("", "—"), *MarketTrend.choices]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "activities",
            "results",
            "problems",
            "problem_urgent",
            "market_trend",
            "market_notes",
            "plan_tomorrow",
        )
        if locked:
            for field in self.fields.values():
                field.disabled = True


class MarketPriceForm(forms.Form):
    """One competitor price seen (the structure of the field app's market reports too)."""

    competitor = forms.CharField(label=_("Competitor"), max_length=100, required=False)
    competitor_product = forms.CharField(label=_("Their product"), max_length=100, required=False)
    product = forms.ModelChoiceField(label=_("Our comparable product"), queryset=Product.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("Price tier"), choices=[("", "—"), *PriceTier.choices], required=False)
    price = forms.DecimalField(
        label=_("Price"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.filter(is_active=True).order_by(
            "code"
        )

    def clean(self):
        data = super().clean()
        if (data.get("price") is not None or data.get("tier") or data.get("product")) and not data.get("competitor"):
            self.add_error("competitor", _("Name the competitor whose price this is."))
        if data.get("price") is not None and not data.get("tier"):
            self.add_error("tier", _("Say whether the price is second-tier or retail."))
        return data


MarketPriceFormSet = forms.formset_factory(MarketPriceForm, extra=2, max_num=20)


def market_price_initial(prices) -> list[dict]:
    return [
        {
            "competitor": p.competitor,
            "competitor_product": p.competitor_product,
            "product": p.product_id,
            "tier": p.tier,
            "price": p.price,
        }
        for p in prices
    ]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "period_start", "goals", "actions", "key_points_next", "sales_goal", "visits_goal"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 5}),
            "key_points_next": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PlanKind.choices
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-6"), Column("period_start", css_class="col-md-6")),
            "goals",
            "actions",
            "key_points_next",
            Row(Column("sales_goal", css_class="col-md-6"), Column("visits_goal", css_class="col-md-6")),
            Submit("save", _("Save")),
        )

    def validate_unique(self):
        """The service upserts by (author, kind, period)."""


class RouteForm(forms.Form):
    def __init__(self, *args, customers, initial_days: dict[int, list[int]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.pk, str(c)) for c in customers]
        for value, label in Weekday.choices:
            self.fields[f"day_{value}"] = forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=initial_days.get(value, []),
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save routes")))


class ForecastForm(forms.Form):
    month = forms.DateField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"])
    amount = forms.DecimalField(label=_("Expected sales"), max_digits=14, decimal_places=2, min_value=0)
    confidence = forms.IntegerField(label=_("Confidence (%)"), min_value=0, max_value=100, initial=50)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("month", css_class="col-6 col-md-3"),
                Column("amount", css_class="col-6 col-md-3"),
                Column("confidence", css_class="col-6 col-md-2"),
                Column("note", css_class="col-6 col-md-4"),
            ),
            Submit("save", _("Save forecast")),
        )


class TargetForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Sales unit"), queryset=SalesUnit.objects.none(), required=False, empty_label=_("Whole company")
    )
    kind = forms.ChoiceField(
        label=_("Target kind"), choices=TargetKind.choices, initial=TargetKind.SALES, required=False
    )
    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Target amount"), max_digits=14, decimal_places=2, min_value=0)
    quantity = forms.DecimalField(label=_("Target quantity"), max_digits=14, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or TargetKind.SALES

    def __init__(self, *args, units, allow_company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].required = not allow_company
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save target")))


class SplitRowForm(forms.Form):
    """One part of a target's split: who or what (picked, never typed as a code) and the amount."""

    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )

    def __init__(self, *args, dimension: str, choices=None, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension = dimension
        if dimension == "customer":
            from sales.forms import CustomerPickerField

            key: forms.Field = CustomerPickerField(label=_("Customer"), queryset=customers)
            key.widget.attrs["class"] = "form-select form-select-sm"
        else:
            key = forms.ChoiceField(
                label=SPLIT_LABELS.get(dimension, _("Part")),
                choices=[("", "---------"), *(choices or [])],
                widget=forms.Select(attrs={"class": "form-select form-select-sm", "data-picker": "local"}),
            )
        self.fields = {"key": key, **self.fields}

    def key_value(self) -> str:
        key = self.cleaned_data["key"]
        return str(key.pk) if hasattr(key, "pk") else str(key)


SPLIT_LABELS = {
    "product": _("Product"),
    "region": _("Region"),
    "salesperson": _("Salesperson"),
    "settlement": _("Settlement method"),
}


class BaseSplitFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE") or form.cleaned_data.get("key") in (None, ""):
                continue
            value = form.key_value()
            if value in seen:
                form.add_error("key", _("Listed twice."))
            seen.add(value)

    def rows(self) -> list[tuple[str, object]]:
        return [
            (f.key_value(), f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("key") not in (None, "")
        ]


SplitFormSet = forms.formset_factory(
    SplitRowForm, formset=BaseSplitFormSet, extra=0, can_delete=True, max_num=500, validate_max=True
)


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX workbook"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("import", _("Import")))


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label=_("Feedback to the salesperson"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save feedback")))


class BonusScoreForm(forms.Form):
    """The judged factors of one salesperson's year, 0–100 each (empty = not scored yet)."""

    salesperson = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    quality = forms.DecimalField(
        label=_("Professional quality"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    satisfaction = forms.DecimalField(
        label=_("Customer satisfaction"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    market_share = forms.DecimalField(
        label=_("Market share"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class BonusWeightsForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    sales_weight = forms.DecimalField(label=_("Sales performance (%)"), min_value=0, max_value=100, decimal_places=2)
    quality_weight = forms.DecimalField(
        label=_("Professional quality (%)"), min_value=0, max_value=100, decimal_places=2
    )
    satisfaction_weight = forms.DecimalField(
        label=_("Customer satisfaction (%)"), min_value=0, max_value=100, decimal_places=2
    )
    market_share_weight = forms.DecimalField(label=_("Market share (%)"), min_value=0, max_value=100, decimal_places=2)
    company_weight = forms.DecimalField(label=_("Company results (%)"), min_value=0, max_value=100, decimal_places=2)
    fund_share_percent = forms.DecimalField(
        label=_("Year-end part of the fund (%)"), min_value=0, max_value=100, decimal_places=2
    )

    def clean(self):
        data = super().clean()
        names = ["sales_weight", "quality_weight", "satisfaction_weight", "market_share_weight", "company_weight"]
        if all(data.get(n) is not None for n in names):
            total = sum(data[n] for n in names)
            if total != 100:
                self.add_error(
                    "sales_weight",
                    _("The weights add up to %(total)s %%; they must add up to 100 %%.") % {"total": total},
                )
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "bonus-weights-form"
        self.helper.add_input(Submit("weights", _("Save weights")))


class ReviewForm(forms.Form):
    """The manager's review: each item scored 0–100 (weights set by the admin) and a written summary."""

    obedience = forms.IntegerField(label=_("Obedience to management"), min_value=0, max_value=100)
    planning = forms.IntegerField(label=_("Market planning"), min_value=0, max_value=100)
    progress = forms.IntegerField(label=_("Progress"), min_value=0, max_value=100)
    service = forms.IntegerField(label=_("After-sale service quality"), min_value=0, max_value=100)
    profit = forms.IntegerField(label=_("Profit contribution"), min_value=0, max_value=100)
    feedback = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("obedience", "planning", "progress", "service", "profit"):
            self.fields[name].widget.attrs.update(inputmode="numeric")
            if weights and name in weights:
                self.fields[name].help_text = _("weight %(weight)s %%") % {"weight": f"{weights[name].normalize():f}"}
        self.helper = FormHelper()
        self.helper.form_id = "review-form"
        self.helper.add_input(Submit("save", _("Save review")))


class ImprovementForm(forms.Form):
    """An improvement point: what, who, by when."""

    text = forms.CharField(
        label=_("Improvement point"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    due_on = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.helper = FormHelper()
        self.helper.form_id = "improvement-form"
        self.helper.add_input(Submit("add", _("Add improvement point")))


class LessonForm(forms.Form):
    """A successful case for the team: title, what worked, and the customer and/or contract it came from."""

    unit = forms.ModelChoiceField(label=_("Sales unit"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("What worked"), widget=forms.Textarea(attrs={"rows": 6}))
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, required=False)
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, required=False)

    def __init__(self, *args, units=None, customers=None, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["customer"].queryset = customers
        self.fields["contract"].queryset = contracts
        self.helper = FormHelper()
        self.helper.form_id = "lesson-form"
        self.helper.add_input(Submit("publish", _("Publish to the team")))
