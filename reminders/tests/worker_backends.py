"""Fake providers for the worker tests: each accepted message is one line "key pid" in settings.DELIVERY_LOG."""

import os
import time

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from core.sms import BaseSMSBackend


def _log(key: str) -> None:
    if settings.DELIVERY_DELAY:
        time.sleep(settings.DELIVERY_DELAY)  # the provider's network round trip
    fd = os.open(settings.DELIVERY_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{key} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


class LogEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            _log(message.extra_headers.get("X-Reminder-Key", "?"))
        return len(email_messages)


class LogSMSBackend(BaseSMSBackend):
    def send(self, message):
        _log(getattr(message, "idempotency_key", "?"))
