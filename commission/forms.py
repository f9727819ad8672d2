from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit, User
from sales.models import Contract

from .models import MANUAL_CORRECTION_KINDS, BonusBasis, CommissionRuleSet, ExpenseKind, FundPurpose


class ContractChoiceField(forms.ModelChoiceField):
    """A contract picked by its number and customer: "K2026-0001 · C2026-00012 大同紡織"."""

    def label_from_instance(self, obj):
        return f"{obj.number} · {obj.customer.picker_label}"


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))


class ExpenseClaimForm(forms.Form):
    contract = ContractChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ExpenseKind.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    description = forms.CharField(label=_("Description"), max_length=200)
    incurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.fields["contract"].queryset = contracts.select_related("customer")
        self.helper = FormHelper()
        self.helper.form_id = "expense-form"
        self.helper.add_input(Submit("submit", _("Ask for approval")))


class ExpenseDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ContractCostForm(forms.Form):
    cost = forms.DecimalField(label=_("Cost of goods"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "cost-form"
        self.helper.add_input(Submit("save_cost", _("Save cost")))


class CooperationBonusForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    rate_percent = forms.DecimalField(label=_("Rate (%)"), max_digits=6, decimal_places=3, min_value=Decimal("0.001"))
    basis = forms.ChoiceField(label=_("Basis"), choices=BonusBasis.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.helper = FormHelper()
        self.helper.form_id = "bonus-form"
        self.helper.add_input(Submit("save_bonus", _("Save bonus")))


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in MANUAL_CORRECTION_KINDS])
    amount = forms.DecimalField(label=_("Amount (negative to deduct)"), max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    contract = ContractChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contracts is not None:
            self.fields["contract"].queryset = contracts.select_related("customer")
        self.helper = FormHelper()
        self.helper.form_id = "correction-form"
        self.helper.add_input(Submit("save_correction", _("Add to this statement")))


class RuleSetForm(forms.ModelForm):
    """A version of the commission rules. Only versions starting after today are entered or changed here."""

    class Meta:
        model = CommissionRuleSet
        fields = [
            "name",
            "effective_from",
            "commission_percent",
            "retention_hold_percent",
            "expense_margin_threshold_percent",
            "expense_low_margin_percent",
            "expense_high_margin_percent",
            "market_fund_percent",
            "note",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "rule-set-form"
        self.helper.add_input(Submit("save", submit_label or _("Save")))

    def validate_unique(self):
        """The service says which start date is taken (one message, on the field)."""


class FundSpendForm(forms.Form):
    """Ask to spend from a unit's market service fund (follow-up visits, or a year-end award to a salesperson)."""

    unit = forms.ModelChoiceField(label=_("Sales unit"), queryset=SalesUnit.objects.none())
    purpose = forms.ChoiceField(label=_("Purpose"), choices=FundPurpose.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    description = forms.CharField(label=_("Description"), max_length=300)
    spend_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    recipient = forms.ModelChoiceField(
        label=_("Awarded to"), queryset=User.objects.none(), required=False, help_text=_("Year-end awards only.")
    )

    def __init__(self, *args, units=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if people is not None:
            self.fields["recipient"].queryset = people
        self.helper = FormHelper()
        self.helper.form_id = "fund-spend-form"
        self.helper.add_input(Submit("request", _("Ask for approval")))


class FundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
