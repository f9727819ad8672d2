from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Hidden, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from customers.models import Customer

from .models import ContractBasis, PaymentKind, Product, SalesLevel


def _helper(
    *, tag: bool = False, form_id: str = "", submit: str = "", hidden: dict[str, str] | None = None
) -> FormHelper:
    """A crispy helper; a page's own <form> (tag=True) may carry an id, hidden inputs and a submit button."""
    helper = FormHelper()
    helper.form_tag = tag
    helper.disable_csrf = not tag
    if form_id:
        helper.form_id = form_id
    for name, value in (hidden or {}).items():
        helper.add_input(Hidden(name, value))
    if submit:
        helper.add_input(Submit("submit", submit))
    return helper


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProductChoiceField(forms.ModelChoiceField):
    """Products with the standard price in force (never the cost), so the salesperson sees what they discount."""

    def label_from_instance(self, obj):
        price = getattr(obj, "current_price", None)
        if price is None:
            return f"{obj.code} {obj.name}"
        return f"{obj.code} {obj.name} · {price:,.2f}/{obj.unit_of_measure}"


def _product_choices():
    from .selectors import products_with_prices

    return products_with_prices().filter(is_active=True)


class LineForm(forms.Form):
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _product_choices()

    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )
    list_price = forms.DecimalField(
        label=_("Price before discount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )


LineFormSet = forms.formset_factory(LineForm, extra=3, can_delete=True, min_num=1, validate_min=True)


def line_inputs(formset) -> list:
    from .services.pricing import LineInput

    return [
        LineInput.from_data(f.cleaned_data)
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")
    ]


class ContractForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    basis = forms.ChoiceField(label=_("Basis"), choices=ContractBasis.choices, initial=ContractBasis.CONTRACT)
    payment_terms = forms.CharField(label=_("Payment terms"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    prepayment_amount = forms.DecimalField(
        label=_("Prepayment"), max_digits=14, decimal_places=2, min_value=0, initial=0, required=False
    )
    retention_amount = forms.DecimalField(
        label=_("Retention money"), max_digits=14, decimal_places=2, min_value=0, initial=0, required=False
    )
    retention_due_on = forms.DateField(label=_("Retention due on"), required=False, widget=DateInput())
    prepayment_exception_reason = forms.CharField(
        label=_("Reason for no prepayment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for an amount that needs a prepayment: the GM office approves the exception."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        self.helper = _helper()
        self.helper.layout = Layout(
            *(["customer"] if not edit else []),
            Row(Column("title", css_class="col-md-8"), Column("basis", css_class="col-md-4")),
            "payment_terms",
            Row(
                Column("prepayment_amount", css_class="col-md-4"),
                Column("retention_amount", css_class="col-md-4"),
                Column("retention_due_on", css_class="col-md-4"),
            ),
            "prepayment_exception_reason",
            "note",
        )

    def terms(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "customer"}
        for key in ("prepayment_amount", "retention_amount"):
            data[key] = data.get(key) or Decimal("0")
        return data


class QuoteForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        self.helper = _helper()


class EngineeringQuoteForm(QuoteForm):
    equipment_cost = forms.DecimalField(
        label=_("Equipment and material cost (C)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    design_rate = forms.DecimalField(label=_("Design (%)"), max_digits=5, decimal_places=2, min_value=0)
    commissioning_rate = forms.DecimalField(label=_("Commissioning (%)"), max_digits=5, decimal_places=2, min_value=0)
    contingency_rate = forms.DecimalField(label=_("Contingency (%)"), max_digits=5, decimal_places=2, min_value=0)
    management_rate = forms.DecimalField(label=_("Management (%)"), max_digits=5, decimal_places=2, min_value=0)
    profit_tax_rate = forms.DecimalField(label=_("Profit and tax (%)"), max_digits=5, decimal_places=2, min_value=0)

    RATES = ("design_rate", "commissioning_rate", "contingency_rate", "management_rate", "profit_tax_rate")

    def __init__(self, *args, user=None, policy=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in self.RATES:
            self.fields[name].initial = getattr(policy, name)
            if not user.is_admin_role:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by the admins.")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ShipmentForm(forms.Form):
    shipped_on = forms.DateField(label=_("Shipped on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract_lines = list(contract.lines.all()) if contract else []
        for line in self.contract_lines:
            self.fields[f"qty_{line.pk}"] = forms.DecimalField(
                label=f"{line.product.code} {line.product.name}",
                max_digits=12,
                decimal_places=2,
                min_value=0,
                required=False,
            )
        self.helper = _helper(tag=False)

    def ship_lines(self):
        from .services.fulfilment import ShipInput

        lines = [
            ShipInput(contract_line=line, quantity=self.cleaned_data[f"qty_{line.pk}"])
            for line in self.contract_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        ]
        return lines or None  # none given: ship everything left


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices, initial=PaymentKind.PROGRESS)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=32)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput(), initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class DiscountAuthorityForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=User.objects.filter(role__in=[Role.SALESPERSON, Role.MANAGER], is_active=True).order_by("username"),
        required=False,
    )
    level = forms.ModelChoiceField(label=_("or level"), queryset=SalesLevel.objects.all(), required=False)
    max_discount_percent = forms.DecimalField(
        label=_("Maximum discount %"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(tag=True, form_id="authority-form", submit=_("Save"))

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("level")):
            raise forms.ValidationError(_("Choose either a salesperson or a level."))
        return data


class PolicyForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput(), initial=timezone.localdate)
    margin_review_percent = forms.DecimalField(
        label=_("GM office reviews margins below (%)"), max_digits=5, decimal_places=2
    )
    prepayment_threshold = forms.DecimalField(
        label=_("Prepayment required from amount"), max_digits=14, decimal_places=2
    )
    filing_days = forms.IntegerField(label=_("Filing deadline (days after signing)"), min_value=0, max_value=60)
    default_discount_percent = forms.DecimalField(
        label=_("Default discount authority (%)"), max_digits=5, decimal_places=2
    )
    design_rate = forms.DecimalField(label=_("Design (%)"), max_digits=5, decimal_places=2)
    commissioning_rate = forms.DecimalField(label=_("Commissioning (%)"), max_digits=5, decimal_places=2)
    contingency_rate = forms.DecimalField(label=_("Contingency (%)"), max_digits=5, decimal_places=2)
    management_rate = forms.DecimalField(label=_("Management (%)"), max_digits=5, decimal_places=2)
    profit_tax_rate = forms.DecimalField(label=_("Profit and tax (%)"), max_digits=5, decimal_places=2)
    salespeople_see_cost = forms.BooleanField(
        label=_("Salespeople may see cost and margin"),
        required=False,
        help_text=_(
            "Off (the default): salespeople never see cost, margin, the margin threshold or whether the margin "
            "rule fires; each submission that trips it is logged for their manager."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(tag=True, submit=_("Save"))


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    producing_unit = forms.CharField(label=_("Producing unit"), max_length=120, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput(), initial=timezone.localdate)
    items = forms.CharField(
        label=_("Prices"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "P-100, 18000, 12500"}),
        help_text=_("One product a line: code, standard price, internal cost."),
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(tag=True, submit=_("Issue price list"))

    def clean_items(self):
        from .services.catalogue import PriceInput

        rows = []
        products = {p.code.upper(): p for p in Product.objects.all()}
        for n, raw in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.replace("\t", ",").split(",")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Line %(n)s: write code, standard price, cost.") % {"n": n})
            product = products.get(parts[0].upper())
            if product is None:
                raise forms.ValidationError(_("Line %(n)s: unknown product %(code)s.") % {"n": n, "code": parts[0]})
            try:
                rows.append(PriceInput(product=product, standard_price=Decimal(parts[1]), cost=Decimal(parts[2])))
            except ArithmeticError:
                raise forms.ValidationError(_("Line %(n)s: prices must be numbers.") % {"n": n}) from None
        return rows


class LevelAssignForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=User.objects.filter(role=Role.SALESPERSON, is_active=True).order_by("username"),
    )
    level = forms.ModelChoiceField(label=_("Level"), queryset=SalesLevel.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(tag=True, form_id="level-form", hidden={"form": "level"}, submit=_("Assign level"))


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    unit_of_measure = forms.CharField(label=_("Unit"), max_length=20, initial="pcs")
    category = forms.CharField(label=_("Category"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(tag=True, form_id="product-form", submit=_("Add product"))
