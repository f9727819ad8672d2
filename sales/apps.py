from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from core import events

        from .services.contracts import contract_file_on_receipts

        # The documents app (above sales) publishes when all three departments hold the original: file then.
        events.subscribe(contract_file_on_receipts)
        from core import reference_data

        from . import reference

        reference_data.connect(self, reference.seed)
