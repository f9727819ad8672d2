import datetime as dt
from decimal import Decimal

import factory

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from reports.calendar import report_deadline
from reports.models import DailyReport, Plan, PlanKind, Target


class DailyReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyReport

    author = factory.SubFactory(SalespersonFactory)
    unit = factory.LazyAttribute(lambda o: o.author.unit)
    date = dt.date(2026, 11, 2)
    activities = "拜訪客戶"
    results = "取得訂單"
    deadline = factory.LazyAttribute(lambda o: report_deadline(o.date))
    submitted_at = factory.LazyAttribute(lambda o: o.deadline - dt.timedelta(hours=12))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    author = factory.SubFactory(SalespersonFactory)
    unit = factory.LazyAttribute(lambda o: o.author.unit)
    kind = PlanKind.WEEKLY
    period_start = dt.date(2026, 11, 2)
    goals = "拜訪 10 家"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    created_by = factory.SubFactory(ManagerFactory)
    unit = factory.LazyAttribute(lambda o: o.created_by.unit)
    period_type = "month"
    period_start = dt.date(2026, 11, 1)
    amount = Decimal("1000000.00")
