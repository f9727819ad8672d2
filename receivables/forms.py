"""Forms of the receivables pages: workbench filters, the collections log, write-offs."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SalesUnit, User
from customers.models import Customer

from .models import NoteKind
from .selectors.workbench import SORTS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class WorkbenchFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=SalesUnit.objects.none(), required=False)
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), queryset=User.objects.none(), required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), required=False)
    bucket = forms.ChoiceField(label=_("Aging bucket"), required=False)
    retention_only = forms.BooleanField(label=_("Retention only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("amount", _("Amount")), ("age", _("Age")), ("overdue", _("Overdue amount"))],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, user, buckets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            SalesUnit.objects.order_by("name")
            if user.is_company_wide
            else (SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("name"))
        )
        people = User.objects.filter(is_active=True).order_by("first_name", "username")
        if not user.is_company_wide:
            people = people.filter(pk=user.pk) if not user.is_manager else people.filter(unit_id__in=user.team_unit_ids)
        self.fields["salesperson"].queryset = people
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        self.fields["bucket"].choices = [("", _("Any")), *((b, b) for b in buckets)]
        assert set(SORTS) >= {c for c, _l in self.fields["sort"].choices}


class CollectionNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices, initial=NoteKind.CALL)
    happened_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    contract = forms.ChoiceField(label=_("Contract"), required=False)
    promised_on = forms.DateField(label=_("Promised payment date"), widget=DateInput(), required=False)
    promised_amount = forms.DecimalField(
        label=_("Promised amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [("", "—"), *((str(c.pk), c.number) for c in contracts)]


class WriteOffForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to write off"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    liability_amount = forms.DecimalField(
        label=_("Salesperson's joint liability (連帶賠償)"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
