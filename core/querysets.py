"""QuerySets shared by several apps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models


class EffectiveDatedQuerySet(models.QuerySet[Any]):
    """Rows of an effective-dated policy: each row is in force from its `effective_from` until the next one."""

    def in_force(self, on: dt.date) -> models.Model | None:
        """The row in force on `on`: the latest `effective_from` on or before that day (None if none yet)."""
        return self.filter(effective_from__lte=on).order_by("-effective_from").first()
