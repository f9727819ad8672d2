from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A business rule refused the action. Views and the API turn it into a 400 naming the field."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", extra: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}


class PermissionDenied(DjangoPermissionDenied):
    """The actor may not do this (who asks, not what is asked): always a 403.

    A subclass of Django's PermissionDenied, so pages answer with the 403 page (showing the message) and code that
    catches Django's class keeps working; the API's exception handler answers 403 with the message and the code.
    It is deliberately not an ApplicationError: a refusal of *who* is never turned into a form error or a 400.
    Seeing another's record stays a 404 (visibility), not this.
    """

    default_message = _("You do not have permission to perform this action.")

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str = "forbidden"):
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)
        self.field = field
        self.code = code
