from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from core import events, reference_data

        from . import reference, signals  # noqa: F401  (signals: the first scan right after a worker starts)
        from .handoffs import notify_handoff

        events.subscribe(notify_handoff)

        reference_data.connect(self, reference.seed)
