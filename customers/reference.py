"""The default pool policy and the nightly pool sweep (see core.reference_data)."""

import datetime as dt

from core.reference_data import periodic_task


def seed(apps) -> None:
    policies = apps.get_model("customers", "PoolPolicy")
    if not policies.objects.exists():
        policies.objects.create(effective_from=dt.date(2000, 1, 1), idle_days=90, warning_days=7)
    periodic_task(
        apps,
        "customers: release idle customers to the pool",
        "customers.tasks.pool_sweep",
        crontab={"minute": "30", "hour": "2"},
    )
