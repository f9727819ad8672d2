"""What people do with their reminders and notifications: only the person reminded, snooze into the future."""

import datetime as dt
import zoneinfo

import pytest

from reminders.actions import reminder_done, reminder_snooze
from reminders.models import Notification, Reminder, ReminderState
from reminders.notifications import notification_mark_read
from reminders.sender import reminders_send_due

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db

TPE = zoneinfo.ZoneInfo("Asia/Taipei")


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TPE)


def test_only_the_person_reminded_acts_on_it(salesperson, teammate):
    from core.exceptions import ApplicationError

    r = ReminderFactory(owner=salesperson)
    with pytest.raises(ApplicationError):
        reminder_done(reminder_id=r.pk, actor=teammate)
    reminders_send_due()
    n = Notification.objects.get()
    with pytest.raises(ApplicationError):
        notification_mark_read(notification_id=n.pk, actor=teammate)
    assert notification_mark_read(notification_id=n.pk, actor=salesperson).read_at is not None


def test_snooze_must_be_in_the_future(salesperson):
    from core.exceptions import ApplicationError

    r = ReminderFactory(owner=salesperson)
    with pytest.raises(ApplicationError) as exc:
        reminder_snooze(reminder_id=r.pk, actor=salesperson, until=at(2000, 1, 1))
    assert exc.value.field == "until"
    assert Reminder.objects.get(pk=r.pk).state == ReminderState.OPEN
