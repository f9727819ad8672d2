"""The dashboard API's answer is cached behind the dashboard's cache (under its key and the language): a cached
answer is exactly the recomputed one, a summary rebuild shows at once, one user's answer never serves another,
and a drill-down the caller may not see stays a 404."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from reports.services.summaries import summary_refresh
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 120
    cache.clear()
    yield
    cache.clear()


def sale(owner, amount):
    today = timezone.localdate()
    ContractFactory(customer=CustomerFactory(owner=owner), status="signed", signed_on=today, amount=Decimal(amount))


def get(api_client, user, url="/api/v1/dashboard/?period=month", lang=None):
    if lang is None:
        api_client.force_authenticate(user)
        return api_client.get(url)
    user.language = lang  # signed in by session: the user's language is the reader's
    user.save(update_fields=["language"])
    api_client.force_authenticate(None)
    api_client.force_login(user)
    return api_client.get(url, HTTP_ACCEPT_LANGUAGE=lang)


def test_a_cached_answer_is_the_recomputed_one(api_client, settings, gm, salesperson, cached):
    sale(salesperson, "10")
    summary_refresh()
    first = get(api_client, gm).json()
    with CaptureQueriesContext(connection) as hit:
        again = get(api_client, gm).json()
    assert again == first
    assert len(hit.captured_queries) == 1  # the summary tables' rebuild moment: the key
    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 0
    assert get(api_client, gm).json() == first


def test_a_rebuild_shows_at_once(api_client, gm, salesperson, cached):
    sale(salesperson, "10")
    summary_refresh()
    before = get(api_client, gm).json()
    sale(salesperson, "5")
    summary_refresh()
    after = get(api_client, gm).json()
    assert Decimal(after["periods"][0]["sales"]) == Decimal(before["periods"][0]["sales"]) + 5


def test_one_callers_answer_never_serves_another(api_client, gm, manager, salesperson, other_salesperson, cached):
    sale(salesperson, "10")
    sale(other_salesperson, "7")
    summary_refresh()
    assert get(api_client, gm).json()["scope"]["level"] != "salesperson"
    mine = get(api_client, salesperson).json()
    theirs = get(api_client, other_salesperson).json()
    assert mine["scope"]["salesperson"] == salesperson.pk and theirs["scope"]["salesperson"] == other_salesperson.pk
    assert mine["periods"][0]["sales"] != theirs["periods"][0]["sales"]
    url = f"/api/v1/dashboard/?salesperson={other_salesperson.pk}"
    assert get(api_client, manager, url).status_code == 404  # not in the manager's unit
    assert get(api_client, manager, url).status_code == 404  # not cached as anything else


def test_each_language_has_its_own_answer(api_client, gm, salesperson, cached):
    sale(salesperson, "10")
    summary_refresh()
    english = get(api_client, gm, lang="en").json()
    chinese = get(api_client, gm, lang="zh-hant").json()
    assert english["scope"]["label"] != chinese["scope"]["label"]
    assert get(api_client, gm, lang="en").json() == english
    assert get(api_client, gm, lang="zh-hant").json() == chinese
