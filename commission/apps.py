from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = _("Commission")

    def ready(self) -> None:
        from core import events, reference_data

        from . import reference
        from .services.liability import on_write_off

        reference_data.connect(self, reference.seed)
        events.subscribe(on_write_off)  # a bad-debt write-off's joint liability goes to the commission statement
