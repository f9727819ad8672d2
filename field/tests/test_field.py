"""Plans approved by the manager, market reports whose urgent problems reach the manager at once and stay open
until answered, and the intelligence page built from the reports' prices."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ManagerFactory
from customers.tests.factories import CustomerFactory
from field import services
from field.models import EscalationStatus, LeadConversion, MarketingPlan, MarketReport, PlanStatus
from reminders.models import Notification
from sales.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def goals():
    return {
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-0-dimension": "product",
        "goals-0-key": "濾水器",
        "goals-0-amount": "3000000",
        "goals-1-dimension": "region",
        "goals-1-key": "台中",
        "goals-1-amount": "1000000",
    }


def test_plan_is_submitted_returned_with_a_reason_and_approved_each_step_told_once(client, salesperson, manager):
    manager.language = "en"
    manager.save()
    salesperson.language = "zh-hant"
    salesperson.save()
    year = timezone.localdate().year
    client.force_login(salesperson)
    page = client.post(
        reverse("field:plan_new"), {"year": year, "activities": "每月拜訪大客戶", "budget": "50000", **goals()}
    )
    assert page.status_code == 302
    plan = MarketingPlan.objects.get()
    assert plan.goals.count() == 2
    assert client.post(reverse("field:plan_action", args=[plan.pk, "submit"])).status_code == 302
    [note] = Notification.objects.filter(user=manager)
    assert note.title.startswith("Marketing plan") and str(year) in note.title
    client.force_login(manager)
    assert client.post(reverse("field:plan_action", args=[plan.pk, "return"]), {"note": ""}).status_code == 400
    assert (
        client.post(reverse("field:plan_action", args=[plan.pk, "return"]), {"note": "台中目標太低"}).status_code == 302
    )
    [back] = Notification.objects.filter(user=salesperson)
    assert "退回" in back.title or "returned" in back.title.lower()
    client.force_login(salesperson)
    assert client.post(reverse("field:plan_action", args=[plan.pk, "submit"])).status_code == 302
    client.force_login(manager)
    assert client.post(reverse("field:plan_action", args=[plan.pk, "approve"])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == manager
    assert Notification.objects.filter(user=manager).count() == 2  # two submissions, one notification each


def test_a_salesperson_cannot_approve_and_another_unit_sees_nothing(client, salesperson, other_salesperson):
    plan = services.plan_save(
        actor=salesperson,
        year=timezone.localdate().year,
        activities="x",
        budget="0",
        goals=[services.GoalInput("product", "A", Decimal("1"))],
    )
    services.plan_act(plan=plan, actor=salesperson, action="submit")
    client.force_login(salesperson)
    assert client.post(reverse("field:plan_action", args=[plan.pk, "approve"])).status_code == 403
    client.force_login(other_salesperson)
    assert client.get(reverse("field:plan", args=[plan.pk])).status_code == 404
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    client.force_login(other_manager)
    assert client.post(reverse("field:plan_action", args=[plan.pk, "approve"])).status_code == 404


def report_post(product, **extra):
    data = {
        "kind": "patrol",
        "date": timezone.localdate().isoformat(),
        "place": "台中市北屯區",
        "region": "台中",
        "prices-TOTAL_FORMS": "1",
        "prices-INITIAL_FORMS": "0",
        "prices-0-product": product.pk,
        "prices-0-competitor": "大華",
        "prices-0-tier": "retail",
        "prices-0-price": "980",
    }
    data.update(extra)
    return data


def test_urgent_problem_reaches_the_manager_once_and_stays_open_until_answered(client, salesperson, manager):
    product = ProductFactory()
    client.force_login(salesperson)
    page = client.post(reverse("field:report_new"), report_post(product, urgent_problem="經銷商低價竄貨到我們的區域"))
    assert page.status_code == 302
    report = MarketReport.objects.get()
    assert report.escalation == EscalationStatus.OPEN
    assert Notification.objects.filter(user=manager, activity__document="field.report").count() == 1
    client.force_login(manager)
    listing = client.get(reverse("field:reports"))
    assert b"open-escalations" in listing.content
    assert client.post(reverse("field:report", args=[report.pk]), {"answer": ""}).status_code == 400
    assert client.post(reverse("field:report", args=[report.pk]), {"answer": "明天一起去拜訪經銷商"}).status_code == 302
    report.refresh_from_db()
    assert report.escalation == EscalationStatus.ANSWERED and report.answered_by == manager
    assert Notification.objects.filter(user=salesperson, activity__action="answered").count() == 1
    assert b"open-escalations" not in client.get(reverse("field:reports")).content


def test_channel_conflict_needs_evidence_and_bad_prices_are_refused(client, salesperson):
    product = ProductFactory()
    client.force_login(salesperson)
    assert client.post(reverse("field:report_new"), report_post(product, channel_conflict="on")).status_code == 400
    bad = report_post(product)
    bad["prices-0-competitor"] = ""
    assert client.post(reverse("field:report_new"), bad).status_code == 400
    assert not MarketReport.objects.exists()


def test_intelligence_averages_prices_by_month_and_is_for_managers(client, salesperson, manager):
    product = ProductFactory(code="F100")
    day = timezone.localdate()
    for price in ("900", "1000"):
        services.market_report_create(
            actor=salesperson,
            data={"kind": "patrol", "date": day, "place": "x", "region": "台中"},
            prices=[services.PriceInput(product.pk, "大華", "", "retail", Decimal(price))],
        )
    client.force_login(salesperson)
    assert client.get(reverse("field:intelligence")).status_code == 404
    client.force_login(manager)
    page = client.get(reverse("field:intelligence"), {"start": day.replace(day=1).isoformat(), "end": day.isoformat()})
    [row] = page.context["data"].prices
    assert row["average"] == Decimal("950") and row["low"] == Decimal("900") and row["seen"] == 2
    xlsx = client.get(reverse("field:intelligence"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_field_pages_render_with_bounded_queries(client, salesperson, manager, django_assert_max_num_queries, lang):
    product = ProductFactory()
    for _i in range(5):
        services.market_report_create(
            actor=salesperson,
            data={
                "kind": "registry",
                "date": timezone.localdate() - dt.timedelta(days=1),
                "place": "y",
                "channel_conflict": True,
                "conflict_evidence": "照片",
                "leads": "甲商行 0912-345-678\n乙商行",
            },
            prices=[services.PriceInput(product.pk, "大華", "", "second", Decimal("10"))],
        )
    for report in MarketReport.objects.all():
        LeadConversion.objects.create(
            report=report, line=1, lead="甲商行", customer=CustomerFactory(owner=salesperson), converted_by=salesperson
        )
    client.force_login(manager)
    # the intelligence page reads the conflict cases' photos, the leads' count and their conversions: 3 more queries
    bounds = {"field:plans": 12, "field:reports": 12, "field:intelligence": 15, "field:plan_new": 12}
    for name, bound in {**bounds, "field:report_new": 12}.items():
        with django_assert_max_num_queries(bound):
            assert client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang).status_code == 200
    with django_assert_max_num_queries(12):  # a report with its prices, photos and leads' conversions
        page = client.get(reverse("field:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200 and len(page.context["leads"]) == 2


def _xlsx_rows(response) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_intelligence_charts_prices_over_months_and_the_xlsx_names_the_tier(client, salesperson, manager):
    product = ProductFactory(code="F200")
    today = timezone.localdate()
    earlier = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=5)  # a day of last month
    for day, price, tier in ((earlier, "800", "second"), (today, "900", "second"), (today, "1200", "retail")):
        services.market_report_create(
            actor=salesperson,
            data={"kind": "patrol", "date": day, "place": "x", "region": "台中"},
            prices=[services.PriceInput(product.pk, "大華", "", tier, Decimal(price))],
        )
    client.force_login(manager)
    page = client.get(reverse("field:intelligence"), {"start": earlier.isoformat(), "end": today.isoformat()})
    chart = page.context["chart"]
    assert chart["months"] == [earlier.strftime("%Y-%m"), today.strftime("%Y-%m")]
    lines = {s["name"]: s["data"] for s in chart["series"]}
    assert lines == {
        "大華 · Second-tier (二批) · 台中": ["800.00", "900.00"],
        "大華 · Retail (零售) · 台中": [None, "1200.00"],
    }
    assert chart["activity"]["reports"] == [1, 2]
    html = page.content.decode()
    assert 'id="chart-prices"' in html and 'id="intel-data"' in html and "echarts" in html
    assert 'id="prices"' in html  # the table that carries the same figures
    for lang, second, retail in (("en", "Second-tier (二批)", "Retail (零售)"), ("zh-hant", "二批", "零售")):
        manager.language = lang
        manager.save()
        xlsx = client.get(
            reverse("field:intelligence"),
            {"start": earlier.isoformat(), "end": today.isoformat(), "format": "xlsx"},
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        tiers = {row[3] for row in _xlsx_rows(xlsx)[1:]}
        assert tiers == {second, retail}


def test_intelligence_filters_by_a_unit_of_the_team_only(client, salesperson, manager, other_salesperson, gm):
    product = ProductFactory(code="F300")
    day = timezone.localdate()
    for author, price in ((salesperson, "700"), (other_salesperson, "750")):
        services.market_report_create(
            actor=author,
            data={"kind": "patrol", "date": day, "place": "x"},
            prices=[services.PriceInput(product.pk, "大華", "", "retail", Decimal(price))],
        )
    client.force_login(gm)
    everyone = client.get(reverse("field:intelligence"))
    assert everyone.context["data"].prices[0]["seen"] == 2
    one = client.get(reverse("field:intelligence"), {"unit": other_salesperson.unit_id})
    assert one.context["unit_id"] == other_salesperson.unit_id
    assert [r["average"] for r in one.context["data"].prices] == [Decimal("750")]
    client.force_login(manager)
    assert [u.pk for u in client.get(reverse("field:intelligence")).context["units"]] == [salesperson.unit_id]
    # another unit's id is not a filter the manager may use: ignored, and their own unit's figures only
    other = client.get(reverse("field:intelligence"), {"unit": other_salesperson.unit_id})
    assert other.context["unit_id"] is None
    assert [r["average"] for r in other.context["data"].prices] == [Decimal("700")]


def test_daily_and_market_report_prices_are_one_source_for_the_page_and_the_export(client, salesperson, manager):
    from reports.models import MarketPrice
    from reports.services.daily_reports import daily_report_save
    from reports.services.market_prices import PriceInput

    product = ProductFactory(code="F400")
    day = timezone.localdate()
    daily_report_save(
        author=salesperson,
        date=day,
        data={"results": "x"},
        submit=False,
        prices=[PriceInput("大華", "", product.pk, "retail", Decimal("950"))],
    )
    report = services.market_report_create(
        actor=salesperson,
        data={"kind": "patrol", "date": day, "place": "x"},
        prices=[services.PriceInput(product.pk, "大華", "", "retail", Decimal("1050"))],
    )
    assert MarketPrice.objects.filter(document="field.report", document_id=report.pk).count() == 1
    assert MarketPrice.objects.filter(daily_report__isnull=False).count() == 1
    client.force_login(manager)
    page = client.get(reverse("field:intelligence"), {"start": day.replace(day=1).isoformat(), "end": day.isoformat()})
    [row] = page.context["data"].prices
    assert (row["average"], row["low"], row["high"], row["seen"]) == (Decimal("1000"), 950, 1050, 2)
    xlsx = client.get(
        reverse("field:intelligence"),
        {"start": day.replace(day=1).isoformat(), "end": day.isoformat(), "format": "xlsx"},
    )
    [(_m, _p, _c, _t, _r, average, _lo, _hi, seen)] = _xlsx_rows(xlsx)[1:]
    assert (average, seen) == (1000, 2)
    detail = client.get(reverse("field:report", args=[report.pk]))
    assert [p.price for p in detail.context["prices"]] == [Decimal("1050.00")]


def test_the_daily_report_page_writes_prices_by_tier(client, salesperson):
    from reports.models import DailyReport

    product = ProductFactory(code="F500")
    client.force_login(salesperson)
    base = {
        "activities": "拜訪",
        "results": "ok",
        "prices-TOTAL_FORMS": "2",
        "prices-INITIAL_FORMS": "0",
        "prices-0-competitor": "東元",
        "prices-0-competitor_product": "馬達 X",
        "prices-0-product": product.pk,
        "prices-0-price": "16800",
    }
    refused = client.post(reverse("reports:daily_today"), base)  # a price without its tier
    assert refused.status_code == 200 and refused.context["prices"].errors[0]["tier"]
    assert not DailyReport.objects.exists()
    more = {"prices-0-tier": "second", "prices-1-competitor": "大同", "problems": "退貨", "problem_urgent": "on"}
    saved = client.post(reverse("reports:daily_today"), base | more)
    assert saved.status_code == 302
    report = DailyReport.objects.get()
    assert sorted((p.competitor, p.tier, p.price) for p in report.prices.all()) == [
        ("大同", "", None),
        ("東元", "second", Decimal("16800.00")),
    ]
    detail = client.get(reverse("reports:daily_detail", args=[report.pk])).content.decode()
    assert "馬達 X" in detail and "16800" in detail
    assert report.escalated_at is not None and 'id="urgent-problem"' in detail  # gone up to the manager at once
    again = client.get(reverse("reports:daily_today"))
    assert again.context["prices"].initial[0]["competitor"] in ("東元", "大同")
