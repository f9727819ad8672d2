from django.db import migrations


def field_prices_to_market_prices(apps, schema_editor):
    """Every price of a market report moves, unchanged, into the one price table (reports.MarketPrice), named by
    the report ("field.report", id) with the report's author, unit, day and region."""
    Old = apps.get_model("field", "MarketPrice")
    New = apps.get_model("reports", "MarketPrice")
    rows = []
    for p in Old.objects.select_related("report").order_by("id").iterator(chunk_size=2000):
        r = p.report
        rows.append(
            New(
                author_id=r.author_id,
                unit_id=r.unit_id,
                date=r.date,
                region=r.region,
                document="field.report",
                document_id=r.id,
                product_id=p.product_id,
                competitor=p.competitor,
                competitor_product=p.competitor_product,
                tier=p.tier,
                price=p.price,
            )
        )
        if len(rows) >= 2000:
            New.objects.bulk_create(rows)
            rows = []
    New.objects.bulk_create(rows)


def market_prices_to_field_prices(apps, schema_editor):
    Old = apps.get_model("field", "MarketPrice")
    New = apps.get_model("reports", "MarketPrice")
    Old.objects.bulk_create(
        [
            Old(
                report_id=p.document_id,
                product_id=p.product_id,
                competitor=p.competitor,
                competitor_product=p.competitor_product,
                tier=p.tier,
                price=p.price,
            )
            for p in New.objects.filter(document="field.report").order_by("id")
        ]
    )
    New.objects.filter(document="field.report").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("field", "0001_marketing_plans_market_reports"),
        ("reports", "0012_market_prices"),
    ]

    operations = [migrations.RunPython(field_prices_to_market_prices, market_prices_to_field_prices)]
