"""Degrade, don't fail: with the cache's Redis down (connections refused) every page and API answers as usual —
the cache reads as a miss, writes are skipped and logged (django-redis IGNORE_EXCEPTIONS, see crm.observability)."""

import logging

import pytest
from django.core.cache import cache

from crm.observability import cache_config
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DEAD_CACHE = "redis://127.0.0.1:1/1"  # nothing listens on port 1: every connection is refused

URLS = [
    "/",
    "/customers/",
    "/customers/pool/",
    "/reports/",
    "/reports/?period=year",
    "/api/v1/customers/",
    "/api/v1/dashboard/",
    "/api/v1/dashboard/?period=quarter",
]


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {"default": cache_config(DEAD_CACHE)}
    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 120  # the dashboard goes through the cache
    yield
    # pytest-django restores CACHES afterwards, which resets the cache handlers.


def test_the_dead_cache_really_refuses_without_the_ignore_option(settings):
    """The premise: Django's cache on a Redis that refuses connections raises — the 500s of the issue."""
    config = cache_config(DEAD_CACHE)
    config["OPTIONS"]["IGNORE_EXCEPTIONS"] = False
    settings.CACHES = {"default": config}
    with pytest.raises(Exception, match=r"(?i)refused|connect"):
        cache.get("anything")


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm"])
def test_pages_and_apis_answer_200_when_the_cache_is_down(client, request, role, dead_cache, caplog):
    user = request.getfixturevalue(role)
    CustomerFactory(owner=request.getfixturevalue("salesperson"), region="Taipei")
    client.force_login(user)
    with caplog.at_level(logging.ERROR, logger="crm.cache"):
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
    assert cache.get("anything", "fallback") == "fallback"  # a miss, not an error
    assert any(record.name == "crm.cache" for record in caplog.records)  # ...and logged


def test_the_configured_redis_cache_ignores_connection_errors():
    config = cache_config("redis://cache.internal:6379/1")
    assert config["BACKEND"] == "django_redis.cache.RedisCache"
    assert config["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert config["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 1
