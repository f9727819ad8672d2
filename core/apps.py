from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import reference_data

        from . import (
            checks,  # noqa: F401 - registers the system checks
            reference,
        )

        reference_data.connect(self, reference.seed)
