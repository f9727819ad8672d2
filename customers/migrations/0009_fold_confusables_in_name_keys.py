"""Recompute the name keys with homoglyphs folded (customers.identity.skeleton: Cyrillic о е а read as Latin).

A key that now equals another customer's key is not forced (the unique constraint would fail the migration): the
customer keeps its old key and the pair is written to IdentityCollision, which the GM office sees on the conflicts
page. Uses today's normalize_name on purpose: the point is to bring stored keys up to the current folding.
"""

from django.db import migrations


def recompute_name_keys(apps, schema_editor):
    from customers.identity import normalize_name

    Customer = apps.get_model("customers", "Customer")
    CustomerIdentity = apps.get_model("customers", "CustomerIdentity")
    IdentityCollision = apps.get_model("customers", "IdentityCollision")
    names = dict(Customer.objects.values_list("id", "name"))
    rows = list(CustomerIdentity.objects.filter(kind="name").order_by("customer__registered_at", "customer_id", "id"))
    holders = {row.key: row.customer_id for row in rows}
    for row in rows:  # first registered first: it gets the folded key (先入為主)
        new = normalize_name(names.get(row.customer_id, ""))
        if not new or new == row.key:
            continue
        holder = holders.get(new)
        if holder is not None and holder != row.customer_id:
            IdentityCollision.objects.get_or_create(
                customer_id=row.customer_id, holder_id=holder, kind="name", defaults={"key": new}
            )
            continue
        if holders.get(row.key) == row.customer_id:
            del holders[row.key]
        holders[new] = row.customer_id
        row.key = new
        row.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_identity_collision")]

    operations = [migrations.RunPython(recompute_name_keys, migrations.RunPython.noop)]
