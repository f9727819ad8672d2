"""Messages customers can act on: signed with the company and the salesperson, an opt-out in every message, consent
recorded, opt-out by link and by STOP / 退訂 reply, and the Mitake adapter against a fake that answers like it."""

import datetime as dt
import threading
import urllib.parse
import zoneinfo
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, SalespersonFactory
from core.sms import LocmemSMSBackend, SMSMessage
from customers.tests.factories import CustomerFactory
from reminders.customer_messages import opt_out_token, render, template_errors
from reminders.delivery import DeliveryError, ReminderSMS
from reminders.mitake import MitakeSMSBackend, national_number, parse
from reminders.models import (
    Audience,
    ConsentEvent,
    CustomerMessagingPreference,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    ProviderStatus,
    ReminderKind,
)
from reminders.preferences import messaging_preference_set
from reminders.sender import reminder_send_next

from .factories import PreferenceFactory, ReminderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def daytime():
    """Customer messages wait for the end of the quiet hours (21:00-08:00): send them at 10:00 Taipei today."""
    moment = dt.datetime.combine(timezone.localdate(), dt.time(10, 0), tzinfo=zoneinfo.ZoneInfo("Asia/Taipei"))
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture(autouse=True)
def _company(settings):
    settings.COMPANY_NAME = "大同紡織股份有限公司"
    settings.PUBLIC_BASE_URL = "https://crm.example.tw"
    settings.SMS_WEBHOOK_TOKEN = "s3cret-hook"
    LocmemSMSBackend.outbox.clear()
    yield
    LocmemSMSBackend.outbox.clear()


def reorder_for(customer, **kw):
    return ReminderFactory(
        kind=ReminderKind.REORDER,
        audience=Audience.CUSTOMER,
        owner=customer.owner,
        customer=customer,
        params={"customer": customer.name, "product": "濾心", "last_on": "2026-11-01", "expected_on": "2026-12-12"},
        **kw,
    )


def make_customer(phone="+886912345678", language="zh-hant"):
    owner = SalespersonFactory(full_name="王小明", phone="0922-111-222")
    customer = CustomerFactory(owner=owner, unit=owner.unit, phone=phone)
    PreferenceFactory(customer=customer, language=language)
    return customer


# --- the words ----------------------------------------------------------------------------------------------


def test_built_in_message_names_company_salesperson_phone_and_opt_out():
    customer = make_customer()
    title, body = render(reorder_for(customer), language="zh-hant")
    assert "濾心" in title
    assert "大同紡織股份有限公司" in body and "0922-111-222" in body
    assert "王小明" in body
    token = opt_out_token(customer.pk)
    assert f"https://crm.example.tw/m/u/{token}/" in body
    assert "退訂" in body  # the opt-out line is in the customer's language


def test_admin_template_is_used_and_the_opt_out_link_is_added_when_missing():
    customer = make_customer(language="en")
    MessageTemplate.objects.create(
        kind=ReminderKind.REORDER, language="en", body="{company}: {customer}, time to reorder {product}. {salesperson}"
    )
    _title, body = render(reorder_for(customer), language="en")
    assert body.startswith(f"大同紡織股份有限公司: {customer.name}, time to reorder 濾心.")
    assert "Unsubscribe: https://crm.example.tw/m/u/" in body


@pytest.mark.parametrize(
    "text, ok",
    [
        ("{company} {opt_out}", True),
        ("{customer.__class__}", False),  # no attribute access
        ("{password}", False),
        ("{product!r}", False),
        ("{product:>10}", False),
        ("unbalanced {", False),
        ("literal {{braces}}", True),
    ],
)
def test_template_placeholders_are_a_closed_list(text, ok):
    assert (template_errors(text) == []) is ok


