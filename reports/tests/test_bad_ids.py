"""Malformed ids and numbers in report URLs are 404/400, never a server error ("²".isdigit() is True)."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/reports/daily/?author=%C2%B2",
    "/reports/daily/?author=abc",
    "/reports/targets/?year=%C2%B2",
    "/reports/targets/?year=20x6",
]
API = [
    "/api/v1/daily-reports/abc/",
    "/api/v1/daily-reports/%C2%B2/",
    "/api/v1/evaluations/abc/",
    "/api/v1/evaluations/%C2%B2/",
    "/api/v1/plans/abc/",
    "/api/v1/targets/%C2%B2/",
]


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm"])
def test_malformed_ids_never_500(request, client, role):
    client.force_login(request.getfixturevalue(role))
    for url in PAGES + API:
        response = client.get(url)
        assert response.status_code < 500, url
    for url in ["/api/v1/evaluations/abc/feedback/", "/api/v1/evaluations/%C2%B2/feedback/"]:
        assert client.post(url, {}, content_type="application/json").status_code < 500, url


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm"])
@pytest.mark.parametrize("query", ["unit=abc", "salesperson=%C2%B2", "customer=1x", "period=decade&unit=abc"])
def test_malformed_dashboard_parameters_are_404_on_page_and_api(request, client, role, query):
    """The pages and the API read the dashboard's parameters with one parser (DashboardQuery): same answer."""
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/reports/?{query}").status_code == 404
    assert client.get(f"/api/v1/dashboard/?{query}").status_code == 404
    assert client.get(f"/reports/dashboard/export/trend.xlsx?{query}").status_code == 404
