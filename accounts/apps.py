from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and units")

    def ready(self) -> None:
        from . import signals
        from .roles import sync_role_groups

        signals.connect(self.get_model("User"))

        post_migrate.connect(lambda **kwargs: sync_role_groups(), dispatch_uid="accounts.sync_role_groups", weak=False)
