import datetime as dt
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.tests.factories import SalespersonFactory
from core.periods import add_months
from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.models import DailyReport, Dimension, MarketPrice, Plan, Target, TargetLine
from reports.services.summaries import summary_refresh
from sales.tests.factories import ContractFactory

from .factories import DailyReportFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
TPE = ZoneInfo("Asia/Taipei")


@pytest.fixture
def as_user(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


PAGES = [
    ("reports:dashboard", []),
    ("reports:daily_list", []),
    ("reports:daily_today", []),
    ("reports:plan_list", []),
    ("reports:plan_new", []),
    ("reports:routes", []),
    ("reports:forecasts", []),
    ("reports:target_list", []),
    ("reports:evaluation_list", []),
]


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm", "finance", "admin_user"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_open_for_every_role(request, as_user, role, name, args):
    user = request.getfixturevalue(role)
    response = as_user(user).get(reverse(name, args=args))
    assert response.status_code == 200


def test_pages_need_login(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@time_machine.travel(dt.datetime(2026, 11, 16, 17, 0, tzinfo=TPE), tick=False)
def test_salesperson_files_the_prefilled_report(as_user, salesperson):
    customer = CustomerFactory(owner=salesperson, short_name="台北機械")
    ContactLogFactory(
        customer=customer,
        kind=ContactKind.VISIT,
        happened_at=dt.datetime(2026, 11, 16, 10, tzinfo=TPE),
        outcome="談價格",
    )
    client = as_user(salesperson)
    page = client.get(reverse("reports:daily_today"))
    assert "台北機械" in page.content.decode() and page.context["form"].initial["activities"].count("台北機械") == 1
    response = client.post(
        reverse("reports:daily_today"),
        {
            "activities": page.context["form"].initial["activities"],
            "results": "客戶同意試用",
            "submit": "1",
        },
    )
    report = DailyReport.objects.get(author=salesperson)
    assert response.status_code == 302 and response["Location"] == reverse("reports:daily_detail", args=[report.pk])
    assert report.submitted_at and report.visits_count == 1 and report.results == "客戶同意試用"


def test_service_errors_show_as_form_errors(as_user, salesperson):
    response = as_user(salesperson).post(
        reverse("reports:daily_today"), {"results": "", "activities": "", "submit": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["results"]
    assert not DailyReport.objects.exists()


def test_locked_report_redirects_to_its_page(as_user, salesperson):
    report = DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 2))
    response = as_user(salesperson).get(reverse("reports:daily_edit", args=["2026-11-02"]))
    assert response.status_code == 302 and response["Location"] == reverse("reports:daily_detail", args=[report.pk])


def test_report_detail_visibility_and_review(as_user, salesperson, teammate, manager, other_salesperson, gm):
    report = DailyReportFactory(author=salesperson)
    url = reverse("reports:daily_detail", args=[report.pk])
    assert as_user(teammate).get(url).status_code == 404
    assert as_user(other_salesperson).get(url).status_code == 404
    assert (
        as_user(other_salesperson).post(reverse("reports:daily_comment", args=[report.pk]), {"body": "x"}).status_code
        == 404
    )
    assert as_user(gm).get(url).status_code == 200
    client = as_user(manager)
    assert client.get(url).context["can_review"]
    client.post(reverse("reports:daily_review", args=[report.pk]), {"body": "做得好"})
    report.refresh_from_db()
    assert report.reviewed_by == manager and report.comments.get().body == "做得好"
    # A salesperson cannot mark reviewed even by posting directly.
    other = DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 3))
    as_user(salesperson).post(reverse("reports:daily_review", args=[other.pk]), {"body": ""})
    other.refresh_from_db()
    assert other.reviewed_at is None


def test_daily_list_shows_only_visible_reports(as_user, salesperson, teammate, manager):
    mine = DailyReportFactory(author=salesperson)
    DailyReportFactory(author=teammate)
    page = as_user(salesperson).get(reverse("reports:daily_list"))
    assert [r.pk for r in page.context["page"]] == [mine.pk]
    assert len(as_user(manager).get(reverse("reports:daily_list")).context["page"]) == 2


