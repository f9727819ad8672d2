import datetime as dt

from django.db import migrations


def create_default(apps, schema_editor):
    RuleSet = apps.get_model("commission", "CommissionRuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(
            name="業務提成辦法 (rule book defaults)",
            effective_from=dt.date(2000, 1, 1),
            note="Defaults of the rule book; add a new rule set with a later effective date to change them.",
        )


class Migration(migrations.Migration):
    dependencies = [("commission", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
