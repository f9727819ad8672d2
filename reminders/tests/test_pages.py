import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import SalespersonFactory
from customers.tests.factories import CustomerFactory
from reminders.models import CustomerMessagingPreference, DeliveryStatus, Notification, ReminderSettings, ReminderState
from reminders.sender import reminders_send_due
from sales.tests.factories import ProductFactory

from .factories import ReminderFactory, purchase

pytestmark = pytest.mark.django_db


def test_inbox_shows_only_own_reminders(client, salesperson, teammate):
    mine = ReminderFactory(owner=salesperson, params={"customer": "Mine Co", "next_step": "x", "date": "2026-01-01"})
    ReminderFactory(owner=teammate, params={"customer": "Theirs Co", "next_step": "y", "date": "2026-01-01"})
    client.force_login(salesperson)
    resp = client.get(reverse("reminders:inbox"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "Mine Co" in body and "Theirs Co" not in body
    assert f'data-reminder="{mine.pk}"' in body
    assert client.get(reverse("reminders:inbox") + "?tab=team").content.decode().count("data-reminder=") == 0


def test_manager_team_tab(client, manager, salesperson, other_salesperson):
    ReminderFactory(owner=salesperson, params={"customer": "Team Co"})
    ReminderFactory(owner=other_salesperson, params={"customer": "Far Co"})
    client.force_login(manager)
    body = client.get(reverse("reminders:inbox") + "?tab=team").content.decode()
    assert "Team Co" in body and "Far Co" not in body


def test_snooze_done_pages_and_404_for_another(client, salesperson, teammate, manager):
    mine = ReminderFactory(owner=salesperson)
    theirs = ReminderFactory(owner=teammate)
    client.force_login(salesperson)
    assert client.post(reverse("reminders:done", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reminders:snooze", args=[theirs.pk]), {"choice": "1h"}).status_code == 404
    resp = client.post(reverse("reminders:snooze", args=[mine.pk]), {"choice": "3d"})
    assert resp.status_code == 302
    mine.refresh_from_db()
    assert mine.state == ReminderState.SNOOZED
    client.post(reverse("reminders:done", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.state == ReminderState.DONE
    assert "data-reminder" in client.get(reverse("reminders:inbox") + "?tab=done").content.decode()
    client.force_login(manager)  # a manager sees the teammate's row but it is not theirs to close
    assert client.post(reverse("reminders:done", args=[theirs.pk])).status_code == 404


def test_failed_tab_and_retry(client, salesperson):
    failed = ReminderFactory(owner=salesperson, status=DeliveryStatus.FAILED, attempts=5, last_error="smtp down")
    client.force_login(salesperson)
    body = client.get(reverse("reminders:inbox") + "?tab=failed").content.decode()
    assert "smtp down" in body
    client.post(reverse("reminders:retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 0


def test_bell_counts_unread_and_mark_read(client, salesperson, teammate):
    ReminderFactory(owner=salesperson)
    ReminderFactory(owner=salesperson)
    ReminderFactory(owner=teammate)
    reminders_send_due()
    client.force_login(salesperson)
    body = client.get(reverse("reminders:notifications")).content.decode()
    assert 'id="unread-count">2<' in body
    n = Notification.objects.filter(user=salesperson).first()
    other = Notification.objects.get(user=teammate)
    assert client.post(reverse("reminders:notification_read", args=[other.pk])).status_code == 404
    client.post(reverse("reminders:notification_read", args=[n.pk]))
    assert 'id="unread-count">1<' in client.get(reverse("reminders:notifications")).content.decode()
    client.post(reverse("reminders:notifications_read_all"))
    assert 'id="unread-count"' not in client.get(reverse("reminders:notifications")).content.decode()
    assert Notification.objects.get(pk=other.pk).read_at is None


@pytest.mark.parametrize("who", ["salesperson", "manager", "gm", "finance"])
def test_settings_page_is_for_admins_only(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reminders:settings")).status_code == 403


def test_admin_edits_lead_times_and_follow_up_rules(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("reminders:settings")).status_code == 200
    cfg = ReminderSettings.load()
    data = {
        f"cfg-{f}": getattr(cfg, f)
        for f in [
            "next_step_lead_days",
            "card_filing_lead_days",
            "membership_renewal_lead_days",
            "daily_report_hour",
            "catch_up_days",
            "max_attempts",
            "retry_base_seconds",
        ]
    }
    data.update(
        {
            "cfg-reorder_lead_days": 10,
            "cfg-reorder_notify_customer": "on",
            "cfg-quiet_start": "22:00",
            "cfg-quiet_end": "07:30",
        }
    )
    data.update(
        {
            "rules-TOTAL_FORMS": 1,
            "rules-INITIAL_FORMS": 0,
            "rules-0-category": "耗材",
            "rules-0-days_after_delivery": 30,
            "rules-0-is_active": "on",
        }
    )
    resp = client.post(reverse("reminders:settings"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    cfg.refresh_from_db()
    assert cfg.reorder_lead_days == 10
    assert cfg.quiet_start == dt.time(22, 0)
    bad = dict(data, **{"cfg-card_filing_lead_days": -1, "cfg-reorder_lead_days": 12})
    assert client.post(reverse("reminders:settings"), bad).status_code == 200  # form error, nothing saved
    cfg.refresh_from_db()
    assert cfg.card_filing_lead_days == 3 and cfg.reorder_lead_days == 10


def test_messaging_preference_page(client, salesperson, other_salesperson):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit, phone="0912-000-111")
    foreign = CustomerFactory(owner=other_salesperson, unit=other_salesperson.unit)
    client.force_login(salesperson)
    assert client.get(reverse("reminders:preference", args=[foreign.pk])).status_code == 404
    resp = client.post(
        reverse("reminders:preference", args=[customer.pk]),
        {"opted_in": "on", "channel": "email", "language": "en", "phone": "", "email": ""},
    )
    assert resp.status_code == 200  # no e-mail address: refused with a form error
    assert "no e-mail" in resp.content.decode()
    resp = client.post(
        reverse("reminders:preference", args=[customer.pk]),
        {"opted_in": "on", "channel": "sms", "language": "en", "phone": "", "email": ""},
    )
    assert resp.status_code == 302
    pref = CustomerMessagingPreference.objects.get(customer=customer)
    assert pref.opted_in and pref.opted_in_at is not None


def test_inbox_queries_do_not_grow(client, salesperson, django_assert_max_num_queries):
    customers = [CustomerFactory(owner=salesperson, unit=salesperson.unit) for _ in range(5)]
    for i in range(50):
        ReminderFactory(owner=salesperson, customer=customers[i % 5])
    client.force_login(salesperson)
    with django_assert_max_num_queries(12):
        resp = client.get(reverse("reminders:inbox"))
    assert resp.content.decode().count("data-reminder=") == 50


def test_customer_panel_shows_prediction_with_bounded_queries(rf, salesperson, django_assert_max_num_queries):
    from django.template.loader import render_to_string

    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    for k in range(8):
        product = ProductFactory(name=f"品項{k}")
        for d in (dt.date(2026, 8, 22), dt.date(2026, 10, 2)):
            purchase(customer, product, d)
    purchase(customer, ProductFactory(), dt.date(2026, 10, 2))  # bought once
    request = rf.get("/")
    request.user = salesperson
    ReminderSettings.load()  # the settings row exists in a real database (migration 0002)
    # 7: the panel's queries plus the products' seasonal index (one aggregate, whatever the number of products)
    with django_assert_max_num_queries(7):
        html = render_to_string("reminders/_customer_panel.html", {"customer": customer, "request": request})
    assert "buys about every 41 days; last order 2026-10-02; next expected 2026-11-12" in html
    assert html.count("data-product=") == 8
    assert "1 product bought only once" in html


def test_customer_panel_for_someone_else_hides_their_reminders(rf, salesperson, other_salesperson):
    from django.template.loader import render_to_string

    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    ReminderFactory(owner=salesperson, customer=customer, params={"customer": "x"})
    request = rf.get("/")
    request.user = SalespersonFactory(unit=other_salesperson.unit)
    html = render_to_string("reminders/_customer_panel.html", {"customer": customer, "request": request})
    assert "Open reminders" not in html


def test_customer_panel_without_repeat_purchases_skips_the_settings_query(rf, salesperson, django_assert_num_queries):
    from django.template.loader import render_to_string

    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    request = rf.get("/")
    request.user = salesperson
    ReminderSettings.load()
    # reorder statistics, products bought, preference, open reminders: no settings, no products
    with django_assert_num_queries(4):
        html = render_to_string("reminders/_customer_panel.html", {"customer": customer, "request": request})
    assert "data-product=" not in html
