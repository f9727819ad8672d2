from django.conf import settings
from django.contrib.postgres.fields import ArrayField
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


class Activity(models.Model):
    """A handoff on a document (submitted, approved, rejected, commented, reassigned…), written once by the service
    in the transaction of the state change and published to the subscribers (`core.events`)."""

    document = models.CharField(_("document type"), max_length=40)
    document_id = models.BigIntegerField(_("document id"))
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    recipient_ids = ArrayField(models.BigIntegerField(), verbose_name=_("recipients"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["document", "document_id"], name="activity_document")]

    def __str__(self) -> str:
        return f"{self.document}:{self.document_id} {self.action}"
