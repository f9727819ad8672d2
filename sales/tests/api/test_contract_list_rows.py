"""The contracts API list writes its rows directly (ContractListOutputSerializer.to_representation): the output is
exactly what DRF's generic walk over the declared fields gives, for every shape of row, in both languages."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from customers.tests.factories import CustomerFactory
from sales.api.contracts import ContractListOutputSerializer, ContractViewSet
from sales.models import ContractStatus, Payment, PaymentKind, SalesMethod, SettlementMethod

from ..factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracts(salesperson):
    customer = CustomerFactory(owner=salesperson, name="大同紡織股份有限公司")
    today = timezone.localdate()
    plain = ContractFactory(customer=customer, amount=D("1000.00"))
    signed = ContractFactory(
        customer=customer,
        status=ContractStatus.SIGNED,
        amount=D("2500.50"),
        prepayment_amount=D("100.00"),
        retention_amount=D("50.25"),
        retention_due_on=today + dt.timedelta(days=30),
        signed_on=today - dt.timedelta(days=20),
        filing_due_on=today - dt.timedelta(days=1),
        settlement_method=SettlementMethod.objects.first(),
        sales_method=SalesMethod.objects.first(),
        title="年度合約",
    )
    Payment.objects.create(
        contract=signed, paid_on=today, amount=D("300.10"), kind=PaymentKind.PROGRESS, recorded_by=salesperson
    )
    Payment.objects.create(
        contract=signed, paid_on=today, amount=D("20.00"), kind=PaymentKind.RETENTION, recorded_by=salesperson
    )
    return plain, signed


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_rows_are_exactly_the_generic_serialisation(salesperson, contracts, lang):
    assert SettlementMethod.objects.exists() and SalesMethod.objects.exists()  # the seeded method lists
    request = APIRequestFactory().get("/api/v1/contracts/")
    request.user = salesperson
    view = ContractViewSet(action="list", request=request, format_kwarg=None)
    rows = list(view.get_queryset())
    assert {c.pk for c in rows} == {c.pk for c in contracts}
    serializer = ContractListOutputSerializer(context={"request": request})
    with translation.override(lang):
        for obj in rows:
            fast = serializer.to_representation(obj)
            generic = serializers.ModelSerializer.to_representation(serializer, obj)
            assert fast == dict(generic), obj.number
            assert list(fast) == list(generic)  # the same keys in the same order
    signed = next(serializer.to_representation(o) for o in rows if o.status == ContractStatus.SIGNED)
    assert signed["paid"] == "320.10" and signed["receivable"] == "2180.40" and signed["filing_overdue"] is True
