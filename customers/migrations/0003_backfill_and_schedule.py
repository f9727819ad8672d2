"""Backfill registration keys and search text of existing customers; default pool policy; nightly pool sweep."""

import datetime as dt

from django.db import IntegrityError, migrations, transaction


def forwards(apps, schema_editor):
    from customers.identity import identity_keys, phone_digits, search_key

    Customer = apps.get_model("customers", "Customer")
    CustomerIdentity = apps.get_model("customers", "CustomerIdentity")
    PoolPolicy = apps.get_model("customers", "PoolPolicy")
    for customer in Customer.objects.order_by("registered_at", "id").iterator():
        customer.search_text = search_key(customer.name, customer.short_name)
        customer.phone_digits = phone_digits(str(customer.phone or ""))
        if customer.owner_id and customer.owned_since is None:
            customer.owned_since = customer.registered_at
        customer.save(update_fields=["search_text", "phone_digits", "owned_since"])
        for kind, key in identity_keys(name=customer.name, tax_id=customer.tax_id, phone=str(customer.phone or "")).items():
            try:
                with transaction.atomic():
                    CustomerIdentity.objects.create(customer=customer, kind=kind, key=key)
            except IntegrityError:
                pass  # an earlier registration holds the key; the later customer simply lacks it
    PoolPolicy.objects.get_or_create(effective_from=dt.date(2000, 1, 1), defaults={"idle_days": 90, "warning_days": 7})

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Taipei"
    )
    PeriodicTask.objects.get_or_create(
        name="customers: release idle customers to the pool",
        defaults={"task": "customers.tasks.pool_sweep", "crontab": schedule, "enabled": True},
    )


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="customers.tasks.pool_sweep").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_customer_cards"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
