"""Delivery channels: in-app (a Notification row), e-mail (Django's backend) and SMS (core.sms backends).

Also the quiet hours rule and one real SMS provider adapter (a Twilio-style HTTP API, stdlib urllib only).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from core.sms import BaseSMSBackend, SendResult, SMSMessage, get_sms_backend

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel refused or failed; the sender retries with backoff unless the refusal is `permanent` (a wrong
    number, a blocked message: retrying cannot help)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class ReminderSMS(SMSMessage):
    """An SMS that carries the reminder's dedup key, so providers with idempotency keys drop a resend."""

    idempotency_key: str = ""


# --- quiet hours -----------------------------------------------------------------------------------------


def in_quiet_hours(moment: dt.datetime, *, start: dt.time, end: dt.time) -> bool:
    local = timezone.localtime(moment).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # spans midnight, e.g. 21:00-08:00


def next_allowed_time(moment: dt.datetime, *, start: dt.time, end: dt.time) -> dt.datetime:
    """The moment itself, or the end of the quiet period it falls in (local time)."""
    if not in_quiet_hours(moment, start=start, end=end):
        return moment
    local = timezone.localtime(moment)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


# --- channels --------------------------------------------------------------------------------------------


def send_email(*, to: str, subject: str, body: str, key: str) -> None:
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers={"X-Reminder-Key": key}
    )
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:
        raise DeliveryError(f"e-mail to {to} failed: {exc}") from exc
    if not sent:
        raise DeliveryError(f"e-mail to {to} was not accepted")


def send_sms(*, to: str, body: str, key: str) -> SendResult | None:
    try:
        return get_sms_backend().send(ReminderSMS(to=to, body=body, idempotency_key=key))
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(f"SMS to {to} failed: {exc}") from exc


# --- a real provider -------------------------------------------------------------------------------------


class HttpSMSBackend(BaseSMSBackend):
    """Twilio-style REST API: POST {SMS_HTTP_URL} form-encoded To/From/Body with HTTP basic auth.

    Settings: SMS_HTTP_URL (e.g. https://api.twilio.com/2010-04-01/Accounts/<sid>/Messages.json),
    SMS_HTTP_USER, SMS_HTTP_PASSWORD, SMS_HTTP_FROM, SMS_HTTP_TIMEOUT (seconds, default 10).
    The reminder's dedup key goes out as the Idempotency-Key header. A 2xx answer is success; anything else,
    or no answer, raises DeliveryError so the sender retries.
    """

    def __init__(self) -> None:
        self.url = settings.SMS_HTTP_URL
        self.user = getattr(settings, "SMS_HTTP_USER", "")
        self.password = getattr(settings, "SMS_HTTP_PASSWORD", "")
        self.sender = getattr(settings, "SMS_HTTP_FROM", "")
        self.timeout = getattr(settings, "SMS_HTTP_TIMEOUT", 10)
        if not self.url.startswith(("https://", "http://")):
            raise DeliveryError("SMS_HTTP_URL must be an http(s) URL")

    def send(self, message: SMSMessage) -> SendResult | None:
        data = urllib.parse.urlencode({"To": message.to, "From": self.sender, "Body": message.body}).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310 - scheme checked above
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        key = getattr(message, "idempotency_key", "")
        if key:
            request.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise DeliveryError(f"SMS provider answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"SMS provider unreachable: {exc}") from exc
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        logger.info("SMS to %s accepted by provider: %s", message.to, answer.get("sid", ""))
        return SendResult(message_id=str(answer.get("sid", "")), status=str(answer.get("status", "accepted")))
