from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents a customer receives (quote, contract, statement PDFs), company settings and attachments."""

    name = "documents"
    verbose_name = _("Documents")
