from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Hidden, Layout, Row, Submit
from django import forms
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from customers.models import Customer

from .models import ContractBasis, PaymentKind, Product, SalesLevel, SalesMethod, SettlementMethod


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


class ProductSelect(forms.Select):
    """A product <select> whose options carry the standard price in force and the unit (never the cost), read by
    the line-entry script to show the standard price and the running totals while the salesperson types."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        product = getattr(value, "instance", None)
        if product is not None:
            price = getattr(product, "current_price", None)
            option["attrs"]["data-price"] = "" if price is None else f"{price:f}"
            option["attrs"]["data-uom"] = product.unit_of_measure
        return option


class ProductChoiceField(forms.ModelChoiceField):
    """Products with the standard price in force (never the cost), so the salesperson sees what they discount."""

    widget = ProductSelect

    def label_from_instance(self, obj):
        price = getattr(obj, "current_price", None)
        if price is None:
            return f"{obj.code} {obj.name}"
        return f"{obj.code} {obj.name} · {price:,.2f}/{obj.unit_of_measure}"


class CustomerPickerSelect(forms.Select):
    """A searchable customer picker: only the chosen customer is rendered as an option; the line-entry script
    (Tom Select) loads the others from `data-url` as the user types, so a page never lists 100,000 customers."""

    def __init__(self, attrs=None, url_name: str = "sales:pick_customer"):
        super().__init__(attrs={"data-picker": "customer", **(attrs or {})})
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-url"] = reverse(self.url_name)
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v not in (None, "")}
        if not chosen:
            return [(None, [self.create_option(name, "", "---------", False, 0)], 0)]
        field_choices = self.choices
        queryset = getattr(field_choices, "queryset", None)
        options = [self.create_option(name, "", "---------", False, 0)]
        if queryset is not None:
            for index, obj in enumerate(queryset.filter(pk__in=[v for v in chosen if v.isdigit()]), start=1):
                options.append(self.create_option(name, obj.pk, obj.picker_label, True, index))
        return [(None, options, 0)]


class CustomerPickerField(forms.ModelChoiceField):
    """A customer chosen by number or name, named "C2026-00012 大同紡織" (see Customer.picker_label)."""

    widget = CustomerPickerSelect

    def label_from_instance(self, obj):
        return obj.picker_label


def _product_choices():
    from .selectors import products_with_prices

    return products_with_prices().filter(is_active=True)


class LineForm(forms.Form):
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        widget=ProductSelect(attrs={"class": "form-select form-select-sm", "data-picker": "product"}),
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


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True, min_num=1, validate_min=True)


def line_inputs(formset) -> list:
    from .services.pricing import LineInput

    return [
        LineInput.from_data(f.cleaned_data)
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")
    ]


def customer_picker() -> CustomerPickerField:
    return CustomerPickerField(label=_("Customer"), queryset=Customer.objects.none())


class MethodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class DefaultingSelect(forms.Select):
    """A select whose value, when the key is missing from the post altogether (a client that does not know the
    field, never a browser: it always sends the preselected option), is the list's default. An explicit empty
    choice is still refused as required."""

    default: models.Model | None = None

    def value_from_datadict(self, data, files, name):
        if name not in data and self.default is not None:
            return str(self.default.pk)
        return super().value_from_datadict(data, files, name)


def _add_method_fields(form: forms.Form, *, prefer_sales: str = "") -> None:
    """結算方式 and 銷售方式: required, from the admin's active lists, the lists' defaults preselected."""
    from .services.methods import ensure_method_lists

    ensure_method_lists()
    settlement = SettlementMethod.objects.filter(is_active=True)
    sales = SalesMethod.objects.filter(is_active=True)
    defaults = {
        "settlement_method": form.initial.get("settlement_method") or settlement.filter(is_default=True).first(),
        "sales_method": form.initial.get("sales_method")
        or (sales.filter(code=prefer_sales).first() if prefer_sales else None)
        or sales.filter(is_default=True).first(),
    }
    for name, label, queryset in (
        ("settlement_method", _("Settlement method"), settlement),
        ("sales_method", _("Sales method"), sales),
    ):
        widget = DefaultingSelect()
        widget.default = defaults[name]
        form.fields[name] = MethodChoiceField(label=label, queryset=queryset, widget=widget)
        form.initial[name] = defaults[name]


class ContractForm(forms.Form):
    customer = customer_picker()
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
        _add_method_fields(self)
        self.helper = _helper()
        self.helper.layout = Layout(
            *(["customer"] if not edit else []),
            Row(Column("title", css_class="col-md-8"), Column("basis", css_class="col-md-4")),
            Row(Column("settlement_method", css_class="col-md-6"), Column("sales_method", css_class="col-md-6")),
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
    customer = customer_picker()
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    PREFER_SALES = ""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        _add_method_fields(self, prefer_sales=self.PREFER_SALES)
        self.helper = _helper()


class EngineeringQuoteForm(QuoteForm):
    project_product = forms.ModelChoiceField(
        label=_("Product that stands for the project"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Empty: the general engineering project product."),
    )
    customer_price = forms.DecimalField(
        label=_("Price to the customer"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("Set by the unit; empty: the internal price. Below the internal price needs the manager."),
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    equipment_cost = forms.DecimalField(
        label=_("Equipment and material cost (C)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    design_rate = forms.DecimalField(label=_("Design (%)"), max_digits=5, decimal_places=2, min_value=0)
    commissioning_rate = forms.DecimalField(label=_("Commissioning (%)"), max_digits=5, decimal_places=2, min_value=0)
    contingency_rate = forms.DecimalField(label=_("Contingency (%)"), max_digits=5, decimal_places=2, min_value=0)
    management_rate = forms.DecimalField(label=_("Management (%)"), max_digits=5, decimal_places=2, min_value=0)
    profit_tax_rate = forms.DecimalField(label=_("Profit and tax (%)"), max_digits=5, decimal_places=2, min_value=0)

    PREFER_SALES = "project"
    EXTERNAL = ("project_product", "customer_price", "discount_percent")
    RATES = ("design_rate", "commissioning_rate", "contingency_rate", "management_rate", "profit_tax_rate")

    def __init__(self, *args, user=None, policy=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["project_product"].queryset = Product.objects.filter(is_active=True).order_by("category", "code")
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


class ReturnForm(forms.Form):
    """退貨: shipped goods of one line sent back; the manager approves it."""

    contract_line = forms.TypedChoiceField(label=_("Line"), coerce=int)
    quantity = forms.DecimalField(label=_("Quantity returned"), max_digits=12, decimal_places=2)
    amount = forms.DecimalField(
        label=_("Amount credited"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the quantity × the line's unit price."),
    )
    returned_on = forms.DateField(label=_("Returned on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        lines = list(contract.lines.select_related("product")) if contract else []
        self.fields["contract_line"].choices = [
            (ln.pk, f"{ln.product.code} {ln.product.name} × {ln.quantity:f}") for ln in lines
        ]
        self.helper = _helper()


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
    quote_valid_days = forms.IntegerField(
        label=_("A new quote is valid for (days)"), min_value=1, max_value=366, required=False
    )
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
    """The head of a price list; its prices are a table of rows (PriceRowFormSet)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    producing_unit = forms.CharField(label=_("Producing unit"), max_length=120, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-4"),
                Column("producing_unit", css_class="col-md-3"),
                Column("effective_from", css_class="col-md-2"),
                Column("note", css_class="col-md-3"),
            )
        )


