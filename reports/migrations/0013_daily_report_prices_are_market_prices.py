from django.db import migrations


class Migration(migrations.Migration):
    """The daily report's single competitor fields are gone: its prices are MarketPrice rows (0012 carried them)."""

    dependencies = [
        ("reports", "0012_market_prices"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='dailyreport',
            name='daily_report_competitor_price_non_negative',
        ),
        migrations.RemoveField(
            model_name='dailyreport',
            name='competitor',
        ),
        migrations.RemoveField(
            model_name='dailyreport',
            name='competitor_price',
        ),
        migrations.RemoveField(
            model_name='dailyreport',
            name='competitor_product',
        ),
    ]
