from django.db import migrations
from django.db.models import Q


def refill_phonetic(apps, schema_editor):
    """Customers whose names hold a character read differently in names (customers.identity.NAME_READINGS: 曾 as
    zēng) get their syllable pairs again."""
    from customers.identity import NAME_READINGS, phonetic_tokens

    Customer = apps.get_model("customers", "Customer")
    holds = Q()
    for char in NAME_READINGS:
        holds |= Q(name__contains=char) | Q(short_name__contains=char)
    batch = []
    for customer in Customer.objects.filter(holds).only("pk", "name", "short_name").iterator(chunk_size=2000):
        customer.search_phonetic = phonetic_tokens(customer.name, customer.short_name)[:60]
        batch.append(customer)
        if len(batch) >= 2000:
            Customer.objects.bulk_update(batch, ["search_phonetic"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["search_phonetic"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0014_search_indexes_without_pending_list")]

    operations = [migrations.RunPython(refill_phonetic, migrations.RunPython.noop)]
