from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    """After-sale care: satisfaction checks, cases and returns, member benefits, lifecycle, referrals, messages."""

    name = "care"
    verbose_name = _("After-sale care")

    def ready(self) -> None:
        from . import handoffs

        handoffs.register()
        from core import reference_data

        from . import reference

        reference_data.connect(self, reference.seed)
