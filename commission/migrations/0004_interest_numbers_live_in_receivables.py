# The overdue-interest numbers move to the one receivables policy (receivables.ReceivablesPolicy): each rule
# set's grace months and monthly rate are copied there (same effective date) before the fields are removed.

from django.db import migrations


def copy_to_receivables(apps, schema_editor):
    RuleSet = apps.get_model("commission", "CommissionRuleSet")
    Policy = apps.get_model("receivables", "ReceivablesPolicy")
    for rs in RuleSet.objects.order_by("effective_from", "pk"):
        Policy.objects.update_or_create(
            effective_from=rs.effective_from,
            defaults={
                "grace_months": rs.interest_grace_months,
                "interest_percent_per_month": rs.interest_percent_per_month,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commission", "0003_commission_correction"),
        ("receivables", "0001_receivables_policy"),
    ]

    operations = [
        migrations.RunPython(copy_to_receivables, migrations.RunPython.noop),
        migrations.RemoveField(model_name="commissionruleset", name="interest_grace_months"),
        migrations.RemoveField(model_name="commissionruleset", name="interest_percent_per_month"),
    ]
