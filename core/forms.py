"""The page layer's half of the error convention: a service error becomes a form error."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .exceptions import ApplicationError


def apply_service_error(form: forms.BaseForm, exc: ApplicationError | ValidationError) -> None:
    """Show a service error on the field it names when the form has that field, else as a non-field error.

    An ApplicationError carries one message and maybe a field; a Django ValidationError may carry several
    messages, each shown as its own non-field error.
    """
    if isinstance(exc, ApplicationError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    for message in exc.messages:
        form.add_error(None, message)
