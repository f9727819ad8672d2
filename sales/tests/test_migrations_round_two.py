"""Migration of existing data (rule book round two): the data migrations fill the new fields of the rows already there
and leave what was decided as it was: contracts already approved or signed stay so, with their approvals, and the
discount authorities, ceilings and policies keep their values."""

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from sales.models import (
    ApprovalDecision,
    ApproverRole,
    Contract,
    ContractApproval,
    ContractStatus,
    DiscountAuthority,
    SalesPolicy,
    UnitAuthorityCeiling,
)
from sales.tests.factories import ContractFactory, authority

pytestmark = pytest.mark.django_db


def _migration(name):
    return importlib.import_module(f"sales.migrations.{name}")


def _decided(contracts):
    return {
        c.pk: (
            c.status,
            list(c.approvals.order_by("id").values_list("approver_role", "decision", "decided_by_id", "round")),
        )
        for c in Contract.objects.filter(pk__in=[c.pk for c in contracts])
    }


def test_backfills_keep_approved_contracts_approved_and_authorities_unchanged(salesperson, manager, admin_user):
    customer = CustomerFactory(owner=salesperson)
    approved = ContractFactory(
        customer=customer, status=ContractStatus.APPROVED, settlement_method=None, sales_method=None
    )
    ContractApproval.objects.create(
        contract=approved,
        round=1,
        approver_role=ApproverRole.MANAGER,
        decision=ApprovalDecision.APPROVED,
        decided_by=manager,
        decided_at=timezone.now(),
    )
    signed = ContractFactory(
        customer=customer,
        status=ContractStatus.SIGNED,
        signed_on=dt.date(2026, 1, 5),
        settlement_method=None,
        sales_method=None,
    )
    own = authority(salesperson, "12.5", set_by=manager)
    ceiling = UnitAuthorityCeiling.objects.create(
        unit=salesperson.unit, max_discount_percent=D("15"), effective_from=dt.date(2020, 1, 1), set_by=admin_user
    )
    before = _decided([approved, signed])

    _migration("0007_settlement_and_sales_methods").seed_and_backfill(apps, None)
    _migration("0008_engineering_internal_price").external_lines(apps, None)

    assert _decided([approved, signed]) == before
    assert before[approved.pk][0] == ContractStatus.APPROVED and len(before[approved.pk][1]) == 1
    for c in Contract.objects.filter(pk__in=[approved.pk, signed.pk]).select_related(
        "settlement_method", "sales_method"
    ):
        assert (c.settlement_method.code, c.sales_method.code) == ("transfer", "direct")
    assert DiscountAuthority.objects.get(pk=own.pk).max_discount_percent == D("12.5")
    assert UnitAuthorityCeiling.objects.get(pk=ceiling.pk).max_discount_percent == D("15")


def test_existing_policies_get_the_rule_books_quote_validity():
    [op] = [
        o
        for o in _migration("0015_quote_valid_days_unit_policy_validators").Migration.operations
        if getattr(o, "name", "") == "quote_valid_days"
    ]
    assert op.field.default == 30  # the number hard-coded before, now the rows' value
    policy = SalesPolicy.objects.create(effective_from=dt.date(2020, 1, 1))
    assert SalesPolicy.objects.get(pk=policy.pk).quote_valid_days == 30
