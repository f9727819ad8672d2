from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    """Lines written before list prices existed were sold at their unit price with no discount."""
    ContractLine = apps.get_model("sales", "ContractLine")
    ContractLine.objects.filter(list_price=0, unit_price__gt=0).update(list_price=F("unit_price"))


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_quote_rejection_reason")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
