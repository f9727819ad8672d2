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


def rendered(data):
    import json

    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
@pytest.mark.parametrize("who", ["gm", "salesperson", "other_salesperson"])
def test_the_list_endpoint_answers_the_generic_rows(request, api_client, contracts, who, lang):
    """The endpoint (rows from .values(), no instances) answers what the generic walk gives for the same
    contracts, in the list's order; a salesperson lists only their own."""
    from sales.models import Contract
    from sales.selectors import with_paid

    user = request.getfixturevalue(who)
    user.language = lang
    user.save(update_fields=["language"])
    api_client.force_login(user)
    response = api_client.get("/api/v1/contracts/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    rows = response.json()["results"]
    instances = list(
        with_paid(Contract.objects.visible_to(user), retention=False)
        .select_related("customer", "owner", "settlement_method", "sales_method")
        .order_by("-created_at", "-id")
    )
    with translation.override(lang):
        walk = ContractListOutputSerializer(context={})
        expected = [dict(serializers.ModelSerializer.to_representation(walk, o)) for o in instances]
    assert rows == rendered(expected)
    assert {r["id"] for r in rows} == ({c.pk for c in contracts} if who != "other_salesperson" else set())
    names = {r["settlement_method_name"] for r in rows} - {""}
    if rows:
        method = SettlementMethod.objects.first()
        assert names == {method.name_en or method.name if lang == "en" else method.name}


def test_links_read_the_same_cursor_off_a_values_row_as_off_an_instance(salesperson):
    """next/previous: the cursor holds the sort keys of the page's last/first row, whether the page was read as
    instances or as .values() rows; ties on created_at (a bulk import) are cut by id."""
    from rest_framework.request import Request

    from core.pagination import KeysetPagination
    from sales.models import Contract

    customer = CustomerFactory(owner=salesperson)
    ContractFactory.create_batch(8, customer=customer)
    tied = list(Contract.objects.order_by("pk").values_list("pk", flat=True))[2:6]
    Contract.objects.filter(pk__in=tied).update(created_at=timezone.now())
    qs = Contract.objects.order_by("-created_at", "-id")

    def page(rows, url):
        paginator = KeysetPagination()
        found = paginator.paginate_queryset(rows, Request(APIRequestFactory().get(url)))
        ids = [r["id"] if isinstance(r, dict) else r.pk for r in found]
        return ids, paginator.get_next_link(), paginator.get_previous_link()

    url, seen = "/api/v1/contracts/?page_size=3", []
    while url:
        as_instances = page(qs, url)
        as_values = page(qs.values("id", "created_at"), url)
        assert as_values == as_instances
        seen += as_values[0]
        if as_values[2]:  # previous leads back to the page before
            back = page(qs.values("id", "created_at"), as_values[2])[0]
            assert back == seen[-len(as_values[0]) - len(back) : -len(as_values[0])]
        url = as_values[1]
    assert seen == list(qs.values_list("id", flat=True))
