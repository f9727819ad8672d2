"""The rule book's default commission rule set (see core.reference_data)."""

import datetime as dt


def seed(apps) -> None:
    rule_sets = apps.get_model("commission", "CommissionRuleSet")
    if not rule_sets.objects.exists():
        rule_sets.objects.create(
            name="業務提成辦法 (rule book defaults)",
            effective_from=dt.date(2000, 1, 1),
            note="Defaults of the rule book; add a new rule set with a later effective date to change them.",
        )
