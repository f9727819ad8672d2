from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's reset form; each e-mail is written in its recipient's saved language, not the requester's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        language = getattr(context.get("user"), "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
