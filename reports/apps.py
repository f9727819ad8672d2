from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from core import reference_data
        from core.events import subscribe

        from .services.market_prices import market_prices_from_event

        subscribe(market_prices_from_event)

        from . import reference

        reference_data.connect(self, reference.seed)
