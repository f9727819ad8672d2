"""Reference rows every install needs (default policies, the rule book's lists, the periodic tasks).

The data migrations create them once; a database flush (``manage.py flush``, and every transactional test, which
flushes when it ends) deletes them again. Each app therefore also keeps its rows in a ``reference.seed(apps)``
function connected here to ``post_migrate``, which Django sends after every ``migrate`` and every ``flush``: the
rows are back whatever emptied the tables. Seeders only create what is missing (get-or-create), never overwrite
what an admin changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

Seeder = Callable[[Any], None]


def connect(app_config: AppConfig, seeder: Seeder) -> None:
    """Run `seeder(apps)` after each migrate and flush of the app's database."""

    def _on_post_migrate(sender, apps=global_apps, **kwargs) -> None:
        try:
            seeder(apps)
        except LookupError:  # migrating backwards to before a model existed: nothing to seed
            return

    post_migrate.connect(_on_post_migrate, sender=app_config, weak=False, dispatch_uid=f"{app_config.label}_reference")


def periodic_task(
    apps,
    name: str,
    task: str,
    *,
    every: tuple[int, str] | None = None,
    crontab: dict[str, str] | None = None,
    **defaults: Any,
) -> None:
    """A django-celery-beat row, created with its schedule when missing (an admin's edits to it are kept)."""
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    if periodic.objects.filter(name=name).exists():
        return
    if every is not None:
        interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
            every=every[0], period=every[1]
        )
        defaults["interval"] = interval
    if crontab is not None:
        schedule, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
            **{"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "Asia/Taipei", **crontab}
        )
        defaults["crontab"] = schedule
    periodic.objects.get_or_create(name=name, defaults={"task": task, "enabled": True, **defaults})
