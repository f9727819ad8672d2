import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def default_rule_set(request):
    """The rule-book defaults the data migration creates (a transactional test's flush may have removed them)."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return None
    request.getfixturevalue("db")
    from commission.models import CommissionRuleSet

    rs, _ = CommissionRuleSet.objects.get_or_create(
        effective_from=dt.date(2000, 1, 1), defaults={"name": "業務提成辦法 (rule book defaults)"}
    )
    return rs
