"""Pages of the sales app: views call services and selectors; service errors become form errors."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from core.exceptions import ApplicationError
from core.exports import csv_response
from core.forms import apply_service_error
from core.money import ZERO, round_money
from core.pagination import EstimatedPaginator
from core.timeline import comment_view_response
from customers import selectors as customer_selectors
from customers.models import Customer

from . import approvers, permissions, rules, selectors, workflows
from . import timeline as sales_timeline
from .forms import (
    ContractForm,
    DiscountAuthorityForm,
    EngineeringQuoteForm,
    InvoiceForm,
    LevelAssignForm,
    LineFormSet,
    PaymentForm,
    PolicyForm,
    PriceListForm,
    PriceRowFormSet,
    ProductForm,
    QuoteForm,
    ReasonForm,
    ReturnForm,
    ShipmentForm,
    line_inputs,
)
from .models import (
    Contract,
    ContractStatus,
    DiscountAuthority,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    SalesPolicy,
    SalesReturn,
)
from .services import access, catalogue, comments, contracts, fulfilment, pricing, quotes, returns


def _require_admin(user) -> None:
    if not user.is_admin_role:
        raise PermissionDenied


# --- products and price lists -------------------------------------------------------------------------------------


@login_required
def product_list(request):
    see_cost = selectors.sees_cost(request.user)
    form = None
    if request.user.is_admin_role:
        form = ProductForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                catalogue.product_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Product added. Issue a price list to give it a standard price."))
                return redirect("sales:product_list")
    elif request.method == "POST":
        raise PermissionDenied
    qs = selectors.products_with_prices(with_cost=see_cost)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    page = EstimatedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "sales/product_list.html", {"page": page, "see_cost": see_cost, "q": q, "form": form})


@login_required
def price_list_list(request):
    if request.method == "POST":
        raise PermissionDenied  # issued on their own page (price_list_create)
    lists = PriceList.objects.select_related("issued_by").order_by("-effective_from", "-id")
    page = EstimatedPaginator(lists, 30).get_page(request.GET.get("page"))
    return render(request, "sales/price_list_list.html", {"page": page, "can_issue": request.user.is_admin_role})


@login_required
def price_list_create(request):
    """Issue a price list, its prices entered as a table (product, standard price, internal cost); ?from=<id>
    starts from an earlier list's rows."""
    _require_admin(request.user)
    initial_rows = None
    if source := request.GET.get("from", ""):
        base = PriceList.objects.filter(pk=int(source)).first() if source.isascii() and source.isdigit() else None
        if base is None:
            raise Http404
        items = PriceListItem.objects.filter(price_list=base).select_related("product").order_by("product__code")
        initial_rows = [{"product": i.product, "standard_price": i.standard_price, "cost": i.cost} for i in items]
    form = PriceListForm(request.POST or None)
    formset = PriceRowFormSet(request.POST or None, prefix="items", initial=initial_rows)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            pl = catalogue.price_list_create(actor=request.user, items=formset.price_inputs(), **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Price list issued."))
            return redirect("sales:price_list_detail", pk=pl.pk)
    return render(request, "sales/price_list_form.html", {"form": form, "formset": formset})


@login_required
def price_list_detail(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    items = PriceListItem.objects.filter(price_list=price_list).select_related("product").order_by("product__code")
    return render(
        request,
        "sales/price_list_detail.html",
        {"price_list": price_list, "items": items, "see_cost": selectors.sees_cost(request.user)},
    )


# --- discount authority and policy ----------------------------------------------------------------------------------


@login_required
def authority_page(request):
    _require_admin(request.user)
    is_level = request.POST.get("form") == "level"
    level_form = LevelAssignForm(request.POST if is_level else None)
    if is_level and level_form.is_valid():
        catalogue.sales_level_assign(
            actor=request.user, level=level_form.cleaned_data["level"], user=level_form.cleaned_data["person"]
        )
        messages.success(request, _("Level assigned."))
        return redirect("sales:authority")
    form = DiscountAuthorityForm(request.POST if request.method == "POST" and not is_level else None)
    if request.method == "POST" and not is_level and form.is_valid():
        try:
            catalogue.discount_authority_set(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Discount authority saved."))
            return redirect("sales:authority")
    people = (
        User.objects.filter(role=Role.SALESPERSON, is_active=True)
        .select_related("unit")
        .prefetch_related("sales_levels")
        .order_by("username")
    )
    people = list(people)
    authorities = selectors.authorities_for(users=people)
    current = [(p, authorities[p.pk]) for p in people]
    history = DiscountAuthority.objects.select_related("user", "level", "set_by")[:100]
    return render(
        request,
        "sales/authority.html",
        {"form": form, "level_form": level_form, "current": current, "history": history},
    )


@login_required
def policy_page(request):
    _require_admin(request.user)
    policy = selectors.policy_in_force()
    initial = {name: getattr(policy, name) for name in catalogue.POLICY_FIELDS}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.sales_policy_set(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("sales:policy")
    history = SalesPolicy.objects.select_related("set_by")[:50]
    return render(request, "sales/policy.html", {"form": form, "policy": policy, "history": history})


# --- quotes ---------------------------------------------------------------------------------------------------------


@login_required
def quote_list(request):
    qs = Quote.objects.visible_to(request.user).select_related("customer", "owner").order_by("-created_at", "-id")
    if status := request.GET.get("status"):
        qs = qs.filter(status=status)
    page = EstimatedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "sales/quote_list.html", {"page": page, "statuses": QuoteStatus.choices})


@login_required
def quote_create(request, kind: str = QuoteKind.PRODUCT):
    engineering = kind == QuoteKind.ENGINEERING
    if engineering:
        form = EngineeringQuoteForm(request.POST or None, user=request.user, policy=selectors.policy_in_force())
        formset = None
    else:
        form = QuoteForm(request.POST or None, user=request.user)
        formset = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        data = form.cleaned_data
        try:
            quote = quotes.quote_create(
                actor=request.user,
                customer=data["customer"],
                kind=kind,
                lines=line_inputs(formset) if formset else None,
                equipment_cost=data.get("equipment_cost"),
                rates={k: data[k] for k in EngineeringQuoteForm.RATES} if engineering else None,
                **({k: data.get(k) for k in EngineeringQuoteForm.EXTERNAL} if engineering else {}),
                title=data["title"],
                valid_until=data.get("valid_until"),
                note=data["note"],
                settlement_method=data["settlement_method"],
                sales_method=data["sales_method"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("sales:quote_detail", pk=quote.pk)
    return render(
        request,
        "sales/quote_form.html",
        {"form": form, "formset": formset, "engineering": engineering, **_entry_context(request)},
    )


def _quote(request, pk: int) -> Quote:
    qs = Quote.objects.visible_to(request.user).select_related(
        "customer", "owner", "unit", "approved_by", "settlement_method", "sales_method"
    )
    quote = qs.prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product"))).filter(pk=pk)
    quote = quote.first()
    if quote is None:
        raise Http404
    return quote


def _quote_context(request, quote: Quote) -> dict:
    see_cost = selectors.sees_cost(request.user)
    components = []
    # The internal sheet (C, the cost-plus components, the internal price) is for cost viewers only.
    if quote.kind == QuoteKind.ENGINEERING and see_cost:
        labels = [_("Design"), _("Commissioning"), _("Contingency"), _("Management"), _("Profit and tax")]
        components = [
            (label, rate, amount)
            for label, (_name, rate, amount) in zip(
                labels,
                pricing.engineering_components(cost=quote.equipment_cost, rates=pricing.quote_engineering_rates(quote)),
                strict=True,
            )
        ]
    hits = [
        h.message_for(see_cost) for h in rules.visible_hits(selectors.quote_rule_hits(quote=quote), see_cost=see_cost)
    ]
    return {
        "quote": quote,
        "see_cost": see_cost,
        "components": components,
        "hits": hits,
        "margin": _margin(quote.amount, quote.cost_total) if see_cost else None,
        "actions": set(workflows.QUOTE.action_names(request.user, quote)),
        "may_plan": workflows.QUOTE.transition("change").allowed(request.user, quote),
        "waiting_for": approvers.waiting_label(approvers.quote_waiting_for(quote))
        if quote.status == QuoteStatus.IN_REVIEW
        else "",
    }


def _margin(amount, cost):
    if not amount:
        return None
    return (amount - cost) * 100 / amount


@login_required
def quote_edit(request, pk: int):
    quote = _quote(request, pk)
    engineering = quote.kind == QuoteKind.ENGINEERING
    initial = {
        "customer": quote.customer,
        "title": quote.title,
        "valid_until": quote.valid_until,
        "note": quote.note,
        "settlement_method": quote.settlement_method,
        "sales_method": quote.sales_method,
    }
    if engineering:
        line = quote.lines.all()[0] if quote.lines.all() else None
        initial.update({"equipment_cost": quote.equipment_cost, **pricing.quote_engineering_rates(quote)})
        if line is not None:
            initial.update(
                project_product=line.product, customer_price=line.list_price, discount_percent=line.discount_percent
            )
        form = EngineeringQuoteForm(request.POST or None, user=request.user, policy=quote, initial=initial)
        if not selectors.sees_cost(request.user):
            # C is on the internal sheet: whoever may not see cost changes the customer's price, never C.
            del form.fields["equipment_cost"]
            initial.pop("equipment_cost")
        formset = None
    else:
        form = QuoteForm(request.POST or None, user=request.user, initial=initial)
        lines_initial = [
            {
                "product": ln.product,
                "quantity": ln.quantity,
                "discount_percent": ln.discount_percent,
                "list_price": ln.list_price if ln.list_price != ln.standard_price else None,
            }
            for ln in quote.lines.all()
        ]
        formset = LineFormSet(request.POST or None, prefix="lines", initial=lines_initial)
    form.fields["customer"].disabled = True
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        data = form.cleaned_data
        try:
            quotes.quote_update(
                actor=request.user,
                quote=quote,
                lines=line_inputs(formset) if formset else None,
                equipment_cost=data.get("equipment_cost") if engineering else None,
                rates={k: data[k] for k in EngineeringQuoteForm.RATES} if engineering else None,
                **({k: data.get(k) for k in EngineeringQuoteForm.EXTERNAL} if engineering else {}),
                title=data["title"],
                valid_until=data.get("valid_until"),
                note=data["note"],
                settlement_method=data["settlement_method"],
                sales_method=data["sales_method"],
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("sales:quote_detail", pk=quote.pk)
    return render(
        request,
        "sales/quote_form.html",
        {"form": form, "formset": formset, "engineering": engineering, "quote": quote, **_entry_context(request)},
    )


@login_required
def quote_detail(request, pk: int):
    quote = _quote(request, pk)
    context = _quote_context(request, quote)
    context.update(
        timeline=sales_timeline.quote_timeline(quote=quote),
        comment_url=reverse("sales:quote_comment", args=[quote.pk]),
        can_comment=True,
    )
    return render(request, "sales/quote_detail.html", context)


@login_required
@require_POST
def quote_comment(request, pk: int):
    quote = _quote(request, pk)
    return comment_view_response(
        request,
        post=lambda body: comments.quote_comment(quote=quote, actor=request.user, body=body),
        entries=lambda: sales_timeline.quote_timeline(quote=quote),
        url=reverse("sales:quote_comment", args=[quote.pk]),
        back=reverse("sales:quote_detail", args=[quote.pk]),
    )


@login_required
def quote_print(request, pk: int):
    quote = _quote(request, pk)
    return render(request, "sales/quote_print.html", _quote_context(request, quote))


@login_required
@require_POST
def quote_action(request, pk: int, verb: str):
    quote = _quote(request, pk)
    try:
        if verb == "submit":
            quote = quotes.quote_submit(actor=request.user, quote=quote)
            if quote.status == QuoteStatus.IN_REVIEW:
                who = approvers.waiting_label(approvers.quote_waiting_for(quote))
                messages.success(request, _("Submitted for approval. Waiting for %(who)s.") % {"who": who})
        elif verb == "approve":
            quote = quotes.quote_approve(actor=request.user, quote=quote)
            messages.success(request, _("Approved. The salesperson has been notified."))
        elif verb == "reject":
            quote = quotes.quote_reject(actor=request.user, quote=quote, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected. The salesperson has been notified with your reason."))
        elif verb in (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
            quote = quotes.quote_set_outcome(actor=request.user, quote=quote, status=verb)
        elif verb == "contract":
            product = None
            if quote.kind == QuoteKind.ENGINEERING:
                product = Product.objects.filter(pk=request.POST.get("product") or 0, is_active=True).first()
            contract = contracts.contract_create_from_quote(actor=request.user, quote=quote, product=product)
            messages.success(request, _("Contract %(number)s created from the quote.") % {"number": contract.number})
            return redirect("sales:contract_detail", pk=contract.pk)
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:quote_detail", pk=pk)


# --- contracts ------------------------------------------------------------------------------------------------------


@login_required
def contract_list(request):
    filters = {k: request.GET.get(k) for k in ("status", "q", "overdue_filing", "awaiting_me") if request.GET.get(k)}
    qs = selectors.contract_list(user=request.user, filters=filters)
    page = EstimatedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/contract_list.html",
        {"page": page, "filters": filters, "statuses": ContractStatus.choices},
    )


@login_required
def contract_create(request):
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = ContractForm(request.POST or None, user=request.user, initial=initial)
    formset = LineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            contract = contracts.contract_create(
                actor=request.user,
                customer=form.cleaned_data["customer"],
                lines=line_inputs(formset),
                **form.terms(),
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Check the rules below, then submit it for review."))
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(request, "sales/contract_form.html", {"form": form, "formset": formset, **_entry_context(request)})


def _entry_context(request) -> dict:
    """What the line-entry page shows while typing: the writer's own discount authority (a salesperson's; a
    manager writes for the customer's owner, whose authority the preview names)."""
    user = request.user
    own = selectors.discount_authority_for(user=user).percent if user.is_salesperson else None
    return {"own_authority": own}


def _posted_pk(request, name: str) -> int | None:
    raw = request.POST.get(name, "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):  # "²".isdigit()
        raise Http404
    return int(raw)


def _preview(request, *, form, formset, owner_of, customer_of, is_quote: bool, contract_terms: bool):
    """Render the rules an unsaved quote or contract would fire; nothing is written. Confidential hits (cost,
    margin) are left out for those who may not see cost: the preview answers at every keystroke, so even the
    public "margin below the threshold" line would let a salesperson search for the cost by trying prices."""
    context = {"hits": None, "error": None, "amount": None, "authority": None, "owner": None, "is_quote": is_quote}
    see_cost = selectors.sees_cost(request.user)
    context["see_cost"] = see_cost
    if form.is_valid() and formset.is_valid():
        customer = customer_of(form)
        try:
            owner = owner_of(customer)
            priced = pricing.price_lines(lines=line_inputs(formset), on=timezone.localdate(), unit_id=owner.unit_id)
            terms = form.terms() if contract_terms else {}
            hits = selectors.preview_rule_hits(
                owner=owner,
                customer=customer,
                priced_lines=priced,
                prepayment_amount=terms.get("prepayment_amount", 0),
                basis=form.cleaned_data.get("basis", "contract"),
                prepayment_exception_reason=form.cleaned_data.get("prepayment_exception_reason") or "",
                is_quote=is_quote,
            )
        except ApplicationError as exc:
            context["error"] = exc.message
        except PermissionDenied:
            context["error"] = _("Only salespeople and their managers write quotes and contracts.")
        else:
            see_cost = selectors.sees_cost(request.user)
            context["see_cost"] = see_cost
            context["hits"] = [(h, h.message_for(see_cost)) for h in rules.visible_hits(hits, see_cost=see_cost)]
            context["confidential_hidden"] = not see_cost
            context["amount"] = round_money(sum((p.quantity * p.unit_price for p in priced), ZERO))
            context["owner"] = owner
            context["authority"] = selectors.discount_authority_for(user=owner).percent
    return render(request, "sales/_rule_preview.html", context)


@login_required
@require_POST
def contract_preview(request):
    """htmx: the rules the contract form would fire, shown while the salesperson types (nothing is saved)."""
    pk = _posted_pk(request, "contract")
    contract = _contract(request, pk) if pk is not None else None
    form = ContractForm(request.POST, user=request.user, edit=contract is not None)
    formset = LineFormSet(request.POST, prefix="lines")
    return _preview(
        request,
        form=form,
        formset=formset,
        customer_of=lambda f: contract.customer if contract else f.cleaned_data["customer"],
        owner_of=lambda c: contract.owner if contract else access.owner_for(request.user, c),
        is_quote=False,
        contract_terms=True,
    )


@login_required
@require_POST
def quote_preview(request):
    """htmx: the rules a product quote would fire (discount authority, price floor), while typing."""
    pk = _posted_pk(request, "quote")
    quote = _quote(request, pk) if pk is not None else None
    form = QuoteForm(request.POST, user=request.user)
    if quote is not None:
        form.fields["customer"].disabled = True
        form.initial["customer"] = quote.customer_id
    formset = LineFormSet(request.POST, prefix="lines")
    return _preview(
        request,
        form=form,
        formset=formset,
        customer_of=lambda f: quote.customer if quote else f.cleaned_data["customer"],
        owner_of=lambda c: quote.owner if quote else access.owner_for(request.user, c),
        is_quote=True,
        contract_terms=False,
    )


CUSTOMER_NUMBER = re.compile(r"^\s*C?\s*(?:\d{4}\s*-\s*)?0*(\d{1,9})\s*$", re.IGNORECASE)


@login_required
def pick_customer(request):
    """JSON for the customer picker: the customers this user may quote for, matching a number ("C2026-00012",
    "12"), a name (typo tolerant), a tax number or a phone; at most 20, labelled "C2026-00012 大同紡織"."""
    query = request.GET.get("q", "").strip()[:100]
    qs = Customer.objects.visible_to(request.user)
    results: list = []
    if match := CUSTOMER_NUMBER.match(query):
        results = list(qs.filter(pk=int(match.group(1))))
    if query and len(results) < PICKER_LIMIT:
        found = customer_selectors.search_customers(qs, query)
        order = ["-similarity", "name"] if "similarity" in found.query.annotations else ["name"]
        results += [c for c in found.order_by(*order)[:PICKER_LIMIT] if c not in results]
    elif not query:
        results = list(qs.order_by("name")[:PICKER_LIMIT])
    return JsonResponse({"results": [{"value": c.pk, "text": c.picker_label} for c in results[:PICKER_LIMIT]]})


PICKER_LIMIT = 20


def _contract(request, pk: int) -> Contract:
    try:
        return selectors.contract_detail(user=request.user, pk=pk)
    except Contract.DoesNotExist:
        raise Http404 from None


@login_required
def contract_edit(request, pk: int):
    contract = _contract(request, pk)
    if contract.status not in contracts.EDITABLE:
        messages.error(
            request,
            _("A contract in status “%(status)s” cannot be changed.") % {"status": contract.get_status_display()},
        )
        return redirect("sales:contract_detail", pk=pk)
    initial = {k: getattr(contract, k) for k in contracts.CONTRACT_FIELDS}
    lines_initial = [
        {
            "product": ln.product,
            "quantity": ln.quantity,
            "discount_percent": ln.discount_percent,
            "list_price": ln.list_price if ln.list_price != ln.standard_price else None,
        }
        for ln in contract.lines.all()
    ]
    form = ContractForm(request.POST or None, initial=initial, user=request.user, edit=True)
    # A contract made from an engineering quote keeps its one project line (priced by the quote): terms only.
    project = contract.quote_id and contract.quote.kind == QuoteKind.ENGINEERING
    formset = None if project else LineFormSet(request.POST or None, prefix="lines", initial=lines_initial)
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            contracts.contract_update(
                actor=request.user,
                contract=contract,
                lines=line_inputs(formset) if formset else None,
                **form.terms(),
            )
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(
        request,
        "sales/contract_form.html",
        {"form": form, "formset": formset, "contract": contract, **_entry_context(request)},
    )


def _contract_context(request, contract: Contract) -> dict:
    user = request.user
    see_cost = selectors.sees_cost(user)
    live_hits = selectors.contract_rule_hits(contract=contract)
    approvals = [a for a in contract.approvals.all() if a.round == contract.review_round]
    may_work = access.may_work_on(user, owner_id=contract.owner_id, unit_id=contract.unit_id)
    contract.round_approvals = approvals
    actions = set(workflows.CONTRACT.action_names(user, contract))
    is_finance = user.is_finance or user.is_admin_role
    shipped = contract.status in fulfilment.SHIPPABLE
    return {
        "contract": contract,
        "see_cost": see_cost,
        "margin": _margin(contract.amount, contract.cost_total) if see_cost else None,
        "live_hits": [(h, h.message_for(see_cost)) for h in rules.visible_hits(live_hits, see_cost=see_cost)],
        "confidential_hidden": not see_cost,
        "approvals": [(a, _visible_reasons(see_cost, a.reasons)) for a in approvals],
        "old_approvals": [a for a in contract.approvals.all() if a.round != contract.review_round],
        "filing_overdue": selectors.is_filing_overdue(contract),
        "actions": actions,
        "waiting_for": approvers.waiting_label(approvers.contract_waiting_for(contract))
        if contract.status == ContractStatus.IN_REVIEW
        else "",
        "reject_form": ReasonForm(),
        "shipment_form": ShipmentForm(contract=contract) if shipped and (may_work or user.is_admin_role) else None,
        "payment_form": PaymentForm() if is_finance and contract.status != ContractStatus.DRAFT else None,
        "invoice_form": InvoiceForm() if is_finance and shipped else None,
        "return_form": ReturnForm(contract=contract)
        if shipped and permissions.may_record_return(user, contract)
        else None,
        "returns": [(r, workflows.SALES_RETURN.actions_for(user, r)) for r in selectors.returns_of(contract=contract)],
    }


def _visible_reasons(see_cost: bool, reasons: list[dict]) -> list[str]:
    return [rules.stored_message(r, see_cost) for r in rules.visible_stored_hits(reasons, see_cost=see_cost)]


@login_required
def contract_detail(request, pk: int):
    contract = _contract(request, pk)
    context = _contract_context(request, contract)
    context.update(
        timeline=sales_timeline.contract_timeline(contract=contract),
        comment_url=reverse("sales:contract_comment", args=[contract.pk]),
        can_comment=True,
    )
    return render(request, "sales/contract_detail.html", context)


@login_required
@require_POST
def contract_comment(request, pk: int):
    contract = _contract(request, pk)
    return comment_view_response(
        request,
        post=lambda body: comments.contract_comment(contract=contract, actor=request.user, body=body),
        entries=lambda: sales_timeline.contract_timeline(contract=contract),
        url=reverse("sales:contract_comment", args=[contract.pk]),
        back=reverse("sales:contract_detail", args=[contract.pk]),
    )


@login_required
def contract_print(request, pk: int):
    contract = _contract(request, pk)
    return render(request, "sales/contract_print.html", _contract_context(request, contract))


def _posted_date(request, name: str):
    """An optional date from an action form; empty means today."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return forms.DateField().clean(raw)
    except forms.ValidationError:
        raise ApplicationError(_("Enter a valid date."), field=name) from None


@login_required
@require_POST
def contract_action(request, pk: int, verb: str):
    contract = _contract(request, pk)
    user = request.user
    try:
        if verb == "submit":
            contract = contracts.contract_submit(actor=user, contract=contract)
            if contract.status == ContractStatus.APPROVED:
                messages.success(request, _("No approval needed: the contract is approved and can be signed."))
            else:
                messages.success(request, _("Submitted for review."))
        elif verb == "approve":
            contracts.contract_approve(actor=user, contract=contract, comment=request.POST.get("comment", ""))
            messages.success(request, _("Approved. The salesperson has been notified."))
        elif verb == "reject":
            contracts.contract_reject(actor=user, contract=contract, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected. The salesperson has been notified with your reason."))
        elif verb == "sign":
            contracts.contract_sign(actor=user, contract=contract, signed_on=_posted_date(request, "signed_on"))
            messages.success(request, _("Signed. File it with finance, the GM office and admin within the deadline."))
        elif verb == "cancel":
            contracts.contract_cancel(actor=user, contract=contract, reason=request.POST.get("reason", ""))
            messages.success(request, _("Cancelled."))
        elif verb == "ship":
            form = ShipmentForm(request.POST, contract=contract)
            if not form.is_valid():
                raise ApplicationError(_("Check the shipment: %(errors)s") % {"errors": form.errors.as_text()})
            fulfilment.shipment_create(
                actor=user,
                contract=contract,
                shipped_on=form.cleaned_data["shipped_on"],
                lines=form.ship_lines(),
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Shipment recorded."))
        elif verb == "pay":
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the payment: %(errors)s") % {"errors": form.errors.as_text()})
            fulfilment.payment_record(actor=user, contract=contract, **form.cleaned_data)
            messages.success(request, _("Payment recorded."))
        elif verb == "return":
            form = ReturnForm(request.POST, contract=contract)
            if not form.is_valid():
                raise ApplicationError(_("Check the return: %(errors)s") % {"errors": form.errors.as_text()})
            returns.return_record(actor=user, contract=contract, **form.cleaned_data)
            messages.success(request, _("Return recorded; it waits for the manager's approval."))
        elif verb == "invoice":
            form = InvoiceForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Check the invoice: %(errors)s") % {"errors": form.errors.as_text()})
            fulfilment.invoice_create(actor=user, contract=contract, **form.cleaned_data)
            messages.success(request, _("Invoice recorded."))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sales:contract_detail", pk=pk)


@login_required
@require_POST
def return_decide(request, pk: int, action: str):
    """Approve or reject a return (the workflow table decides who); another's contract is a 404."""
    sales_return = get_object_or_404(SalesReturn.objects.visible_to(request.user), pk=pk)
    try:
        returns.return_decide(
            actor=request.user, sales_return=sales_return, action=action, note=request.POST.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded. The salesperson has been notified."))
    return redirect("sales:contract_detail", pk=sales_return.contract_id)


@login_required
def contract_export(request):
    """The contract list as CSV, same filters and visibility; cost and margin only for those who may see them."""
    filters = {k: request.GET.get(k) for k in ("status", "q", "overdue_filing", "awaiting_me") if request.GET.get(k)}
    see_cost = selectors.sees_cost(request.user)
    header = [
        _("Number"),
        _("Customer"),
        _("Salesperson"),
        _("Status"),
        _("Amount"),
        _("Paid"),
        _("Prepayment"),
        _("Retention money"),
        _("Signed on"),
        _("Filed on"),
    ]
    if see_cost:
        header += [_("Internal cost"), _("Margin %")]

    def rows():
        for c in selectors.contract_list(user=request.user, filters=filters).iterator(chunk_size=500):
            row = [
                c.number,
                c.customer.name,
                c.owner.get_full_name(),
                c.get_status_display(),
                c.amount,
                c.paid_total,
                c.prepayment_amount,
                c.retention_amount,
                c.signed_on or "",
                c.filed_on or "",
            ]
            if see_cost:
                margin = _margin(c.amount, c.cost_total)
                row += [c.cost_total, f"{margin:.2f}" if margin is not None else ""]
            yield row

    return csv_response("contracts.csv", header, rows())


@login_required
def product_export(request):
    see_cost = selectors.sees_cost(request.user)
    header = [_("Code"), _("Name"), _("Category"), _("Unit"), _("Standard price")]
    if see_cost:
        header.append(_("Internal cost"))

    def rows():
        for p in selectors.products_with_prices(with_cost=see_cost):
            row = [
                p.code,
                p.name,
                p.category,
                p.unit_of_measure,
                p.current_price if p.current_price is not None else "",
            ]
            if see_cost:
                row.append(p.current_cost if p.current_cost is not None else "")
            yield row

    return csv_response("products.csv", header, rows())


@login_required
def hidden_rule_trips(request):
    """Submissions that tripped a rule their submitter may not see (the margin): the manager's view of each try."""
    if not selectors.sees_cost(request.user):
        raise PermissionDenied
    since = timezone.now() - dt.timedelta(days=30)
    page = EstimatedPaginator(selectors.hidden_rule_trips(viewer=request.user), 50).get_page(request.GET.get("page"))
    for event in page:
        event.hidden_labels = [rules.render(code, {}, public=True) for code in event.data["hidden_rules"]]
    counts = selectors.hidden_rule_trip_counts(viewer=request.user, since=since)
    return render(request, "sales/hidden_rule_trips.html", {"page": page, "counts": counts})
