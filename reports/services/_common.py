"""Helpers shared by the reports services."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction


def _create_row(model, key: dict[str, Any], defaults: dict[str, Any]):
    """Insert the row for `key` and lock it; if a concurrent request inserted it first (unique constraint), lock
    theirs instead. Either way the caller continues with a locked row, and two requests never give a 500."""
    try:
        with transaction.atomic():
            row = model.objects.create(**key, **defaults)
    except IntegrityError:
        pass
    else:
        return model.objects.select_for_update().get(pk=row.pk)
    return model.objects.select_for_update().get(**key)
