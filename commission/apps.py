from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionConfig(AppConfig):
    name = "commission"
    verbose_name = _("Commission")

    def ready(self) -> None:
        from core import reference_data

        from . import reference

        reference_data.connect(self, reference.seed)
