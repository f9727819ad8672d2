from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import EffectiveDatedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EffectiveDatedPolicy(models.Model):
    """A policy kept as rows that never change back: each is in force from `effective_from` until the next one.

    `Model.objects.in_force(day)` is the row in force on `day` (the latest `effective_from` <= day), or None.
    A subclass that needs a different field (not unique, indexed) or ordering redeclares it.
    """

    effective_from = models.DateField(_("effective from"), unique=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-effective_from"]


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
