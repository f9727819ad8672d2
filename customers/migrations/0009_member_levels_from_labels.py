from django.db import migrations


def forwards(apps, schema_editor):
    """Every member level label in use becomes a MemberLevel row (no benefits until the admin sets them)."""
    Customer = apps.get_model("customers", "Customer")
    MemberLevel = apps.get_model("customers", "MemberLevel")
    names = Customer.objects.exclude(member_level="").values_list("member_level", flat=True).distinct()
    for name in names:
        MemberLevel.objects.get_or_create(name=name.strip() or name)


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_member_levels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