class PriceRowForm(forms.Form):
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        widget=ProductSelect(attrs={"class": "form-select form-select-sm", "data-picker": "product"}),
    )
    standard_price = forms.DecimalField(
        label=_("Standard price"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )
    cost = forms.DecimalField(
        label=_("Internal cost"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _product_choices()


class BasePriceRowFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen: set[int] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE") or not form.cleaned_data.get("product"):
                continue
            product = form.cleaned_data["product"]
            if product.pk in seen:
                form.add_error("product", _("%(code)s is listed twice.") % {"code": product.code})
            seen.add(product.pk)

    def price_inputs(self) -> list:
        from .services.catalogue import PriceInput

        return [
            PriceInput(
                product=f.cleaned_data["product"],
                standard_price=f.cleaned_data["standard_price"],
                cost=f.cleaned_data["cost"],
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")
        ]


PriceRowFormSet = forms.formset_factory(
    PriceRowForm,
    formset=BasePriceRowFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=2000,
    validate_max=True,
)


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


class InquiryForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    stamped_copy = forms.FileField(
        label=_("Stamped inquiry"),
        required=False,
        help_text=_("PDF, PNG or JPEG of the stamped form, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True, needs_price_inquiry=True).order_by(
            "code"
        )
        self.helper = _helper()


class InquiryAnswerForm(forms.Form):
    price = forms.DecimalField(label=_("Price"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    cost = forms.DecimalField(
        label=_("Internal cost"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("Confidential: only managers and the company-wide roles see it."),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class InquiryAttachForm(forms.Form):
    stamped_copy = forms.FileField(
        label=_("Stamped inquiry"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"})
    )
