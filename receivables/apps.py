from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    """One receivables module: what is due per shipment and invoice, aging, overdue interest, collections."""

    name = "receivables"
    verbose_name = _("Receivables")
