"""Demo daily reports for the last four weeks (about nine in ten working days filed)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from .calendar import report_deadline
from .models import DailyReport


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
