import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, SalesUnit, User
from customers.models import ContactLog, Customer
from reports.models import DailyReport
from sales.models import Contract, ContractLine, Payment, Product

pytestmark = pytest.mark.django_db

MODELS = [SalesUnit, User, Customer, ContactLog, Product, Contract, ContractLine, Payment, DailyReport]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_seed_demo_builds_a_believable_company_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    assert first["SalesUnit"] >= 3
    assert User.objects.filter(role=Role.SALESPERSON).count() >= 12
    assert User.objects.filter(role=Role.MANAGER).count() >= 3
    assert first["Customer"] >= 50 and first["Contract"] >= 30 and first["DailyReport"] > 100
    assert Customer.objects.filter(name__contains="股份有限公司").exists()
    assert Customer.objects.filter(name__contains="Co., Ltd.").exists()
    # Every salesperson's customers belong to their unit.
    assert not Customer.objects.exclude(unit=models_unit_of_owner()).exists()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == first
    assert "sales01" in out.getvalue()
    call_command("seed_demo", "--once", stdout=out)
    assert counts() == first


def models_unit_of_owner():
    from django.db.models import F

    return F("owner__unit")


def test_seed_demo_refuses_under_production_settings(settings, monkeypatch):
    settings.PRODUCTION = True
    monkeypatch.delenv("SEED_DEMO_ALLOW_PRODUCTION", raising=False)
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", "--once", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


def test_seed_demo_runs_under_production_settings_when_allowed(settings, monkeypatch):
    settings.PRODUCTION = True
    out = io.StringIO()
    call_command("seed_demo", "--once", "--allow-production", stdout=out)
    assert User.objects.filter(username="admin").exists()
    monkeypatch.setenv("SEED_DEMO_ALLOW_PRODUCTION", "1")
    call_command("seed_demo", "--once", stdout=out)  # the environment's consent works too
    assert "already loaded" in out.getvalue()
