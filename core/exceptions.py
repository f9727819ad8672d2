from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the action. Views and the API turn it into a 400 naming the field."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", extra: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}
