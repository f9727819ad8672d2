from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """Yearly marketing plans, market patrol and registry reports, market intelligence, escalations, lessons."""

    name = "field"
    verbose_name = _("Field intelligence")

    def ready(self) -> None:
        from . import handoffs, selectors

        handoffs.register()
        selectors.register_photo_target()
