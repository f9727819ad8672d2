"""QuerySets shared by several apps."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class EffectiveDatedQuerySet(models.QuerySet[_M]):
    """Rows of an effective-dated policy: each row is in force from its `effective_from` until the next one."""

    def in_force(self, on: dt.date) -> _M | None:
        """The row in force on `on`: the latest `effective_from` on or before that day (None if none yet).

        Where several rows share a date (policies whose date is not unique), the latest written wins."""
        return self.filter(effective_from__lte=on).order_by("-effective_from", "-pk").first()
