"""Each user's notification settings page: the daily e-mail digest off/on and the kinds of handoff it leaves out."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from core import events
from reminders.digest import digests_send
from reminders.models import NotificationPreference

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 4, tzinfo=dt.UTC)  # 12:00 in Taipei


def test_page_is_linked_from_the_user_menu_and_switches_the_digest_off_and_on(client):
    user = SalespersonFactory()
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("reminders:my_settings") in home
    url = reverse("reminders:my_settings")
    page = client.get(url).content.decode()
    assert 'name="daily_digest"' in page and "checked" in page  # on unless switched off
    assert client.post(url, {}).status_code == 302
    assert NotificationPreference.objects.get(user=user).daily_digest is False
    client.post(url, {"daily_digest": "on", "muted": ["comments"]})
    pref = NotificationPreference.objects.get(user=user)
    assert pref.daily_digest is True and pref.digest_muted == ["comments"]


def test_unknown_kind_is_a_form_error_and_nothing_is_saved(client):
    user = SalespersonFactory()
    client.force_login(user)
    response = client.post(reverse("reminders:my_settings"), {"daily_digest": "on", "muted": ["nonsense"]})
    assert response.status_code == 200 and "nonsense" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_page_in_chinese(client):
    user = SalespersonFactory(language="zh-hant")
    client.force_login(user)
    client.cookies.load({"django_language": "zh-hant"})
    body = client.get(reverse("reminders:my_settings"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "通知設定" in body and "每日" in body


@time_machine.travel(NOON)
def test_muted_kinds_stay_out_of_the_email_but_not_out_of_the_bell(client):
    user = SalespersonFactory()
    boss = ManagerFactory(unit=user.unit)
    NotificationPreference.objects.create(user=user, daily_digest=True, digest_muted=["comments"])
    events.publish(
        document="sales.quote",
        document_id=1,
        action="commented",
        actor=boss,
        recipients=[user],
        data={"number": "Q1", "actor": "boss", "customer": "c"},
        note="a comment",
    )
    assert digests_send() == 0 and mail.outbox == []  # only muted kinds today: no e-mail at all
    events.publish(
        document="sales.quote",
        document_id=1,
        action="approved",
        actor=boss,
        recipients=[user],
        data={"number": "Q1", "actor": "boss", "customer": "c"},
    )
    assert digests_send() == 1
    assert "Q1 approved" in mail.outbox[0].body and "a comment" not in mail.outbox[0].body
    assert user.notifications.count() == 2  # the bell keeps both
