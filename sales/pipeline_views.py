"""The pipeline pages: the board by stage (drag or "move to" on a phone) and the list with filters. Thin: the
stage rules are `sales.pipeline`, the moves `services.pipeline` (through the quote workflow)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import SELLER_ROLES, User
from core.exceptions import ApplicationError

from . import pipeline
from .models import Quote
from .services import pipeline as moves


class PipelineFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    owner = forms.ModelChoiceField(label=gettext_lazy("Salesperson"), queryset=User.objects.none(), required=False)
    month = forms.DateField(
        label=gettext_lazy("Expected close month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, role__in=SELLER_ROLES).order_by("full_name", "username")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        if user.is_company_wide:
            owner.queryset = people
        elif user.is_manager:
            owner.queryset = people.filter(unit_id__in=user.team_unit_ids)
        else:
            del self.fields["owner"]  # a salesperson's pipeline is their own
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = [("", _("All stages")), *((k, str(v)) for k, v in pipeline.STAGES)]
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def filters(self) -> pipeline.Filters:
        if not self.is_valid():
            return pipeline.Filters()
        d = self.cleaned_data
        owner = d.get("owner")
        return pipeline.Filters(
            owner=owner.pk if owner else None, month=d.get("month"), stage=d.get("stage") or None, q=d.get("q") or ""
        )


def _board_context(request, params: QueryDict) -> dict:
    form = PipelineFilterForm(params or None, user=request.user)
    columns = pipeline.board(user=request.user, filters=form.filters())
    return {"form": form, "columns": columns, "query": params.urlencode(), "stages": pipeline.STAGES}


@login_required
def pipeline_board(request):
    return render(request, "sales/pipeline.html", _board_context(request, request.GET))


@login_required
def pipeline_list(request):
    form = PipelineFilterForm(request.GET or None, user=request.user)
    qs = pipeline.pipeline_quotes(user=request.user, filters=form.filters()).select_related("customer", "owner")
    qs = qs.order_by("expected_close", "-updated_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for quote in page:
        quote.stage = dict(pipeline.STAGES).get(pipeline.stage_of(quote) or "", "")
    return render(request, "sales/pipeline_list.html", {"form": form, "page": page})


def _visible_quote(request, pk: int) -> Quote:
    quote = Quote.objects.visible_to(request.user).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


@login_required
@require_POST
def quote_move(request, pk: int):
    quote = _visible_quote(request, pk)
    try:
        moves.quote_move(actor=request.user, quote=quote, stage=request.POST.get("stage", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Quote %(number)s moved.") % {"number": quote.number})
    params = QueryDict(request.POST.get("query", ""))
    if request.headers.get("HX-Request"):
        return render(request, "sales/_pipeline_board.html", _board_context(request, params))
    return redirect(reverse("sales:pipeline") + (f"?{params.urlencode()}" if params else ""))


class ExpectedCloseForm(forms.Form):
    expected_close = forms.DateField(
        label=gettext_lazy("Expected close month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"),
    )


@login_required
@require_POST
def quote_expected_close(request, pk: int):
    quote = _visible_quote(request, pk)
    form = ExpectedCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Expected close month: enter a month such as 2026-05."))
    else:
        try:
            moves.quote_set_expected_close(actor=request.user, quote=quote, month=form.cleaned_data["expected_close"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Expected close month saved."))
    return redirect("sales:quote_detail", pk=quote.pk)
