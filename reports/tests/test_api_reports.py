import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.tests.factories import SalespersonFactory
from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import DailyReport, Dimension, Target, TargetLine
from reports.services.summaries import summary_refresh
from sales.tests.factories import ContractFactory

from .factories import DailyReportFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
TPE = ZoneInfo("Asia/Taipei")
NOW = dt.datetime(2026, 11, 16, 17, 0, tzinfo=TPE)


@pytest.fixture
def api(api_client):
    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


def test_anonymous_is_refused(api_client):
    for url in (
        "/api/v1/daily-reports/",
        "/api/v1/plans/",
        "/api/v1/targets/",
        "/api/v1/evaluations/",
        "/api/v1/dashboard/",
    ):
        assert api_client.get(url).status_code in (401, 403)


@time_machine.travel(NOW, tick=False)
def test_file_report_via_api_with_prefill_and_lock(api, salesperson):
    customer = CustomerFactory(owner=salesperson)
    ContactLogFactory(customer=customer, kind=ContactKind.CALL, happened_at=NOW - dt.timedelta(hours=2))
    client = api(salesperson)
    pre = client.get("/api/v1/daily-reports/prefill/").json()
    assert pre["calls"] == 1 and str(customer) in pre["activities"]
    response = client.post(
        "/api/v1/daily-reports/", {"activities": pre["activities"], "results": "OK", "submit": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["calls_count"] == 1 and body["submitted_at"] and body["is_on_time"]
    rid = body["id"]
    assert client.patch(f"/api/v1/daily-reports/{rid}/", {"problems": "交期"}, format="json").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        locked = client.patch(f"/api/v1/daily-reports/{rid}/", {"problems": "late"}, format="json")
    assert locked.status_code == 400 and locked.json()["code"] == "locked"
    bad = client.post("/api/v1/daily-reports/", {"date": "2026-11-17", "results": "x"}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()
    price = client.post(
        "/api/v1/daily-reports/", {"prices": [{"competitor": "東元", "tier": "retail", "price": "-5"}]}, format="json"
    )
    assert price.status_code == 400 and "prices" in price.json()
    untiered = client.patch(
        f"/api/v1/daily-reports/{rid}/", {"prices": [{"competitor": "東元", "price": "5"}]}, format="json"
    )
    assert untiered.status_code == 400 and "prices" in untiered.json()
    seen = {"competitor": "東元", "competitor_product": "馬達", "tier": "second", "price": "16800.00"}
    saved = client.patch(f"/api/v1/daily-reports/{rid}/", {"prices": [seen]}, format="json")
    assert saved.status_code == 200 and saved.json()["prices"] == [seen | {"product": None}]
    assert client.get(f"/api/v1/daily-reports/{rid}/").json()["prices"] == [seen | {"product": None}]
    assert [r["id"] for r in client.get("/api/v1/daily-reports/?search=馬達").json()["results"]] == [rid]


def test_report_visibility_review_and_comments_via_api(api, salesperson, teammate, manager, other_salesperson):
    report = DailyReportFactory(author=salesperson)
    foreign = DailyReportFactory(author=other_salesperson)
    assert [r["id"] for r in api(salesperson).get("/api/v1/daily-reports/").json()["results"]] == [report.pk]
    assert api(teammate).get(f"/api/v1/daily-reports/{report.pk}/").status_code == 404
    assert (
        api(teammate).patch(f"/api/v1/daily-reports/{report.pk}/", {"results": "x"}, format="json").status_code == 404
    )
    assert api(manager).get(f"/api/v1/daily-reports/{foreign.pk}/").status_code == 404
    assert api(salesperson).post(f"/api/v1/daily-reports/{report.pk}/review/", {}, format="json").status_code == 403
    # The manager can read but not edit the salesperson's report.
    assert api(manager).patch(f"/api/v1/daily-reports/{report.pk}/", {"results": "x"}, format="json").status_code == 404
    reviewed = api(manager).post(f"/api/v1/daily-reports/{report.pk}/review/", {"body": "OK"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by"] == manager.pk
    assert reviewed.json()["comments"][0]["body"] == "OK"
    assert (
        api(salesperson)
        .post(f"/api/v1/daily-reports/{report.pk}/comments/", {"body": "謝謝"}, format="json")
        .status_code
        == 201
    )
    assert (
        api(salesperson).post(f"/api/v1/daily-reports/{report.pk}/comments/", {"body": ""}, format="json").status_code
        == 400
    )


def test_daily_report_list_queries_are_bounded(api, manager, django_assert_max_num_queries):
    for n in range(25):
        DailyReportFactory(
            author=SalespersonFactory(unit=manager.unit), date=dt.date(2026, 11, 2) + dt.timedelta(days=n % 4)
        )
    with django_assert_max_num_queries(6):
        assert len(api(manager).get("/api/v1/daily-reports/").json()["results"]) == 25


def test_plans_api(api, salesperson, other_salesperson, manager, django_assert_max_num_queries):
    client = api(salesperson)
    created = client.post(
        "/api/v1/plans/", {"kind": "weekly", "period_start": "2026-11-18", "goals": "拜訪 8 家"}, format="json"
    )
    assert created.status_code == 201 and created.json()["period_start"] == "2026-11-16"
    again = client.post(
        "/api/v1/plans/", {"kind": "weekly", "period_start": "2026-11-16", "goals": "拜訪 9 家"}, format="json"
    )
    assert again.json()["id"] == created.json()["id"] and again.json()["goals"] == "拜訪 9 家"
    assert (
        client.post("/api/v1/plans/", {"kind": "yearly", "period_start": "2026-11-16"}, format="json").status_code
        == 400
    )
    pid = created.json()["id"]
    assert api(other_salesperson).get(f"/api/v1/plans/{pid}/").status_code == 404
    for _ in range(15):
        PlanFactory(author=SalespersonFactory(unit=manager.unit))
    with django_assert_max_num_queries(5):
        assert len(api(manager).get("/api/v1/plans/").json()["results"]) == 16


def test_targets_api_split_and_visibility(
    api, manager, salesperson, teammate, other_salesperson, gm, django_assert_max_num_queries
):
    client = api(manager)
    created = client.post(
        "/api/v1/targets/",
        {"unit": manager.unit_id, "period_type": "quarter", "period_start": "2026-11-05", "amount": "900"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["period_start"] == "2026-10-01"
    tid = created.json()["id"]
    split = client.post(
        f"/api/v1/targets/{tid}/split/",
        {
            "dimension": "salesperson",
            "lines": [{"key": salesperson.username, "amount": "500"}, {"key": str(teammate.pk), "amount": "300"}],
        },
        format="json",
    )
    assert split.status_code == 200 and split.json()["unassigned"] == {"salesperson": "100.00"}
    over = client.post(
        f"/api/v1/targets/{tid}/split/",
        {"dimension": "region", "lines": [{"key": "北區", "amount": "901"}]},
        format="json",
    )
    assert over.status_code == 400 and "lines" in over.json()
    own = api(salesperson).get(f"/api/v1/targets/{tid}/").json()
    assert [ln["salesperson"] for ln in own["lines"]] == [salesperson.pk] and own["unassigned"] == {}
    assert api(other_salesperson).get(f"/api/v1/targets/{tid}/").status_code == 404
    assert (
        api(salesperson)
        .post(
            "/api/v1/targets/",
            {"unit": salesperson.unit_id, "period_type": "year", "period_start": "2026-01-01", "amount": "1"},
            format="json",
        )
        .status_code
        == 403
    )
    for n in range(12):
        t = TargetFactory(created_by=manager, period_start=dt.date(2025, 1, 1) + dt.timedelta(days=31 * n))
        TargetLine.objects.create(
            target=t, dimension=Dimension.SALESPERSON, salesperson=salesperson, amount=Decimal("1")
        )
    with django_assert_max_num_queries(8):
        assert len(api(gm).get("/api/v1/targets/").json()["results"]) == 13
    assert Target.objects.count() == 13


def test_evaluations_api(api, manager, salesperson, teammate, other_salesperson, django_assert_max_num_queries):
    client = api(manager)
    rows = client.get("/api/v1/evaluations/?period_type=month&period_start=2026-11-01").json()
    assert {r["salesperson_id"] for r in rows} == {salesperson.pk, teammate.pk}
    assert rows[0]["expense_control"]["available"] is True
    assert rows[0]["expense_control"]["approved"] == "0.00"
    for _ in range(10):
        SalespersonFactory(unit=manager.unit)
    # +2: last year's sales and collections; +1: units' own cut-off; +1: returns (退貨) approved in the period
    with django_assert_max_num_queries(24):
        assert len(client.get("/api/v1/evaluations/").json()) == 12
    assert client.get(f"/api/v1/evaluations/{other_salesperson.pk}/").status_code == 404
    fb = client.post(
        f"/api/v1/evaluations/{salesperson.pk}/feedback/",
        {"feedback": "加油", "period_type": "month", "period_start": "2026-11-01"},
        format="json",
    )
    assert fb.status_code == 200 and fb.json()["feedback"] == "加油"
    assert (
        api(salesperson).get(f"/api/v1/evaluations/{salesperson.pk}/?period_start=2026-11-01").json()["feedback"]
        == "加油"
    )
    assert (
        api(salesperson)
        .post(f"/api/v1/evaluations/{salesperson.pk}/feedback/", {"feedback": "me"}, format="json")
        .status_code
        == 403
    )
    assert [r["salesperson_id"] for r in api(salesperson).get("/api/v1/evaluations/").json()] == [salesperson.pk]


def test_dashboard_api_scope_and_bounded_queries(
    api, gm, manager, salesperson, other_salesperson, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            sp = SalespersonFactory(unit=manager.unit)
            ContractFactory(
                customer=CustomerFactory(owner=sp),
                status="signed",
                signed_on=dt.date(2026, 11, 3),
                amount=Decimal("10"),
            )
        summary_refresh()

    grow(3)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(20):  # + receivables policy, breakdowns, units' own cut-off
            small = api(gm).get("/api/v1/dashboard/?period=month").json()
        grow(20)
        with django_assert_max_num_queries(20):  # + receivables policy, breakdowns, units' own cut-off
            big = api(gm).get("/api/v1/dashboard/?period=month").json()
        assert big["periods"][0]["sales"] == "230.00" and small["periods"][0]["sales"] == "30.00"
        assert len(big["ranking"]) == 25
        mine = api(salesperson).get("/api/v1/dashboard/").json()
        assert mine["scope"] == {
            "level": "salesperson",
            "label": str(salesperson),
            "unit": None,
            "salesperson": salesperson.pk,
            "customer": None,
        }
        assert api(manager).get(f"/api/v1/dashboard/?salesperson={other_salesperson.pk}").status_code == 404
    assert DailyReport.objects.count() == 0