def test_daily_list_queries_are_bounded(as_user, manager, django_assert_max_num_queries):
    for n in range(30):
        sp = SalespersonFactory(unit=manager.unit)
        report = DailyReportFactory(author=sp, date=dt.date(2026, 11, 2) + dt.timedelta(days=n % 5))
        for competitor in ("東元", "大同"):
            MarketPrice.objects.create(
                author=sp, unit=sp.unit, date=report.date, daily_report=report, competitor=competitor, tier="retail",
                price=Decimal("100"),
            )  # fmt: skip
    client = as_user(manager)
    client.get(reverse("reports:daily_list"))
    with django_assert_max_num_queries(17):  # +1: the competitor prices of the page's reports, in one query
        assert client.get(reverse("reports:daily_list")).status_code == 200


def test_dashboard_page_queries_are_bounded_and_drill_down(
    as_user, gm, manager, salesperson, other_salesperson, django_assert_max_num_queries, settings
):
    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 0  # measure the real work, not the cache
    for _ in range(20):
        sp = SalespersonFactory(unit=manager.unit)
        ContractFactory(
            customer=CustomerFactory(owner=sp), status="signed", signed_on=timezone.localdate(), amount=Decimal("100")
        )
        DailyReportFactory(author=sp, date=timezone.localdate() - dt.timedelta(days=1))  # within the review window
    summary_refresh()
    client = as_user(gm)
    client.get(reverse("reports:dashboard"))
    with django_assert_max_num_queries(25):  # +1: the breakdowns (product, region, tier, methods)
        response = client.get(reverse("reports:dashboard"))
    assert len(response.context["data"].ranking) >= 20
    assert response.context["to_review"] == 20
    assert client.get(reverse("reports:dashboard") + f"?unit={manager.unit_id}").status_code == 200
    assert client.get(reverse("reports:dashboard") + f"?salesperson={salesperson.pk}").status_code == 200
    client = as_user(manager)
    assert client.get(reverse("reports:dashboard") + f"?salesperson={other_salesperson.pk}").status_code == 404
    assert client.get(reverse("reports:dashboard") + f"?unit={other_salesperson.unit_id}").status_code == 404
    assert client.get(reverse("reports:dashboard") + "?unit=abc").status_code == 404
    # A salesperson's query parameters never widen the scope.
    response = as_user(salesperson).get(reverse("reports:dashboard") + f"?unit={other_salesperson.unit_id}")
    assert response.context["data"].scope.salesperson == salesperson


