from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Channel, CustomerMessagingPreference, FollowUpRule, ReminderSettings

SNOOZE_CHOICES = [
    ("1h", _("1 hour")),
    ("tomorrow", _("Tomorrow morning")),
    ("3d", _("3 days")),
    ("1w", _("1 week")),
]


def snooze_until(choice: str, *, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    local = timezone.localtime(now)
    if choice == "1h":
        return now + dt.timedelta(hours=1)
    if choice == "tomorrow":
        return (local + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    if choice == "3d":
        return now + dt.timedelta(days=3)
    return now + dt.timedelta(days=7)


class SnoozeForm(forms.Form):
    choice = forms.ChoiceField(label=_("Snooze for"), choices=SNOOZE_CHOICES)


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "next_step_lead_days",
            "reorder_lead_days",
            "reorder_notify_customer",
            "card_filing_lead_days",
            "membership_renewal_lead_days",
            "daily_report_hour",
            "quiet_start",
            "quiet_end",
            "catch_up_days",
            "max_attempts",
            "retry_base_seconds",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class FollowUpRuleForm(forms.ModelForm):
    class Meta:
        model = FollowUpRule
        fields = ["category", "days_after_delivery", "is_active"]


FollowUpRuleFormSet = forms.modelformset_factory(FollowUpRule, form=FollowUpRuleForm, extra=1, can_delete=True)


class MessagingPreferenceForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=[(Channel.SMS, _("SMS")), (Channel.EMAIL, _("E-mail"))])

    class Meta:
        model = CustomerMessagingPreference
        fields = ["opted_in", "channel", "language", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))


class NotificationPreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=_("Send me a daily e-mail of the day's unread notifications"),
        required=False,
        help_text=_("Sent at day's end, in your language. The bell always shows everything."),
    )
    muted = forms.MultipleChoiceField(
        label=_("Leave these out of the e-mail"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from .handoffs import DIGEST_KINDS

        super().__init__(*args, **kwargs)
        self.fields["muted"].choices = [(k, label) for k, (label, _actions) in DIGEST_KINDS.items()]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))
