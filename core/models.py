from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TaskHeartbeat(models.Model):
    """Written by the core.heartbeat Celery task: proves a worker ran a task, and when."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task heartbeat")
        verbose_name_plural = _("task heartbeats")

    def __str__(self) -> str:
        return f"{self.token}: {self.runs}"
