from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit

from .models import DailyReport, MarketTrend, PeriodType, Plan, PlanKind, Weekday


class DailyReportForm(forms.ModelForm):
    """The daily report, laid out for a phone: one column, big text areas, two buttons."""

    class Meta:
        model = DailyReport
        fields = [
            "activities",
            "results",
            "problems",
            "competitor",
            "competitor_product",
            "competitor_price",
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
            "competitor_price": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
        }
        help_texts = {
            "activities": _("Pre-filled from today's contact log; correct or add to it."),
            "market_notes": _("Trends, prices and products seen in the market."),
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
            Row(
                Column("competitor", css_class="col-12 col-md-4"),
                Column("competitor_product", css_class="col-12 col-md-4"),
                Column("competitor_price", css_class="col-6 col-md-2"),
                Column("market_trend", css_class="col-6 col-md-2"),
            ),
            "market_notes",
            "plan_tomorrow",
        )
        if locked:
            for field in self.fields.values():
                field.disabled = True


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
    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Target amount"), max_digits=14, decimal_places=2, min_value=0)
    quantity = forms.DecimalField(label=_("Target quantity"), max_digits=14, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, units, allow_company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].required = not allow_company
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save target")))


class SplitForm(forms.Form):
    """One dimension's split as lines of 'key, amount' (product code, region, customer tax number or id,
    username, settlement method)."""

    dimension = forms.CharField(widget=forms.HiddenInput)
    lines = forms.CharField(
        label=_("Split lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_("One line per part: key, amount."),
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
                self.fields[name].help_text = _("weight %(weight)s %%") % {"weight": weights[name].normalize()}
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
