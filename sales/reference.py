"""The rule book's settlement and sales methods (see core.reference_data)."""

from sales.services.methods import SALES_SEED, SETTLEMENT_SEED


def seed(apps) -> None:
    for model_name, rows in (("SettlementMethod", SETTLEMENT_SEED), ("SalesMethod", SALES_SEED)):
        model = apps.get_model("sales", model_name)
        if model.objects.exists():  # an admin's list, kept as it is
            continue
        for n, (code, name, name_en, default) in enumerate(rows):
            model.objects.create(code=code, name=name, name_en=name_en, position=n, is_default=default)
