"""Demo reports data: daily reports for the last four weeks (about nine in ten working days filed), this year's
targets split by salesperson, plans, visit routes, forecasts, a holiday, and the dashboard summaries."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer

from .calendar import report_deadline
from .models import (
    CalendarDay,
    DailyReport,
    Dimension,
    Forecast,
    Plan,
    PlanKind,
    Target,
    TargetKind,
    TargetLine,
    VisitRoute,
)
from .periods import add_months, month_start, week_start


# Kept whole (demo data, read top to bottom): the targets and forecasts draw on the random generator left by the
# daily-report loop, so splitting it would change the demo figures.
def run(*, people) -> None:
    today = timezone.localdate()
    existing = set(DailyReport.objects.values_list("author_id", "date"))
    rows = []
    for sp in people.salespeople:
        for back in range(1, 29):
            day = today - dt.timedelta(days=back)
            rng = random.Random(f"{sp.username}:{day.isoformat()}")
            if day.weekday() >= 5 or rng.random() < 0.1 or (sp.id, day) in existing:
                continue
            submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(18, rng.randint(0, 59))))
            rows.append(
                DailyReport(
                    author=sp,
                    unit=sp.unit,
                    date=day,
                    activities="拜訪客戶 2 家，電話聯繫 3 家",
                    results=rng.choice(["取得一張訂單", "客戶要求重新報價", "完成售後回訪"]),
                    problems=rng.choice(["", "競爭對手降價 5%", "交期太長"]),
                    market_notes=rng.choice(["", "同業馬達報價約 17,000", "原物料價格上漲"]),
                    plan_tomorrow="跟進報價、拜訪新客戶",
                    submitted_at=submitted,
                    deadline=report_deadline(day),
                )
            )
    DailyReport.objects.bulk_create(rows)

    CalendarDay.objects.get_or_create(date=dt.date(today.year, 10, 10), defaults={"name": "國慶日"})
    CalendarDay.objects.get_or_create(date=dt.date(today.year, 1, 1), defaults={"name": "元旦"})

    manager = next(iter(people.managers.values()), None)
    year = dt.date(today.year, 1, 1)
    for code, unit in people.units.items():
        members = [sp for sp in people.salespeople if sp.unit_id == unit.pk]
        unit_manager = people.managers.get(code) or manager
        if not members or unit_manager is None:
            continue
        per_person = Decimal(rng.choice([6, 8, 10])) * Decimal(1_000_000)
        total = per_person * len(members) + Decimal(2_000_000)
        target, created = Target.objects.get_or_create(
            unit=unit,
            kind=TargetKind.SALES,
            period_type="year",
            period_start=year,
            defaults={"amount": total, "created_by": unit_manager},
        )
        if created:
            TargetLine.objects.bulk_create(
                [
                    TargetLine(target=target, dimension=Dimension.SALESPERSON, salesperson=sp, amount=per_person)
                    for sp in members
                ]
            )
        # The collection target (回款目標) beside it: 90 % of the sales target, split the same way by salesperson.
        collect, created = Target.objects.get_or_create(
            unit=unit,
            kind=TargetKind.COLLECTION,
            period_type="year",
            period_start=year,
            defaults={"amount": total * Decimal("0.9"), "created_by": unit_manager},
        )
        if created:
            TargetLine.objects.bulk_create(
                [
                    TargetLine(
                        target=collect,
                        dimension=Dimension.SALESPERSON,
                        salesperson=sp,
                        amount=per_person * Decimal("0.9"),
                    )
                    for sp in members
                ]
            )
        month_target, created = Target.objects.get_or_create(
            unit=unit,
            kind=TargetKind.SALES,
            period_type="month",
            period_start=month_start(today),
            defaults={"amount": (total / 12).quantize(Decimal("1")), "created_by": unit_manager},
        )
        if created:
            TargetLine.objects.bulk_create(
                [
                    TargetLine(
                        target=month_target,
                        dimension=Dimension.SALESPERSON,
                        salesperson=sp,
                        amount=(per_person / 12).quantize(Decimal("1")),
                    )
                    for sp in members
                ]
            )

    for sp in people.salespeople:
        Plan.objects.get_or_create(
            author=sp,
            kind=PlanKind.WEEKLY,
            period_start=week_start(today),
            defaults={"unit": sp.unit, "goals": "拜訪 8 家客戶，新開發 2 家", "actions": "週二、週四跑新竹路線"},
        )
        Plan.objects.get_or_create(
            author=sp,
            kind=PlanKind.SUMMARY,
            period_start=add_months(month_start(today), -1),
            defaults={"unit": sp.unit, "goals": "上月達成 85%", "key_points_next": "追回逾期款項、推廣新品"},
        )
        customers = list(Customer.objects.filter(owner=sp).order_by("id")[:6])
        if customers and not VisitRoute.objects.filter(owner=sp).exists():
            VisitRoute.objects.bulk_create(
                [
                    VisitRoute(owner=sp, unit=sp.unit, weekday=n % 5, customer=c, position=n // 5)
                    for n, c in enumerate(customers)
                ]
            )
        for ahead in range(3):
            Forecast.objects.get_or_create(
                owner=sp,
                month=add_months(month_start(today), ahead),
                defaults={
                    "unit": sp.unit,
                    "amount": Decimal(rng.randint(5, 15) * 100_000),
                    "confidence": 80 - 20 * ahead,
                },
            )

    from .services.summaries import summary_refresh

    summary_refresh()