@pytest.mark.parametrize("chart", ["periods", "trend", "overdue", "ranking", "units", "customers"])
def test_every_chart_exports_xlsx(as_user, gm, chart):
    response = as_user(gm).get(reverse("reports:dashboard_export", args=[chart]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.max_row >= 1 and sheet.cell(1, 1).value


def test_unknown_chart_is_404(as_user, gm):
    assert as_user(gm).get(reverse("reports:dashboard_export", args=["nope"])).status_code == 404


def test_plan_create_and_visibility(as_user, salesperson, other_salesperson, manager):
    client = as_user(salesperson)
    response = client.post(
        reverse("reports:plan_new"),
        {"kind": "monthly", "period_start": "2026-11-17", "goals": "新客戶 5 家", "actions": "", "key_points_next": ""},
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.period_start == dt.date(2026, 11, 1)
    assert as_user(other_salesperson).get(reverse("reports:plan_detail", args=[plan.pk])).status_code == 404
    assert as_user(other_salesperson).get(reverse("reports:plan_edit", args=[plan.pk])).status_code == 404
    assert as_user(manager).get(reverse("reports:plan_detail", args=[plan.pk])).status_code == 200


def test_plan_list_queries_are_bounded(as_user, manager, django_assert_max_num_queries):
    for _ in range(20):
        PlanFactory(author=SalespersonFactory(unit=manager.unit))
    client = as_user(manager)
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("reports:plan_list")).context["page"]) == 20


def split_post(dimension: str, *rows, deleted=()) -> dict:
    """The POST of one dimension's split form: (picked key, amount) rows, as the page's pickers send them."""
    data = {
        "dimension": dimension,
        f"{dimension}-TOTAL_FORMS": str(len(rows) + len(deleted)),
        f"{dimension}-INITIAL_FORMS": "0",
        f"{dimension}-MIN_NUM_FORMS": "0",
        f"{dimension}-MAX_NUM_FORMS": "500",
    }
    for n, (key, amount) in enumerate([*rows, *deleted]):
        data[f"{dimension}-{n}-key"] = str(key)
        data[f"{dimension}-{n}-amount"] = amount
        if n >= len(rows):
            data[f"{dimension}-{n}-DELETE"] = "on"
    return data


def test_target_pages_split_and_visibility(as_user, manager, salesperson, teammate, other_salesperson):
    client = as_user(manager)
    response = client.post(
        reverse("reports:target_new"),
        {"unit": manager.unit_id, "period_type": "month", "period_start": "2026-11-01", "amount": "1000"},
    )
    target = Target.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("reports:target_detail", args=[target.pk]),
        split_post("salesperson", (salesperson.pk, "600"), (teammate.pk, "300")),
    )
    assert response.status_code == 302
    assert TargetLine.objects.filter(dimension=Dimension.SALESPERSON).count() == 2
    ContractFactory(
        customer=CustomerFactory(owner=salesperson),
        status="signed",
        signed_on=dt.date(2026, 11, 2),
        amount=Decimal("250"),
    )
    page = client.get(reverse("reports:target_detail", args=[target.pk]))
    assert page.context["splits"][0].unassigned == Decimal("100")
    assert page.context["progress"].actual == Decimal("250") and page.context["progress"].completion == Decimal("25.0")
    assert page.context["splits"][0].rows[0].actual == Decimal("250")
    too_much = client.post(
        reverse("reports:target_detail", args=[target.pk]),
        split_post("salesperson", (salesperson.pk, "6000")),
    )
    assert too_much.status_code == 200 and "more than the target" in too_much.content.decode()
    # the salesperson sees the target with only their own line; others get 404
    own = as_user(salesperson).get(reverse("reports:target_detail", args=[target.pk]))
    assert [r.label for r in own.context["splits"][0].rows] == [str(salesperson)]
    assert as_user(other_salesperson).get(reverse("reports:target_detail", args=[target.pk])).status_code == 404
    assert as_user(salesperson).get(reverse("reports:target_new")).status_code == 404


def test_target_import_page(as_user, admin_user, salesperson):
    wb = Workbook()
    ws = wb.active
    ws.append(["period_type", "period_start", "unit", "dimension", "key", "amount", "quantity"])
    ws.append(["year", "2026-01-01", salesperson.unit.code, "total", None, 1000, None])
    ws.append(["year", "2026-01-01", salesperson.unit.code, "salesperson", "nobody", 10, None])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "t.xlsx"
    response = as_user(admin_user).post(reverse("reports:target_import"), {"file": buf})
    assert response.status_code == 200 and "nobody" in response.content.decode()
    assert not Target.objects.exists()
    template = as_user(admin_user).get(reverse("reports:target_import_template"))
    assert template.status_code == 200