def test_template_page_is_for_admins_and_names_the_bad_placeholder(client):
    client.force_login(SalespersonFactory())
    assert client.get(reverse("reminders:message_templates")).status_code == 403
    admin = AdminFactory()
    client.force_login(admin)
    page = client.get(reverse("reminders:message_templates"))
    assert page.status_code == 200 and "{opt_out}" in page.content.decode()
    bad = client.post(
        reverse("reminders:message_templates"), {"kind": "reorder", "language": "en", "body": "Hi {password}"}
    )
    assert bad.status_code == 400 and "{password}" in bad.content.decode()
    assert not MessageTemplate.objects.exists()
    good = client.post(
        reverse("reminders:message_templates"), {"kind": "reorder", "language": "en", "body": "Hi {customer}"}
    )
    assert good.status_code == 302
    assert MessageTemplate.objects.get().updated_by == admin


# --- consent ------------------------------------------------------------------------------------------------


def test_staff_consent_changes_are_recorded_with_who_and_through_what():
    customer = CustomerFactory(phone="+886912345678")
    messaging_preference_set(customer=customer, actor=customer.owner, opted_in=True)
    messaging_preference_set(customer=customer, actor=customer.owner, opted_in=True)  # no change, no event
    messaging_preference_set(customer=customer, actor=customer.owner, opted_in=False)
    events = list(ConsentEvent.objects.order_by("id").values_list("given", "source", "by"))
    assert events == [(True, "staff", customer.owner.pk), (False, "staff", customer.owner.pk)]


def test_opt_out_link_get_changes_nothing_post_unsubscribes_at_once(client, daytime):
    customer = make_customer()
    pending = reorder_for(customer)
    url = reverse("opt_out", kwargs={"token": opt_out_token(customer.pk)})
    page = client.get(url)
    assert page.status_code == 200 and CustomerMessagingPreference.objects.get(customer=customer).opted_in
    done = client.post(url)
    assert done.status_code == 200 and b"opt-out-done" in done.content
    assert not CustomerMessagingPreference.objects.get(customer=customer).opted_in
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.CANCELLED
    assert ConsentEvent.objects.get(customer=customer).source == "link"
    assert reminder_send_next() is None  # nothing left to send


def test_opt_out_link_with_a_forged_token_is_a_404(client):
    customer = make_customer()
    forged = opt_out_token(customer.pk)[:-2] + "xx"
    assert client.post(reverse("opt_out", kwargs={"token": forged})).status_code == 404
    assert CustomerMessagingPreference.objects.get(customer=customer).opted_in


@pytest.mark.parametrize("word", ["STOP", "退訂", " td ", "Stop!"])
def test_stop_reply_unsubscribes_that_number_in_any_format(client, word):
    customer = make_customer(phone="+886912345678")
    other = make_customer(phone="+886933000111")
    url = reverse("sms_reply", kwargs={"token": "s3cret-hook"})
    response = client.post(url, {"srcaddr": "0912-345-678", "smbody": word})
    assert response.status_code == 200
    assert not CustomerMessagingPreference.objects.get(customer=customer).opted_in
    assert CustomerMessagingPreference.objects.get(customer=other).opted_in
    assert ConsentEvent.objects.get(customer=customer).source == "reply"


