from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's reset form; each e-mail is written in its recipient's saved language, not the requester's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        language = getattr(context.get("user"), "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)


class SecondFactorForm(forms.Form):
    """The second step of signing in: the app's 6-digit code, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
