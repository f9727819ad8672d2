"""三竹簡訊 (Mitake) — a Taiwanese SMS provider's HTTP API.

Unlike a REST API, Mitake answers HTTP 200 for almost everything and puts the outcome in the body, as
`key=value` lines (UTF-8 with `CharsetURL=UTF-8`)::

    [1]
    msgid=1010079522
    statuscode=1
    AccountPoint=98

A refusal is the same 200 with a letter code, e.g. ``statuscode=e`` (wrong account or password) and an ``Error=``
line. So the body is always parsed: a 2xx alone proves nothing. The message id goes on the Delivery row; Mitake
later calls `response_url` with the final status of that id (`delivery_report` below), and `clientid` (our dedup
key) makes Mitake drop a resend of a message it already took (it answers ``Duplicate=Y``).

Settings: MITAKE_URL (default https://smsapi.mitake.com.tw/api/mtk/SmSend), MITAKE_USERNAME, MITAKE_PASSWORD,
MITAKE_RESPONSE_URL (our delivery-report URL, with its secret; optional), SMS_HTTP_TIMEOUT.
"""

from __future__ import annotations

import hashlib
import logging
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from core.sms import BaseSMSBackend, SendResult, SMSMessage

from .delivery import DeliveryError

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://smsapi.mitake.com.tw/api/mtk/SmSend"

# Numeric codes: where the message is. 0-4 taken or delivered; 5-9 final failures.
ACCEPTED = {"0", "1", "2"}
DELIVERED = {"4"}
FAILED = {"5", "6", "7", "8", "9"}
# Letter codes: the request itself was refused. Retrying helps only for the provider's own trouble or credit.
TRANSIENT = {"*", "a", "b", "l", "r", "s"}  # system error, service paused, too many connections, no credit
STATUS_TEXT = {
    "0": "scheduled",
    "1": "sent to the carrier",
    "2": "sent to the carrier",
    "4": "delivered to the phone",
    "5": "content error",
    "6": "number error",
    "7": "SMS disabled",
    "8": "expired without delivery",
    "9": "schedule cancelled",
    "*": "provider system error",
    "a": "sending suspended",
    "b": "sending suspended",
    "c": "account missing",
    "d": "password missing",
    "e": "wrong account or password",
    "f": "account expired",
    "h": "account disabled",
    "k": "address not allowed",
    "l": "too many connections",
    "m": "password must be changed",
    "n": "password expired",
    "p": "no permission for the HTTP API",
    "r": "service paused",
    "s": "billing failed (no credit left)",
    "t": "message expired",
    "u": "empty message",
    "v": "invalid mobile number",
    "y": "parameter error",
}


def parse(body: str) -> dict[str, str]:
    """The `key=value` lines of an answer (the `[1]` section header and blank lines skipped); keys lower-cased."""
    answer: dict[str, str] = {}
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith("[") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        answer.setdefault(key.strip().lower(), value.strip())
    return answer


def outcome(code: str) -> str:
    """'delivered', 'accepted' or 'failed' for a numeric status code (a delivery report or a send answer)."""
    if code in DELIVERED:
        return "delivered"
    if code in ACCEPTED:
        return "accepted"
    return "failed"


def national_number(phone: str) -> str:
    """Digits of a Taiwanese number in national form, as Mitake wants them: +886 912 345 678, 886912345678 and
    0912-345-678 all become 0912345678."""
    digits = re.sub(r"\D", "", str(phone or ""))
    if digits.startswith("886"):
        digits = "0" + digits[3:]
    return digits


def client_id(key: str) -> str:
    """Mitake's clientid is at most 36 characters: a hash of our dedup key is stable and short enough."""
    return hashlib.sha256(key.encode()).hexdigest()[:36] if key else ""


class MitakeSMSBackend(BaseSMSBackend):
    def __init__(self) -> None:
        self.url = getattr(settings, "MITAKE_URL", DEFAULT_URL)
        self.username = getattr(settings, "MITAKE_USERNAME", "")
        self.password = getattr(settings, "MITAKE_PASSWORD", "")
        self.response_url = getattr(settings, "MITAKE_RESPONSE_URL", "")
        self.timeout = getattr(settings, "SMS_HTTP_TIMEOUT", 10)
        if not self.url.startswith(("https://", "http://")):
            raise DeliveryError("MITAKE_URL must be an http(s) URL", permanent=True)

    def send(self, message: SMSMessage) -> SendResult | None:
        fields = {
            "username": self.username,
            "password": self.password,
            "dstaddr": national_number(message.to),
            "smbody": message.body,
        }
        key = client_id(getattr(message, "idempotency_key", ""))
        if key:
            fields["clientid"] = key
        if self.response_url:
            fields["response"] = self.response_url
        url = f"{self.url}?{urllib.parse.urlencode({'CharsetURL': 'UTF-8'})}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST"
        )
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(64 * 1024).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"Mitake answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"Mitake unreachable: {exc}") from exc
        answer = parse(body)
        code = answer.get("statuscode", "")
        detail = STATUS_TEXT.get(code, answer.get("error", "") or "unknown answer")
        if code in ACCEPTED or code in DELIVERED:
            logger.info("SMS to %s taken by Mitake: msgid %s (%s)", message.to, answer.get("msgid", ""), detail)
            return SendResult(message_id=answer.get("msgid", ""), status=outcome(code), detail=detail)
        if answer.get("duplicate", "").upper() == "Y":  # a resend of a message Mitake already took
            return SendResult(message_id=answer.get("msgid", ""), status="accepted", detail="duplicate of a sent SMS")
        error = f"Mitake refused the SMS: statuscode={code or '?'} ({detail})"
        raise DeliveryError(error, permanent=code not in TRANSIENT)
