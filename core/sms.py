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


@dataclass(frozen=True)
class SendResult:
    """What a provider said when it took a message: its id (for delivery reports) and its status code."""

    message_id: str = ""
    status: str = ""
    detail: str = ""


class BaseSMSBackend:
    """A provider adapter. `send` returns what the provider said (or None when it says nothing) and raises on
    refusal; a refusal that will not go away by retrying (bad number, bad password) is `permanent`."""

    def send(self, message: SMSMessage) -> SendResult | None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, message: SMSMessage) -> SendResult | None:
        logger.info("SMS to %s: %s", message.to, message.body)
        return None


class FileSMSBackend(BaseSMSBackend):
    def send(self, message: SMSMessage) -> SendResult | None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": message.to, "body": message.body})
        with (folder / "sms.log").open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return None


class LocmemSMSBackend(BaseSMSBackend):
    outbox: list[SMSMessage] = []

    def send(self, message: SMSMessage) -> SendResult | None:
        LocmemSMSBackend.outbox.append(message)
        return SendResult(message_id=f"locmem-{len(LocmemSMSBackend.outbox)}", status="accepted")


def get_sms_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> SendResult | None:
    return get_sms_backend().send(SMSMessage(to=to, body=body))
