"""The permission matrix: every API detail route and every detail page x role x someone else's id.

On the demo company (seed_demo), for every API collection with a detail route (read from the OpenAPI schema, so a
new endpoint joins by itself) the GM office lists every id and each other role lists its own. For each role:
- an id it cannot list answers on the detail route exactly as an id that does not exist (404; or the same refusal
  for a collection the role may not use at all), never 200: nothing tells whether someone else's row exists;
- an id it can list answers 200;
- every page route with one integer id whose object the API names (customers, quotes, contracts, daily reports,
  plans, targets, evaluations, across the apps that show them: care, documents, receivables, commission…) answers
  someone else's id exactly as a missing id, never 200.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

ROLES = {"salesperson": "sales01", "manager": "mgr_north", "staff": "staff01"}
SAMPLE = 10  # ids checked per route, role and side (hidden / own): the first and the last ones
MAX_PAGES = 30
MISSING = 987_654_321
# Collections whose detail id is not the row's "id".
ID_FIELDS = {"/api/v1/evaluations/": "salesperson_id"}
# Page routes (the part before the id) -> the API collection that names the same objects.
PAGE_OBJECTS = {
    "customers/": "customers",
    "sales/quotes/": "quotes",
    "sales/contracts/": "contracts",
    "sales/price-lists/": "price-lists",
    "reports/daily/": "daily-reports",
    "reports/plans/": "plans",
    "reports/targets/": "targets",
    "reports/evaluations/": "evaluations",
    "commission/contracts/": "contracts",
    "commission/expenses/": "commission-expenses",
    "commission/market-fund/": "market-fund",
    "receivables/customers/": "customers",
    "receivables/contracts/": "contracts",
    "documents/quotes/": "quotes",
    "documents/contracts/": "contracts",
    "documents/customers/": "customers",
    "care/customers/": "customers",
    "reminders/customers/": "customers",
    "reminders/": "reminders",
    "reminders/notifications/": "notifications",
    "customers/conflicts/": "customer-conflicts",
}


def _collections() -> list[str]:
    """API collections with a GET list and a GET detail `{id}` route and no other path parameter."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(
        p for p, item in paths.items() if "{" not in p and "get" in item and "get" in paths.get(p + "{id}/", {})
    )


def _ids(client: APIClient, path: str) -> list[int] | None:
    """Every id the caller can list (following the pages), or None when the caller may not list them."""
    key = ID_FIELDS.get(path, "id")
    ids: list[int] = []
    url: str | None = path
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = client.get(url)
        if response.status_code != 200:
            return None
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        ids += [row[key] for row in rows if isinstance(row, dict) and key in row]
        url = data.get("next") if isinstance(data, dict) else None
    return ids


def _sample(ids) -> list[int]:
    ids = sorted(set(ids))
    return ids if len(ids) <= SAMPLE else ids[: SAMPLE // 2] + ids[-SAMPLE // 2 :]


def _page_routes() -> list[tuple[str, str, str]]:
    """(route, prefix before the id, id name) of every page route whose only argument is an integer id."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), getattr(p.pattern, "converters", {})

    out = []
    for route, converters in walk(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/")) or len(converters) != 1:
            continue
        ((name, converter),) = converters.items()
        if isinstance(converter, IntConverter):
            out.append((route, route.split(f"<int:{name}>")[0], name))
    return out


def _page_url(route: str, name: str, pk: int) -> str:
    return "/" + route.replace(f"<int:{name}>", str(pk))


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def test_nobody_reaches_or_detects_someone_elses_row(demo, client):
    collections = _collections()
    assert len(collections) > 25
    everything = {path: _ids(_as("gm"), path) or [] for path in collections}
    routes = [(r, prefix, n) for r, prefix, n in _page_routes() if prefix in PAGE_OBJECTS]
    assert len(routes) > 40
    assert {f"/api/v1/{c}/" for c in PAGE_OBJECTS.values()} <= set(collections)
    failures, api_checked, pages_checked = [], 0, 0
    for role, username in ROLES.items():
        api = _as(username)
        client.force_login(User.objects.get(username=username))
        hidden_by_collection = {}
        for path, all_ids in everything.items():
            own = _ids(api, path)
            hidden = _sample(i for i in all_ids if i not in set(own or []))
            hidden_by_collection[path] = hidden
            missing = api.get(f"{path}{MISSING}/").status_code
            for i in hidden:
                status = api.get(f"{path}{i}/").status_code
                api_checked += 1
                if status != missing or status == 200:
                    failures.append((role, f"{path}{i}/", status, f"a missing id answers {missing}"))
            for i in _sample(own or []):
                status = api.get(f"{path}{i}/").status_code
                api_checked += 1
                if status != 200:
                    failures.append((role, f"{path}{i}/", status, "own row"))
        for route, prefix, name in routes:
            hidden = hidden_by_collection[f"/api/v1/{PAGE_OBJECTS[prefix]}/"]
            if not hidden:
                continue
            missing = client.get(_page_url(route, name, MISSING)).status_code
            for i in hidden[:4]:
                url = _page_url(route, name, i)
                status = client.get(url).status_code
                pages_checked += 1
                if status != missing or status == 200:
                    failures.append((role, url, status, f"a missing id answers {missing}"))
    assert not failures, failures
    assert api_checked > 300 and pages_checked > 200, (api_checked, pages_checked)
