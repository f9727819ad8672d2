"""core.filters.FilterBackend: django-filter's backend without its per-request cost when no filter is asked for.
It answers what DjangoFilterBackend answers — filters still filter, bad values are still a 400 naming the field —
and takes the full path for FilterSets that could act without a value."""

import django_filters
import pytest
from django_filters.rest_framework import DjangoFilterBackend

from core.filters import FilterBackend, _untouched
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from sales.api.contracts import ContractViewSet
from sales.models import Contract, ContractStatus
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_the_filterset_class_is_built_once_per_view():
    backend, view = FilterBackend(), ContractViewSet()
    first = backend.get_filterset_class(view, Contract.objects.all())
    assert first is backend.get_filterset_class(view, Contract.objects.all())
    assert list(first.base_filters) == list(
        DjangoFilterBackend().get_filterset_class(view, Contract.objects.all()).base_filters
    )


def test_filters_still_filter_and_bad_values_are_400(api_client, gm, salesperson):
    customer = CustomerFactory(owner=salesperson)
    signed = ContractFactory(customer=customer, status=ContractStatus.SIGNED)
    ContractFactory(customer=customer)
    api_client.force_authenticate(gm)
    rows = api_client.get("/api/v1/contracts/", {"status": "signed"}).json()["results"]
    assert [r["id"] for r in rows] == [signed.pk]
    assert len(api_client.get("/api/v1/contracts/", {"unrelated": "x"}).json()["results"]) == 2
    bad = api_client.get("/api/v1/contracts/", {"status": "no-such-status"})
    assert bad.status_code == 400 and "status" in bad.json()
    bad_owner = api_client.get("/api/v1/customers/", {"owner": "abc"})
    assert bad_owner.status_code == 400 and "owner" in bad_owner.json()
    warned = api_client.get("/api/v1/customers/", {"release_warned": "true"}).json()["results"]
    assert warned == []


class Required(django_filters.FilterSet):
    name = django_filters.CharFilter(required=True)

    class Meta:
        model = Customer
        fields = ["name"]


class OwnQueryset(django_filters.FilterSet):
    class Meta:
        model = Customer
        fields = ["name"]

    def filter_queryset(self, queryset):
        return queryset.filter(owner__isnull=False)


class Plain(django_filters.FilterSet):
    created = django_filters.DateFromToRangeFilter(field_name="registered_at")

    class Meta:
        model = Customer
        fields = ["name"]


def test_only_plain_filtersets_without_their_parameters_are_skipped():
    assert _untouched(Plain, {"ordering": "name", "cursor": "x"})
    assert not _untouched(Plain, {"name": "x"})
    assert not _untouched(Plain, {"created_after": "2026-01-01"})  # a range's own parameter names
    assert not _untouched(Required, {})
    assert not _untouched(OwnQueryset, {})


def test_the_lists_read_as_values_keep_their_schema(api_client, admin_user):
    """The values-read lists document what they did: the output serializers' fields, the filters, and no
    description borrowed from the list mixin."""
    from customers.api import CustomerOutputSerializer
    from sales.api.contracts import ContractListOutputSerializer

    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path, serializer, filters in (
        (
            "/api/v1/contracts/",
            ContractListOutputSerializer,
            {"status", "customer", "owner", "settlement_method__code"},
        ),
        ("/api/v1/customers/", CustomerOutputSerializer, {"owner", "unit", "region", "tier", "status", "search"}),
    ):
        operation = schema["paths"][path]["get"]
        assert "values()" not in operation.get("description", ""), path
        assert filters <= {p["name"] for p in operation["parameters"]}, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        page = schema["components"]["schemas"][ref]
        row = page["properties"]["results"]["items"]["$ref"].split("/")[-1]
        assert list(schema["components"]["schemas"][row]["properties"]) == list(serializer().fields), path