def test_evaluation_pages(as_user, manager, salesperson, other_salesperson, django_assert_max_num_queries):
    TargetLine.objects.create(
        target=TargetFactory(created_by=manager),
        dimension=Dimension.SALESPERSON,
        salesperson=salesperson,
        amount=Decimal("100"),
    )
    for _ in range(10):
        SalespersonFactory(unit=manager.unit)
    client = as_user(manager)
    # 24 before expense control; +2 fixed queries (sold contracts, approved claims) from the commission app
    # +2: sales and collections of the same period last year (year-on-year)
    # +1: units with their own report cut-off; +1: returns (退貨) approved in the period
    with django_assert_max_num_queries(30):
        response = client.get(reverse("reports:evaluation_list") + "?period=month&start=2026-11-01")
    assert len(response.context["rows"]) == 11
    for _ in range(10):
        SalespersonFactory(unit=manager.unit)
    with django_assert_max_num_queries(30):  # the same with twice the people
        response = client.get(reverse("reports:evaluation_list") + "?period=month&start=2026-11-01")
    assert len(response.context["rows"]) == 21
    xlsx = client.get(reverse("reports:evaluation_list") + "?period=month&start=2026-11-01&format=xlsx")
    assert xlsx.status_code == 200
    url = reverse("reports:evaluation_detail", args=[salesperson.pk]) + "?period=month&start=2026-11-01"
    scores = {"obedience": 80, "planning": 70, "progress": 60, "service": 90, "profit": 50}
    assert client.post(url, scores | {"feedback": "拜訪量不足"}).status_code == 302
    assert as_user(salesperson).get(url).context["f"].feedback == "拜訪量不足"
    assert as_user(salesperson).get(url).context["form"] is None
    assert as_user(other_salesperson).get(url).status_code == 404
    assert (
        as_user(salesperson).get(reverse("reports:evaluation_detail", args=[other_salesperson.pk])).status_code == 404
    )


def test_routes_and_forecasts_pages(as_user, salesperson, manager):
    customer = CustomerFactory(owner=salesperson)
    client = as_user(salesperson)
    assert client.post(reverse("reports:routes"), {"day_0": [customer.pk]}).status_code == 302
    assert salesperson.visit_routes.get().customer == customer
    next_month = add_months(timezone.localdate().replace(day=1), 1)  # the page shows recent and coming months
    assert (
        client.post(
            reverse("reports:forecasts"), {"month": f"{next_month:%Y-%m}", "amount": "500000", "confidence": "70"}
        ).status_code
        == 302
    )
    assert salesperson.forecasts.get().month == next_month
    assert len(as_user(manager).get(reverse("reports:forecasts")).context["table"]) == 1


def test_pages_speak_traditional_chinese(as_user, manager, salesperson):
    manager.language = "zh-hant"
    manager.save()
    report = DailyReportFactory(author=salesperson)
    client = as_user(manager)
    assert "儀表板" in client.get(reverse("reports:dashboard")).content.decode()
    page = client.get(reverse("reports:daily_detail", args=[report.pk])).content.decode()
    assert "提出意見並標示已審閱" in page and "明日計畫" in page


def test_dashboard_cache_serves_hits_and_a_summary_refresh_invalidates_it(
    as_user, manager, salesperson, django_assert_max_num_queries
):
    ContractFactory(
        customer=CustomerFactory(owner=salesperson),
        status="signed",
        signed_on=timezone.localdate(),
        amount=Decimal("5"),
    )
    summary_refresh()
    client = as_user(manager)
    first = client.get(reverse("reports:dashboard")).context["data"]
    with django_assert_max_num_queries(
        8
    ):  # session, user, team units, refresh time, reports to review, bell, filing policy
        assert client.get(reverse("reports:dashboard")).context["data"].selected.sales == first.selected.sales
    ContractFactory(
        customer=CustomerFactory(owner=salesperson),
        status="signed",
        signed_on=timezone.localdate(),
        amount=Decimal("7"),
    )
    summary_refresh()
    assert client.get(reverse("reports:dashboard")).context["data"].selected.sales == first.selected.sales + 7


def test_number_filters():
    from reports.templatetags.reports_tags import money, pct

    assert money(Decimal("1234567.5")) == "1,234,568"
    assert money(Decimal("0.49")) == "0"
    assert "—" in money(None) and "—" in pct(None)
    assert pct(Decimal("55.6")) == "55.6%"


