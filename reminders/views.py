from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import apply_service_error
from core.pagination import EstimatedPaginator
from customers.models import Customer

from . import preferences, selectors, services
from .customer_messages import PLACEHOLDERS, TEMPLATE_KINDS, preview_message
from .forms import FollowUpRuleFormSet, MessagingPreferenceForm, ReminderSettingsForm, SnoozeForm, snooze_until
from .messages import link
from .messages import render as render_text
from .models import CustomerMessagingPreference, MessageTemplate, Reminder, ReminderSettings

TABS = ["due", "upcoming", "snoozed", "done", "failed", "team"]


def _back(request, default: str):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


@login_required
def inbox(request):
    tab = request.GET.get("tab", "due")
    if tab not in TABS:
        tab = "due"
    page = EstimatedPaginator(selectors.reminder_inbox(user=request.user, tab=tab), 50).get_page(
        request.GET.get("page")
    )
    rows = [(r, *render_text(r), link(r)) for r in page.object_list]
    return render(
        request,
        "reminders/inbox.html",
        {
            "tab": tab,
            "page": page,
            "rows": rows,
            "counts": selectors.inbox_counts(user=request.user),
            "snooze_form": SnoozeForm(),
            "show_team": request.user.is_manager or request.user.is_company_wide,
        },
    )


def _own_reminder(request, pk: int) -> Reminder:
    reminder = get_object_or_404(Reminder.objects.visible_to(request.user), pk=pk)
    if reminder.owner_id != request.user.pk:
        raise Http404
    return reminder


@login_required
@require_POST
def snooze(request, pk: int):
    reminder = _own_reminder(request, pk)
    form = SnoozeForm(request.POST)
    if form.is_valid():
        try:
            services.reminder_snooze(
                reminder_id=reminder.pk, actor=request.user, until=snooze_until(form.cleaned_data["choice"])
            )
            messages.success(request, _("Reminder snoozed."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose how long to snooze."))
    return _back(request, "reminders:inbox")


@login_required
@require_POST
def done(request, pk: int):
    reminder = _own_reminder(request, pk)
    try:
        services.reminder_done(reminder_id=reminder.pk, actor=request.user)
        messages.success(request, _("Reminder done."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "reminders:inbox")


@login_required
@require_POST
def reopen(request, pk: int):
    reminder = _own_reminder(request, pk)
    try:
        services.reminder_reopen(reminder_id=reminder.pk, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "reminders:inbox")


@login_required
@require_POST
def retry(request, pk: int):
    reminder = get_object_or_404(Reminder.objects.visible_to(request.user), pk=pk)
    try:
        services.reminder_retry(reminder_id=reminder.pk, actor=request.user)
        messages.success(request, _("Delivery queued again."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "reminders:inbox")


@login_required
def bell(request):
    """The navbar bell with its unread count: polled by htmx, so a handoff shows without a reload."""
    n = selectors.unread_notification_count(user=request.user)
    return render(request, "reminders/_bell.html", {"unread_notifications": n})


@login_required
def notifications(request):
    page = EstimatedPaginator(selectors.notification_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "reminders/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.notification_mark_read(notification_id=pk, actor=request.user)
    except ApplicationError as exc:
        raise Http404 from exc
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    return _back(request, "reminders:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(actor=request.user)
    return _back(request, "reminders:notifications")


@login_required
def settings_view(request):
    if not request.user.is_admin_role:
        raise PermissionDenied
    cfg = ReminderSettings.load()
    form = ReminderSettingsForm(request.POST or None, instance=cfg, prefix="cfg")
    rules = FollowUpRuleFormSet(request.POST or None, prefix="rules")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        try:
            with transaction.atomic():
                values = {f: form.cleaned_data[f] for f in form.cleaned_data}
                services.reminder_settings_update(actor=request.user, **values)
                rules.save()
        except (ApplicationError, ValidationError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("reminders:settings")
    return render(request, "reminders/settings.html", {"form": form, "rules": rules})


@login_required
def preference_edit(request, customer_pk: int):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    instance = CustomerMessagingPreference.objects.filter(customer=customer).first()
    form = MessagingPreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_preference_set(customer=customer, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Messaging preference saved."))
            return redirect(f"/customers/{customer.pk}/")
    return render(request, "reminders/preference.html", {"form": form, "customer": customer})


@login_required
def message_templates(request):
    """The admin's words for customer messages, one form per kind and language, with a preview."""
    if not request.user.is_admin_role:
        raise PermissionDenied
    errors: dict[tuple[str, str], str] = {}
    posted: dict[tuple[str, str], str] = {}
    if request.method == "POST":
        kind, language = request.POST.get("kind", ""), request.POST.get("language", "")
        body = request.POST.get("body", "")
        if (kind, language) not in {(k, lang) for k, _l in TEMPLATE_KINDS for lang, _n in django_settings.LANGUAGES}:
            messages.error(request, _("Choose a kind and a language from the page."))
        else:
            try:
                preferences.message_template_save(actor=request.user, kind=kind, language=language, body=body)
            except ApplicationError as exc:
                errors[(kind, language)] = exc.message
                posted[(kind, language)] = body
            else:
                messages.success(request, _("Saved."))
                return redirect("reminders:message_templates")
    stored = {(t.kind, t.language): t.body for t in MessageTemplate.objects.all()}
    rows = []
    for kind, kind_label in TEMPLATE_KINDS:
        for language, language_label in django_settings.LANGUAGES:
            body = posted.get((kind, language), stored.get((kind, language), ""))
            rows.append(
                {
                    "kind": kind,
                    "kind_label": kind_label,
                    "language": language,
                    "language_label": language_label,
                    "body": body,
                    "error": errors.get((kind, language), ""),
                    "preview": preview_message(kind=kind, language=language, body=body),
                }
            )
    placeholders = list(PLACEHOLDERS.items())
    return render(
        request,
        "reminders/message_templates.html",
        {"rows": rows, "placeholders": placeholders},
        status=400 if errors else 200,
    )
