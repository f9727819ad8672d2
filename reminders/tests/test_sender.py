import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail

from core.sms import LocmemSMSBackend
from customers.tests.factories import CustomerFactory
from reminders.actions import reminder_done, reminder_snooze
from reminders.models import Audience, DeliveryStatus, Notification, ReminderKind, ReminderState
from reminders.scans import scan_all as reminders_scan
from reminders.sender import reminder_send_next, reminders_send_due
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

from .factories import PreferenceFactory, ReminderFactory

pytestmark = pytest.mark.django_db

TPE = zoneinfo.ZoneInfo("Asia/Taipei")


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TPE)


@pytest.fixture(autouse=True)
def _clean_sms():
    LocmemSMSBackend.outbox.clear()
    yield
    LocmemSMSBackend.outbox.clear()


def customer_reorder(customer, **kw):
    return ReminderFactory(
        kind=ReminderKind.REORDER,
        audience=Audience.CUSTOMER,
        owner=customer.owner,
        customer=customer,
        params={"customer": "ACME", "product": "濾心", "last_on": "2026-11-01", "expected_on": "2026-12-12"},
        **kw,
    )


def test_staff_reminder_gives_one_notification_and_one_email_in_their_language(salesperson):
    salesperson.language = "zh-hant"
    salesperson.save()
    r = ReminderFactory(owner=salesperson)
    assert reminders_send_due() == {"sent": 1}
    assert reminders_send_due() == {}
    r.refresh_from_db()
    assert r.status == DeliveryStatus.SENT and r.sent_at is not None
    [n] = Notification.objects.filter(user=salesperson)
    assert "下一步" in n.title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [salesperson.email]
    assert mail.outbox[0].extra_headers["X-Reminder-Key"] == f"{r.dedup_key}#0"


def test_customer_gets_sms_only_if_opted_in_in_their_language():
    customer = CustomerFactory(phone="0912-345-678")
    PreferenceFactory(customer=customer, language="en")
    r = customer_reorder(customer)
    with time_machine.travel(at(2026, 12, 5, 10), tick=False):
        r.send_after = at(2026, 12, 5, 9)
        r.save()
        assert reminder_send_next() == "sent"
    [sms] = LocmemSMSBackend.outbox
    assert sms.to == "0912-345-678"
    assert "restock" in sms.body
    assert sms.idempotency_key == f"{r.dedup_key}#0"
    assert not Notification.objects.exists()  # nothing in-app for a customer message


def test_customer_who_withdrew_consent_gets_nothing():
    customer = CustomerFactory()
    PreferenceFactory(customer=customer, opted_in=False)
    r = customer_reorder(customer)
    assert reminder_send_next() == "cancelled"
    r.refresh_from_db()
    assert r.status == DeliveryStatus.CANCELLED
    assert LocmemSMSBackend.outbox == []


@pytest.mark.parametrize("hour", [21, 23, 2, 7])
def test_never_at_night(hour):
    customer = CustomerFactory()
    PreferenceFactory(customer=customer)
    day = dt.date(2026, 12, 5)
    moment = at(day.year, day.month, day.day, hour, 30)
    r = customer_reorder(customer, send_after=moment - dt.timedelta(minutes=1))
    with time_machine.travel(moment, tick=False):
        assert reminder_send_next() == "deferred"
    r.refresh_from_db()
    assert LocmemSMSBackend.outbox == []
    assert timezone_local_hm(r.send_after) == (8, 0)
    assert r.send_after > moment
    with time_machine.travel(r.send_after, tick=False):
        assert reminder_send_next() == "sent"
    assert len(LocmemSMSBackend.outbox) == 1


def timezone_local_hm(moment):
    local = moment.astimezone(TPE)
    return local.hour, local.minute