def test_target_forecast_and_route_pages_queries_are_bounded(as_user, manager, django_assert_max_num_queries):
    from reports.models import Forecast, VisitRoute

    for n in range(12):
        sp = SalespersonFactory(unit=manager.unit)
        target = TargetFactory(created_by=manager, period_start=dt.date(2025, 1, 1) + dt.timedelta(days=31 * n))
        TargetLine.objects.create(target=target, dimension=Dimension.SALESPERSON, salesperson=sp, amount=Decimal("1"))
        Forecast.objects.create(owner=sp, unit=sp.unit, month=timezone.localdate().replace(day=1), amount=Decimal("5"))
        VisitRoute.objects.create(owner=sp, unit=sp.unit, weekday=n % 5, customer=CustomerFactory(owner=sp))
    client = as_user(manager)
    with django_assert_max_num_queries(9):  # +1: the filing policy in force (navbar inbox badge)
        assert len(client.get(reverse("reports:target_list")).context["page"]) == 12
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("reports:forecasts")).context["table"]) == 12
    with django_assert_max_num_queries(10):
        assert len(client.get(reverse("reports:routes")).context["team_routes"]) == 12


@time_machine.travel(dt.datetime(2026, 11, 17, 9, 0, tzinfo=TPE), tick=False)
def test_yesterdays_open_report_is_offered_and_days_off_are_marked(as_user, salesperson):
    client = as_user(salesperson)
    page = client.get(reverse("reports:daily_list"))
    assert page.context["open_days"] == [dt.date(2026, 11, 16)]  # cut-off 17 Nov 10:00 not passed yet
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 16))
    assert client.get(reverse("reports:daily_list")).context["open_days"] == []
    saturday = client.get(reverse("reports:daily_edit", args=["2026-11-14"]))
    assert saturday.status_code == 200 and not saturday.context["working_day"]


def test_non_sales_staff_see_their_own_dashboard(as_user, unit):
    from accounts.tests.factories import UserFactory

    staff = UserFactory(role="staff", unit=unit)
    response = as_user(staff).get(reverse("reports:dashboard"))
    assert response.status_code == 200 and response.context["data"].scope.salesperson == staff


def test_plan_shows_actuals_and_summary_is_prefilled(as_user, salesperson):
    today = timezone.localdate()
    plan = PlanFactory(
        author=salesperson, kind="monthly", period_start=today.replace(day=1), sales_goal=Decimal("1000"), visits_goal=4
    )
    customer = CustomerFactory(owner=salesperson)
    ContractFactory(customer=customer, status="signed", signed_on=today, amount=Decimal("250"))
    ContactLogFactory(customer=customer, kind=ContactKind.VISIT, happened_at=timezone.now() - dt.timedelta(minutes=1))
    client = as_user(salesperson)
    actuals = client.get(reverse("reports:plan_detail", args=[plan.pk])).context["actuals"]
    assert (actuals.sales, actuals.sales_completion, actuals.visits, actuals.visits_completion) == (
        Decimal("250"),
        Decimal("25.0"),
        1,
        Decimal("25.0"),
    )
    form = client.get(reverse("reports:plan_new") + "?kind=summary").context["form"]
    from reports.periods import add_months

    assert form.initial["period_start"] == add_months(today.replace(day=1), -1)
    assert "Report compliance" in form.initial["goals"]


def test_daily_list_search_finds_competitor_notes(as_user, manager, salesperson):
    hit = DailyReportFactory(author=salesperson)
    MarketPrice.objects.create(
        author=salesperson, unit=salesperson.unit, date=hit.date, daily_report=hit, competitor="東元", tier="retail",
        price=Decimal("16800"),
    )  # fmt: skip
    DailyReportFactory(author=salesperson, date=dt.date(2026, 11, 3), market_notes="原物料上漲")
    page = as_user(manager).get(reverse("reports:daily_list") + "?q=東元")
    assert [r.pk for r in page.context["page"]] == [hit.pk]
    assert "16,800" in page.content.decode()
