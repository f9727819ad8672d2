"""SMS delivery behind a small pluggable interface; settings.SMS_BACKEND names the class."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SMSMessage:
    to: str
    body: str


class BaseSMSBackend:
    def send(self, message: SMSMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, message: SMSMessage) -> None:
        logger.info("SMS to %s: %s", message.to, message.body)


class FileSMSBackend(BaseSMSBackend):
    def send(self, message: SMSMessage) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": message.to, "body": message.body})
        with (folder / "sms.log").open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class LocmemSMSBackend(BaseSMSBackend):
    outbox: list[SMSMessage] = []

    def send(self, message: SMSMessage) -> None:
        LocmemSMSBackend.outbox.append(message)


def get_sms_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> None:
    get_sms_backend().send(SMSMessage(to=to, body=body))
