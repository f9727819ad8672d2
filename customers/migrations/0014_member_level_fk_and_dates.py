"""A member customer points at its member level (a foreign key) instead of carrying the level's name: every name in
use maps to the level of that name (created with no benefits when the admin never defined it), in the cards and in
their history, so no data is lost and a renamed level keeps its customers. Adds member since and renewal date."""

import django.db.models.deletion
from django.db import migrations, models


def names_to_levels(apps, schema_editor):
    MemberLevel = apps.get_model("customers", "MemberLevel")
    levels = {}

    def level_id(name: str):
        name = (name or "").strip()
        if not name:
            return None
        if name not in levels:
            levels[name] = MemberLevel.objects.get_or_create(name=name[:30])[0].pk
        return levels[name]

    for model_name in ("Customer", "HistoricalCustomer"):
        model = apps.get_model("customers", model_name)
        for name in model.objects.exclude(member_level="").values_list("member_level", flat=True).distinct():
            model.objects.filter(member_level=name).update(member_level_ref_id=level_id(name))
    # The updates' deferred foreign-key checks run now, before the same transaction alters the table.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def levels_to_names(apps, schema_editor):
    MemberLevel = apps.get_model("customers", "MemberLevel")
    names = dict(MemberLevel.objects.values_list("pk", "name"))
    for model_name in ("Customer", "HistoricalCustomer"):
        model = apps.get_model("customers", model_name)
        for pk in model.objects.exclude(member_level_ref=None).values_list("member_level_ref_id", flat=True).distinct():
            model.objects.filter(member_level_ref_id=pk).update(member_level=names.get(pk, ""))
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_merge_20261203_2243")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="member_level_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.memberlevel",
            ),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="member_level_ref",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="customers.memberlevel",
            ),
        ),
        migrations.RunPython(names_to_levels, levels_to_names),
        migrations.RemoveConstraint(model_name="customer", name="customer_member_level_only_for_members"),
        migrations.RemoveField(model_name="customer", name="member_level"),
        migrations.RemoveField(model_name="historicalcustomer", name="member_level"),
        migrations.RenameField(model_name="customer", old_name="member_level_ref", new_name="member_level"),
        migrations.RenameField(model_name="historicalcustomer", old_name="member_level_ref", new_name="member_level"),
        migrations.AlterField(
            model_name="customer",
            name="member_level",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="customers",
                to="customers.memberlevel",
                verbose_name="member level",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="member_level",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="customers.memberlevel",
                verbose_name="member level",
            ),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(("tier", "member"), ("member_level__isnull", True), _connector="OR"),
                name="customer_member_level_only_for_members",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="member_since",
            field=models.DateField(blank=True, null=True, verbose_name="member since"),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="member_since",
            field=models.DateField(blank=True, null=True, verbose_name="member since"),
        ),
        migrations.AddField(
            model_name="customer",
            name="member_renews_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                help_text="The membership lapses after this day unless it is renewed; empty: it does not expire.",
                null=True,
                verbose_name="membership renewal date",
            ),
        ),
        migrations.AddField(
            model_name="historicalcustomer",
            name="member_renews_on",
            field=models.DateField(
                blank=True,
                db_index=True,
                help_text="The membership lapses after this day unless it is renewed; empty: it does not expire.",
                null=True,
                verbose_name="membership renewal date",
            ),
        ),
    ]
