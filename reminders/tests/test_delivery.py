import datetime as dt
import json
import threading
import urllib.parse
import zoneinfo
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from reminders.delivery import DeliveryError, HttpSMSBackend, ReminderSMS, in_quiet_hours, next_allowed_time

TPE = zoneinfo.ZoneInfo("Asia/Taipei")


class FakeProvider(BaseHTTPRequestHandler):
    received: list = []
    status = 201

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeProvider.received.append((dict(self.headers), form))
        self.send_response(FakeProvider.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"sid": "SM123"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeProvider.received = []
    FakeProvider.status = 201
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/Accounts/AC1/Messages.json"
    settings.SMS_HTTP_USER = "AC1"
    settings.SMS_HTTP_PASSWORD = "secret"
    settings.SMS_HTTP_FROM = "+886900000000"
    settings.SMS_HTTP_TIMEOUT = 5
    yield FakeProvider
    server.shutdown()


def test_http_sms_backend_posts_twilio_style_form(provider):
    HttpSMSBackend().send(ReminderSMS(to="+886912345678", body="補貨提醒", idempotency_key="reorder:1#0"))
    [(headers, form)] = provider.received
    assert form == {"To": ["+886912345678"], "From": ["+886900000000"], "Body": ["補貨提醒"]}
    assert headers["Idempotency-Key"] == "reorder:1#0"
    assert headers["Authorization"].startswith("Basic ")


def test_http_sms_backend_error_is_a_delivery_error(provider):
    provider.status = 503
    with pytest.raises(DeliveryError, match="503"):
        HttpSMSBackend().send(ReminderSMS(to="+886912345678", body="x"))


def test_unreachable_provider_is_a_delivery_error(settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/none"
    settings.SMS_HTTP_TIMEOUT = 2
    with pytest.raises(DeliveryError):
        HttpSMSBackend().send(ReminderSMS(to="+886912345678", body="x"))


def test_http_sms_backend_through_the_sender(provider, settings, db):
    from customers.tests.factories import CustomerFactory
    from reminders.models import Audience, Delivery, ReminderKind
    from reminders.sender import reminder_send_next

    from .factories import PreferenceFactory, ReminderFactory

    settings.SMS_BACKEND = "reminders.delivery.HttpSMSBackend"
    customer = CustomerFactory(phone="0912-111-222")
    PreferenceFactory(customer=customer, language="zh-hant")
    r = ReminderFactory(
        kind=ReminderKind.REORDER,
        audience=Audience.CUSTOMER,
        owner=customer.owner,
        customer=customer,
        params={"customer": "甲公司", "product": "濾心", "last_on": "2026-11-01", "expected_on": "2026-12-12"},
    )
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=TPE), tick=False):
        r.send_after = dt.datetime(2026, 12, 5, 9, tzinfo=TPE)
        r.save()
        assert reminder_send_next() == "sent"
    [(_headers, form)] = provider.received
    assert "濾心" in form["Body"][0] and "補貨" in form["Body"][0]
    assert Delivery.objects.get(reminder=r).to == "+886912111222"  # stored and sent in E.164


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (7, 59, True), (8, 0, False), (12, 0, False)],
)
def test_quiet_hours_span_midnight(hour, minute, quiet):
    moment = dt.datetime(2026, 12, 5, hour, minute, tzinfo=TPE)
    assert in_quiet_hours(moment, start=dt.time(21), end=dt.time(8)) is quiet


def test_next_allowed_time():
    q = {"start": dt.time(21), "end": dt.time(8)}
    evening = dt.datetime(2026, 12, 5, 22, 0, tzinfo=TPE)
    assert next_allowed_time(evening, **q) == dt.datetime(2026, 12, 6, 8, 0, tzinfo=TPE)
    early = dt.datetime(2026, 12, 6, 3, 0, tzinfo=TPE)
    assert next_allowed_time(early, **q) == dt.datetime(2026, 12, 6, 8, 0, tzinfo=TPE)
    noon = dt.datetime(2026, 12, 6, 12, 0, tzinfo=TPE)
    assert next_allowed_time(noon, **q) == noon