def test_other_replies_and_a_wrong_webhook_secret_change_nothing(client):
    customer = make_customer()
    assert (
        client.post(
            reverse("sms_reply", kwargs={"token": "s3cret-hook"}), {"srcaddr": "0912345678", "smbody": "好的謝謝"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            reverse("sms_reply", kwargs={"token": "guess"}), {"srcaddr": "0912345678", "smbody": "STOP"}
        ).status_code
        == 404
    )
    assert CustomerMessagingPreference.objects.get(customer=customer).opted_in


# --- the Mitake adapter against a fake that answers like Mitake ------------------------------------------------


class FakeMitake(BaseHTTPRequestHandler):
    answer = ""
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeMitake.received.append((self.path, urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))))
        body = FakeMitake.answer.encode("utf-8")
        self.send_response(200)  # Mitake answers 200 whatever happened
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def mitake(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeMitake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeMitake.received = []
    settings.MITAKE_URL = f"http://127.0.0.1:{server.server_port}/api/mtk/SmSend"
    settings.MITAKE_USERNAME = "crm"
    settings.MITAKE_PASSWORD = "pw"
    settings.MITAKE_RESPONSE_URL = "https://crm.example.tw/m/sms/report/s3cret-hook/"
    settings.SMS_BACKEND = "reminders.mitake.MitakeSMSBackend"
    yield FakeMitake
    server.shutdown()


def test_mitake_success_gives_the_message_id_and_sends_national_number_and_utf8(mitake):
    mitake.answer = "[1]\r\nmsgid=1010079522\r\nstatuscode=1\r\nAccountPoint=98\r\n"
    result = MitakeSMSBackend().send(ReminderSMS(to="+886912345678", body="您好,該補貨了", idempotency_key="k#0"))
    assert result.message_id == "1010079522" and result.status == "accepted"
    [(path, form)] = mitake.received
    assert path == "/api/mtk/SmSend?CharsetURL=UTF-8"
    assert form["dstaddr"] == ["0912345678"] and form["smbody"] == ["您好,該補貨了"]
    assert form["username"] == ["crm"] and len(form["clientid"][0]) == 36
    assert form["response"] == ["https://crm.example.tw/m/sms/report/s3cret-hook/"]


def test_mitake_bad_password_with_http_200_is_a_permanent_failure(mitake):
    mitake.answer = "[1]\r\nstatuscode=e\r\nError=帳號、密碼錯誤\r\n"
    with pytest.raises(DeliveryError) as err:
        MitakeSMSBackend().send(SMSMessage(to="0912345678", body="x"))
    assert err.value.permanent and "wrong account or password" in str(err.value)


def test_mitake_no_credit_left_is_retried(mitake):
    mitake.answer = "[1]\r\nstatuscode=s\r\nError=帳務處理失敗\r\n"
    with pytest.raises(DeliveryError) as err:
        MitakeSMSBackend().send(SMSMessage(to="0912345678", body="x"))
    assert not err.value.permanent


def test_mitake_duplicate_of_a_message_it_took_counts_as_sent(mitake):
    mitake.answer = "[1]\r\nmsgid=77\r\nstatuscode=*\r\nDuplicate=Y\r\n"
    assert MitakeSMSBackend().send(SMSMessage(to="0912345678", body="x")).message_id == "77"


def test_sender_keeps_the_message_id_and_the_delivery_report_updates_it(mitake, client, daytime):
    customer = make_customer()
    reminder = reorder_for(customer, send_after=daytime)
    mitake.answer = "[1]\nmsgid=555\nstatuscode=1\nAccountPoint=3\n"
    assert reminder_send_next() == "sent"
    delivery = Delivery.objects.get(reminder=reminder)
    assert delivery.provider_message_id == "555" and delivery.provider_status == ProviderStatus.ACCEPTED
    assert "退訂" in mitake.received[0][1]["smbody"][0]
    report = reverse("sms_report", kwargs={"token": "s3cret-hook"})
    ack = client.get(report, {"msgid": "555", "statuscode": "4", "dstaddr": "0912345678"})
    assert ack.status_code == 200 and b"magicid=sms_gateway_rpack" in ack.content
    delivery.refresh_from_db()
    assert delivery.provider_status == ProviderStatus.DELIVERED and delivery.status_at is not None
    client.get(report, {"msgid": "555", "statuscode": "1"})  # a late intermediate report never undoes "delivered"
    delivery.refresh_from_db()
    assert delivery.provider_status == ProviderStatus.DELIVERED
    assert (
        client.get(reverse("sms_report", kwargs={"token": "x"}), {"msgid": "555", "statuscode": "6"}).status_code == 404
    )


def test_sender_does_not_retry_a_wrong_number(mitake, daytime):
    customer = make_customer()
    reminder = reorder_for(customer, send_after=daytime)
    mitake.answer = "[1]\nstatuscode=v\nError=無效的手機號碼\n"
    assert reminder_send_next() == "failed"
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.FAILED and "invalid mobile number" in reminder.last_error


def test_parse_and_national_number():
    assert parse("[1]\nmsgid=1\nstatuscode=0\n\n[2]\nmsgid=2\n") == {"msgid": "1", "statuscode": "0"}
    assert national_number("+886 912-345-678") == national_number("0912345678") == "0912345678"
