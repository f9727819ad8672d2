from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from core.exceptions import ApplicationError
from core.exports import workbook_bytes, xlsx_append, xlsx_response
from core.forms import apply_service_error
from core.models import Activity
from customers.models import Customer
from customers.selectors import customer_get
from reports.selectors import market_prices_of

from . import selectors, services
from .forms import ActionForm, AnswerForm, GoalFormSet, PlanForm, PriceFormSet, ReportForm
from .models import MarketingPlan, MarketReport, PlanStatus, PriceTier
from .permissions import can_answer_escalation
from .rules import lead_lines, lead_prefill
from .workflows import PLAN


def _goals(formset) -> list[services.GoalInput]:
    return [
        services.GoalInput(
            dimension=f.cleaned_data["dimension"] or "product",
            key=f.cleaned_data["key"],
            amount=f.cleaned_data["amount"],
        )
        for f in formset
        if f.cleaned_data.get("key")
    ]


@login_required
def plans(request):
    rows = Paginator(selectors.plans_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "field/plans.html", {"page": rows})


@login_required
def plan_edit(request, pk: int | None = None):
    plan = get_object_or_404(MarketingPlan, pk=pk, owner=request.user) if pk else None
    if plan is not None and plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        return redirect("field:plan", pk=plan.pk)
    initial: dict[str, object] = {"year": timezone.localdate().year + (1 if timezone.localdate().month >= 10 else 0)}
    goals_initial = None
    if plan is not None:
        initial = {"year": plan.year, "activities": plan.activities, "budget": plan.budget}
        goals_initial = [{"dimension": g.dimension, "key": g.key, "amount": g.amount} for g in plan.goals.all()]
    form = PlanForm(request.POST or None, initial=initial)
    formset = GoalFormSet(request.POST or None, prefix="goals", initial=goals_initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.plan_save(actor=request.user, plan=plan, goals=_goals(formset), **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Plan saved. Submit it to your manager when it is ready."))
            return redirect("field:plan", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "field/plan_form.html", {"form": form, "formset": formset, "plan": plan}, status=status)


@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(selectors.plans_for(request.user), pk=pk)
    history = Activity.objects.filter(document=PLAN.document, document_id=plan.pk).select_related("actor")[:50]
    return render(
        request,
        "field/plan_detail.html",
        {"plan": plan, "actions": PLAN.actions_for(request.user, plan), "form": ActionForm(), "history": history},
    )


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    plan = get_object_or_404(selectors.plans_for(request.user), pk=pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            done = services.plan_act(plan=plan, actor=request.user, action=action, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            form.add_error("note", exc.message)
        else:
            messages.success(request, _("Done: the plan is now “%(status)s”.") % {"status": done.get_status_display()})
            return redirect("field:plan", pk=plan.pk)
    return render(
        request,
        "field/plan_detail.html",
        {"plan": plan, "actions": PLAN.actions_for(request.user, plan), "form": form, "history": []},
        status=400,
    )


@login_required
def reports(request):
    page = Paginator(MarketReport.objects.visible_to(request.user).select_related("author"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "field/reports.html", {"page": page, "escalations": selectors.open_escalations(request.user)[:50]}
    )


@login_required
def report_new(request):
    form = ReportForm(request.POST or None, initial={"date": timezone.localdate()})
    formset = PriceFormSet(request.POST or None, prefix="prices")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        prices = [
            services.PriceInput(
                product_id=f.cleaned_data["product"].pk,
                competitor=f.cleaned_data["competitor"],
                competitor_product=f.cleaned_data.get("competitor_product") or "",
                tier=f.cleaned_data.get("tier") or "retail",
                price=f.cleaned_data["price"],
            )
            for f in formset
            if f.cleaned_data.get("product")
        ]
        try:
            report = services.market_report_create(actor=request.user, data=form.cleaned_data, prices=prices)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            if report.escalation:
                messages.success(request, _("Report filed; your manager has been told about the problem."))
            else:
                messages.success(request, _("Report filed."))
            return redirect("field:report", pk=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "field/report_form.html", {"form": form, "formset": formset}, status=status)


def _visible_report(request, pk: int) -> MarketReport:
    """The author and their managers (and the company-wide roles) see a report; anyone else gets a 404."""
    return selectors.visible_report(user=request.user, pk=pk)


@login_required
def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer_escalation(request.user, report):
            raise Http404
        if form.is_valid():
            try:
                services.escalation_answer(report=report, actor=request.user, answer=form.cleaned_data["answer"])
            except ApplicationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Answer sent to %(name)s.") % {"name": report.author})
                return redirect("field:report", pk=report.pk)
    can_answer = report.escalation == "open" and can_answer_escalation(request.user, report)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "field/report_detail.html",
        {
            "report": report,
            "prices": market_prices_of(document="field.report", document_id=report.pk),
            "form": form,
            "can_answer": can_answer,
            "photos": selectors.report_photos([report.pk]).get(report.pk, []),
            "leads": selectors.report_leads(report),
            "photo_types": ",".join(f".{ext}" for ext in sorted(selectors.PHOTO_TYPES)),
        },
        status=status,
    )


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return min(start, end), max(start, end)


def _tier_labels() -> dict[str, str]:
    return {value: str(label) for value, label in PriceTier.choices}


def _intelligence_xlsx(data: selectors.Intelligence, leads: list[dict]):
    """The prices by month, tiers written as their label in the user's language; then every sales lead of the
    period with whether it was turned into a prospect (field.LeadConversion) and which one."""
    tiers = _tier_labels()
    wb = Workbook()
    ws = wb.active
    ws.title = "prices"
    xlsx_append(
        ws,
        [
            _("Month"),
            _("Product"),
            _("Competitor"),
            _("Price tier"),
            _("Region"),
            _("Average"),
            _("Low"),
            _("High"),
            _("Seen"),
        ],
    )
    for r in data.prices:
        xlsx_append(
            ws,
            [
                r["month"].strftime("%Y-%m"),
                f"{r['product_code']} {r['product_name']}".strip(),
                r["competitor"],
                tiers.get(r["tier"], r["tier"]),
                r["region"],
                r["average"],
                r["low"],
                r["high"],
                r["seen"],
            ],
        )
    leads_sheet = wb.create_sheet("leads")
    xlsx_append(
        leads_sheet,
        [
            _("Date"),
            _("Salesperson"),
            _("Sales unit"),
            _("Lead number"),
            _("Sales lead"),
            _("Turned into a prospect"),
            _("Prospect"),
            _("Converted on"),
        ],
    )
    for row in leads:
        report, conversion = row["report"], row["conversion"]
        xlsx_append(
            leads_sheet,
            [
                report.date.isoformat(),
                report.author.get_full_name(),
                report.unit.name,
                row["line"],
                row["text"],
                _("Yes") if conversion else _("No"),
                conversion.customer.name if conversion else "",
                timezone.localdate(conversion.created_at).isoformat() if conversion else "",
            ],
        )
    return xlsx_response("market-intelligence.xlsx", workbook_bytes(wb))


@login_required
def intelligence(request):
    """Competitor prices over time (a chart per product, the table beside it), reports and conflicts per month,
    channel conflicts, leads, new products: for managers and company-wide roles; by period and unit."""
    if not (request.user.is_manager or request.user.is_company_wide):
        raise Http404
    start, end = _period(request)
    units = selectors.intelligence_units(request.user)
    raw_unit = request.GET.get("unit", "")
    unit_id = next((u.pk for u in units if str(u.pk) == raw_unit), None)
    data = selectors.intelligence(user=request.user, start=start, end=end, unit_id=unit_id)
    if request.GET.get("format") == "xlsx":
        leads = selectors.intelligence_lead_rows(user=request.user, start=start, end=end, unit_id=unit_id)
        return _intelligence_xlsx(data, leads)
    products: dict[str, str] = {}
    for r in data.prices:
        label = (
            f"{r['product_code']} {r['product_name']}" if r["product_code"] else _("Not linked to one of our products")
        )
        products.setdefault(r["product_code"], label)
    product = request.GET.get("product", "")
    if product not in products or "product" not in request.GET:
        product = next((code for code in products if code), "")  # one of ours first, the unlinked ones last
    chart = selectors.price_chart(data, start=start, end=end, product=product, tier_labels=_tier_labels())
    chart["labels"] = {
        "price": _("Average price"),
        "reports": _("Market reports"),
        "conflicts": _("Channel conflicts"),
        "leads": _("Sales leads"),
    }
    return render(
        request,
        "field/intelligence.html",
        {
            "data": data,
            "start": start,
            "end": end,
            "units": units,
            "unit_id": unit_id,
            "products": products,
            "product": product,
            "product_label": products.get(product, ""),
            "chart": chart,
        },
    )


def _lead_key(pk: int, line: int) -> str:
    return f"field.lead_convert.{pk}.{line}"


def _lead(request, pk: int, line: int) -> tuple[MarketReport, str]:
    report = _visible_report(request, pk)
    leads = lead_lines(report.leads)
    if not 1 <= line <= len(leads):
        raise Http404
    return report, leads[line - 1]


@login_required
def lead_convert(request, pk: int, line: int):
    """Turn a lead into a prospect: the customers app's registration form, prefilled with what the lead tells (its
    own rules — duplicates, ownership — run on submit), which comes back to `lead_link` with the new customer."""
    report, lead = _lead(request, pk, line)
    done = report.conversions.filter(line=line).first()  # type: ignore[attr-defined]
    if done is not None:
        return redirect("customers:detail", pk=done.customer_id)
    request.session[_lead_key(report.pk, line)] = True  # lead_link links only a conversion started here
    prefill = lead_prefill(lead)
    note = _("Sales lead from the market report of %(date)s at %(place)s: %(lead)s") % {
        "date": report.date.isoformat(),
        "place": report.place,
        "lead": lead,
    }
    query = {
        **{k: v for k, v in prefill.items() if v},
        "region": report.region,
        "notes": note,
        "next": reverse("field:lead_link", args=[report.pk, line]),
    }
    return redirect(f"{reverse('customers:create')}?{urlencode({k: v for k, v in query.items() if v})}")


@login_required
def lead_link(request, pk: int, line: int):
    """Back from the registration: link the lead to the customer just registered (one the user may see)."""
    report, _lead_text = _lead(request, pk, line)
    try:
        customer = customer_get(user=request.user, pk=int(request.GET.get("customer", "")))
    except (ValueError, Customer.DoesNotExist):
        raise Http404 from None
    if not request.session.pop(_lead_key(report.pk, line), False):  # not started by this user's button: no link
        messages.error(request, _("Use the lead's button to turn it into a prospect."))
        return redirect("field:report", pk=report.pk)
    try:
        services.lead_convert(actor=request.user, report=report, line=line, customer_id=customer.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The lead is now the prospect %(name)s.") % {"name": customer.name})
    return redirect("field:report", pk=report.pk)
