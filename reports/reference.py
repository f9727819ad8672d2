"""The default report policy and review weights, and the dashboard refresh tasks (see core.reference_data)."""

import datetime as dt
import json

from core.reference_data import periodic_task


def seed(apps) -> None:
    policies = apps.get_model("reports", "ReportPolicy")
    if not policies.objects.exists():
        policies.objects.create(
            effective_from=dt.date(2000, 1, 1), cutoff_days=1, cutoff_time=dt.time(10, 0), working_weekdays="01234"
        )
    weights = apps.get_model("reports", "ReviewWeights")
    if not weights.objects.exists():  # equal weights until the admin sets their own (they sum to 100 %)
        weights.objects.create(
            effective_from=dt.date(2000, 1, 1), obedience=20, planning=20, progress=20, service=20, profit=20
        )
    periodic_task(
        apps,
        "reports: refresh dashboard (recent months)",
        "reports.refresh_dashboard_recent",
        every=(10, "minutes"),
        kwargs=json.dumps({"months_back": 1}),
    )
    periodic_task(
        apps,
        "reports: refresh dashboard (all history)",
        "reports.refresh_dashboard_full",
        crontab={"minute": "30", "hour": "2"},
        kwargs="{}",
    )