def test_failures_retry_with_backoff_then_fail_visibly(settings):
    settings.SMS_BACKEND = "reminders.tests.test_sender.BrokenSMS"
    customer = CustomerFactory()
    PreferenceFactory(customer=customer)
    start = at(2026, 12, 5, 10)
    r = customer_reorder(customer, send_after=start)
    delays = []
    moment = start
    for _ in range(5):
        with time_machine.travel(moment, tick=False):
            outcome = reminder_send_next()
        r.refresh_from_db()
        delays.append((r.send_after - moment).total_seconds())
        moment = r.send_after
    assert outcome == "failed"
    assert r.status == DeliveryStatus.FAILED
    assert r.attempts == 5
    assert "provider down" in r.last_error
    assert delays[:4] == [60, 120, 240, 480]
    with time_machine.travel(moment + dt.timedelta(days=1), tick=False):
        assert reminder_send_next() is None  # failed rows stay failed until someone retries them


class BrokenSMS:
    def send(self, message):
        raise ConnectionError("provider down")


def test_email_failure_keeps_the_in_app_notification_and_retries_only_email(salesperson, settings):
    settings.EMAIL_BACKEND = "reminders.tests.test_sender.BrokenEmail"
    r = ReminderFactory(owner=salesperson)
    assert reminder_send_next() == "retry"
    r.refresh_from_db()
    assert r.channels_done == ["in_app"]
    assert Notification.objects.filter(reminder=r).count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(r.send_after, tick=False):
        assert reminder_send_next() == "sent"
    assert Notification.objects.filter(reminder=r).count() == 1
    assert len(mail.outbox) == 1


class BrokenEmail:
    def __init__(self, *a, **kw):
        pass

    def send_messages(self, messages):
        raise OSError("smtp down")


def test_contract_filed_before_sending_is_cancelled():
    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    with time_machine.travel(at(2026, 6, 10), tick=False):
        reminders_scan(kinds=[ReminderKind.CONTRACT_FILING])
        contract.status = ContractStatus.FILED
        contract.save()
        assert reminders_send_due() == {"cancelled": 1}


def test_done_before_sending_is_not_sent(salesperson):
    r = ReminderFactory(owner=salesperson)
    reminder_done(reminder_id=r.pk, actor=salesperson)
    assert reminders_send_due() == {"cancelled": 1}
    assert not Notification.objects.exists()


def test_snoozed_reminder_comes_back_and_notifies_again(salesperson):
    r = ReminderFactory(owner=salesperson, send_after=at(2026, 5, 1, 9))
    with time_machine.travel(at(2026, 5, 1, 10), tick=False):
        reminders_send_due()
        reminder_snooze(reminder_id=r.pk, actor=salesperson, until=at(2026, 5, 2, 9))
    assert Notification.objects.get(reminder=r).read_at is not None  # snoozing reads the notification
    with time_machine.travel(at(2026, 5, 2, 8, 59), tick=False):
        reminders_scan(kinds=[])
        assert reminders_send_due() == {}
    with time_machine.travel(at(2026, 5, 2, 9, 1), tick=False):
        reminders_scan(kinds=[])
        assert reminders_send_due() == {"sent": 1}
    r.refresh_from_db()
    assert r.state == ReminderState.OPEN and r.round == 1
    assert Notification.objects.filter(reminder=r).count() == 2


def test_snoozed_before_sending_waits_until_it_wakes(salesperson):
    r = ReminderFactory(owner=salesperson, send_after=at(2026, 5, 1, 9))
    with time_machine.travel(at(2026, 5, 1, 8), tick=False):
        reminder_snooze(reminder_id=r.pk, actor=salesperson, until=at(2026, 5, 1, 12))
    with time_machine.travel(at(2026, 5, 1, 10), tick=False):
        assert reminders_send_due() == {}
    with time_machine.travel(at(2026, 5, 1, 12, 1), tick=False):
        reminders_scan(kinds=[])
        assert reminders_send_due() == {"sent": 1}
    assert Notification.objects.filter(reminder=r).count() == 1
