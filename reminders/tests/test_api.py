import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from reminders.models import Notification, ReminderState
from reminders.sender import reminders_send_due

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db


def _ids(resp):
    return {row["id"] for row in resp.json()["results"]}


@pytest.fixture
def rows(salesperson, teammate, other_salesperson):
    return {
        "own": ReminderFactory(owner=salesperson),
        "team": ReminderFactory(owner=teammate),
        "other": ReminderFactory(owner=other_salesperson),
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("salesperson", {"own"}),
        ("manager", {"own", "team"}),
        ("gm", {"own", "team", "other"}),
        ("finance", {"own", "team", "other"}),
        ("admin_user", {"own", "team", "other"}),
    ],
)
def test_reminder_list_visibility_per_role(request, api_client, rows, who, visible):
    api_client.force_authenticate(request.getfixturevalue(who))
    resp = api_client.get("/api/v1/reminders/")
    assert resp.status_code == 200
    assert _ids(resp) == {rows[k].pk for k in visible}


def test_salesperson_gets_404_for_another_reminder(api_client, salesperson, rows):
    api_client.force_authenticate(salesperson)
    assert api_client.get(f"/api/v1/reminders/{rows['other'].pk}/").status_code == 404
    assert api_client.post(f"/api/v1/reminders/{rows['team'].pk}/done/").status_code == 404
    assert api_client.get(f"/api/v1/reminders/{rows['own'].pk}/").json()["title"]


def test_anonymous_is_refused(api_client, rows):
    assert api_client.get("/api/v1/reminders/").status_code in (401, 403)
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)


def test_manager_sees_but_cannot_act_on_a_teammates_reminder(api_client, manager, rows):
    api_client.force_authenticate(manager)
    resp = api_client.post(f"/api/v1/reminders/{rows['team'].pk}/done/")
    assert resp.status_code == 403
    assert resp.json()["code"] == "not_yours"


def test_snooze_and_done(api_client, salesperson, rows):
    api_client.force_authenticate(salesperson)
    until = (timezone.now() + dt.timedelta(days=1)).isoformat()
    resp = api_client.post(f"/api/v1/reminders/{rows['own'].pk}/snooze/", {"until": until}, format="json")
    assert resp.status_code == 200
    assert resp.json()["state"] == ReminderState.SNOOZED
    resp = api_client.post(
        f"/api/v1/reminders/{rows['own'].pk}/snooze/", {"until": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert resp.status_code == 400
    assert "until" in resp.json()
    resp = api_client.post(f"/api/v1/reminders/{rows['own'].pk}/done/")
    assert resp.json()["state"] == ReminderState.DONE
    assert _ids(api_client.get("/api/v1/reminders/?state=open&mine=true")) == set()


def test_notifications_are_private_and_mark_read(api_client, salesperson, teammate, rows):
    reminders_send_due()
    own = Notification.objects.get(user=salesperson)
    theirs = Notification.objects.get(user=teammate)
    api_client.force_authenticate(salesperson)
    assert _ids(api_client.get("/api/v1/notifications/")) == {own.pk}
    assert api_client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert api_client.post(f"/api/v1/notifications/{own.pk}/read/").json()["read_at"]
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert _ids(api_client.get("/api/v1/notifications/?unread=true")) == set()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_reminder_list_queries_do_not_grow_with_rows(api_client, manager, django_assert_max_num_queries):
    people = [SalespersonFactory(unit=manager.unit) for _ in range(5)]
    for i in range(60):
        ReminderFactory(owner=people[i % 5])
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(8):
        resp = api_client.get("/api/v1/reminders/?page_size=60")
    assert len(resp.json()["results"]) == 60


def test_notification_list_queries(api_client, salesperson, django_assert_max_num_queries):
    for _ in range(40):
        ReminderFactory(owner=salesperson)
    reminders_send_due()
    api_client.force_authenticate(salesperson)
    with django_assert_max_num_queries(6):
        resp = api_client.get("/api/v1/notifications/")
    assert len(resp.json()["results"]) == 40
