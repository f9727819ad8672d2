"""The commission month list (open/closed) and the commission rules page with effective dates: the version in
force is never edited in place or deleted; a new version starts after today."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from commission import services
from commission.models import ClosedMonth, CommissionRuleSet
from core import periods
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

ROLES = ["salesperson", "manager", "gm", "finance", "admin_user"]


def _later(days=30):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_month_list_shows_open_and_closed(client, finance, language, django_assert_max_num_queries):
    this_month = periods.month_start(timezone.localdate())
    last = periods.add_months(this_month, -1)
    before = periods.add_months(this_month, -2)
    ClosedMonth.objects.create(month=before, closed_at=timezone.now(), closed_by=finance)
    finance.language = language
    finance.save(update_fields=["language"])
    client.force_login(finance)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("commission:months"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-month="{before:%Y-%m}" data-state="closed"' in html
    assert f'data-month="{last:%Y-%m}" data-state="open"' in html
    assert f'data-month="{this_month:%Y-%m}" data-state="open"' in html
    # Only the next month to close (ended, right after the last closed one) offers the button.
    assert f'id="close-{last:%Y-%m}"' in html and f'id="close-{this_month:%Y-%m}"' not in html
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext("Commission months") in html


@pytest.mark.parametrize("role", ROLES)
def test_month_list_permissions(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("commission:months"))
    assert response.status_code == (403 if role == "salesperson" else 200)
    if role in ("manager", "gm"):
        assert 'id="close-' not in response.content.decode()  # they read; finance closes


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_rules_page_states(client, admin_user, default_rule_set, language):
    scheduled = CommissionRuleSet.objects.create(name="next", effective_from=_later())
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    html = client.get(reverse("commission:rule_sets")).content.decode()
    assert f'data-state="in_force" id="rule-set-{default_rule_set.pk}"' in html
    assert f'data-state="scheduled" id="rule-set-{scheduled.pk}"' in html
    assert reverse("commission:rule_set_edit", args=[scheduled.pk]) in html
    assert reverse("commission:rule_set_edit", args=[default_rule_set.pk]) not in html
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext("Add a version") in html


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm", "finance"])
def test_rules_page_is_for_admins(client, request, role, default_rule_set):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("commission:rule_sets")).status_code == 403
    assert client.post(reverse("commission:rule_sets"), {"name": "x"}).status_code == 403
    assert client.get(reverse("commission:rule_set_edit", args=[default_rule_set.pk])).status_code == 403


def _data(**extra):
    return {
        "name": "2027",
        "effective_from": _later().isoformat(),
        "commission_percent": "45",
        "retention_hold_percent": "20",
        "expense_margin_threshold_percent": "25",
        "expense_low_margin_percent": "20",
        "expense_high_margin_percent": "6",
        "market_fund_percent": "2",
        **extra,
    }


def test_admin_adds_a_future_version(client, admin_user):
    client.force_login(admin_user)
    assert client.post(reverse("commission:rule_sets"), _data()).status_code == 302
    assert CommissionRuleSet.objects.get(effective_from=_later()).commission_percent == Decimal("45")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"effective_from": "today"}, "effective_from"),
        ({"commission_percent": "150"}, "commission_percent"),
        ({"market_fund_percent": "-1"}, "market_fund_percent"),
        ({"name": ""}, "name"),
        ({"effective_from": "2026-02-30"}, "effective_from"),
    ],
)
def test_bad_versions_are_form_errors(client, admin_user, extra, field):
    if extra.get("effective_from") == "today":
        extra = {"effective_from": timezone.localdate().isoformat()}
    client.force_login(admin_user)
    count = CommissionRuleSet.objects.count()
    response = client.post(reverse("commission:rule_sets"), _data(**extra))
    html = response.content.decode()
    assert response.status_code == 200 and f'id="error_1_id_{field}"' in html
    assert CommissionRuleSet.objects.count() == count


def test_duplicate_start_is_a_form_error(client, admin_user):
    CommissionRuleSet.objects.create(name="next", effective_from=_later())
    client.force_login(admin_user)
    response = client.post(reverse("commission:rule_sets"), _data())
    assert response.status_code == 200 and "A rule set already starts on this date." in response.content.decode()


def test_the_version_in_force_cannot_be_changed_or_withdrawn(client, admin_user, default_rule_set):
    client.force_login(admin_user)
    url = reverse("commission:rule_set_edit", args=[default_rule_set.pk])
    client.post(url, _data(commission_percent="99", effective_from=default_rule_set.effective_from.isoformat()))
    client.post(url, {"withdraw": "1"})
    default_rule_set.refresh_from_db()
    assert default_rule_set.commission_percent == Decimal("50")
    with pytest.raises(ApplicationError):
        services.rule_set_update(actor=admin_user, rule_set=default_rule_set, commission_percent=Decimal("1"))
    with pytest.raises(ApplicationError):
        services.rule_set_withdraw(actor=admin_user, rule_set=default_rule_set)
    assert CommissionRuleSet.objects.filter(pk=default_rule_set.pk).exists()


def test_a_scheduled_version_is_changed_or_withdrawn(client, admin_user):
    scheduled = CommissionRuleSet.objects.create(name="next", effective_from=_later())
    client.force_login(admin_user)
    url = reverse("commission:rule_set_edit", args=[scheduled.pk])
    assert client.get(url).status_code == 200
    # It cannot be moved to start today (that would change the rules in force).
    response = client.post(url, _data(effective_from=timezone.localdate().isoformat()))
    assert response.status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.effective_from == _later()
    assert client.post(url, _data(commission_percent="40", effective_from=_later(60).isoformat())).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.commission_percent == Decimal("40") and scheduled.effective_from == _later(60)
    assert client.post(url, {"withdraw": "1"}).status_code == 302
    assert not CommissionRuleSet.objects.filter(pk=scheduled.pk).exists()


def test_django_admin_keeps_the_version_in_force_read_only(client, admin_user, default_rule_set):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:commission_commissionruleset_delete", args=[default_rule_set.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert CommissionRuleSet.objects.filter(pk=default_rule_set.pk).exists()
