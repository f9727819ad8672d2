from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The role-aware home page and demo data: the top layer, reading every app below it."""

    name = "workspace"
    verbose_name = _("Workspace")
