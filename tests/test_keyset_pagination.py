"""Keyset (cursor) pagination of the API lists: walking `next` then `previous` visits every visible row exactly
once, in the list's order, whatever the ties (rows sharing a timestamp) and NULLs in the sort column."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from sales.models import Contract
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def walk(client, url, params):
    """Follow `next` to the end, then `previous` back to the start: the ids seen each way."""
    page = client.get(url, params).json()
    assert set(page) == {"next", "previous", "results"}
    assert page["previous"] is None
    pages = [[r["id"] for r in page["results"]]]
    while page["next"]:
        page = client.get(page["next"]).json()
        pages.append([r["id"] for r in page["results"]])
    forward = [i for p in pages for i in p]
    back = [[r["id"] for r in page["results"]]]
    while page["previous"]:
        page = client.get(page["previous"]).json()
        back.insert(0, [r["id"] for r in page["results"]])
    assert back == pages, "previous pages are the same pages as the next ones"
    return forward


def expected(rows, key, desc):
    """PostgreSQL's order: NULLs last ascending, first descending; ties by id in the same direction."""
    present = sorted((r for r in rows if key(r) is not None), key=lambda r: (key(r), r.pk), reverse=desc)
    nulls = sorted((r for r in rows if key(r) is None), key=lambda r: r.pk, reverse=desc)
    return [r.pk for r in (nulls + present if desc else present + nulls)]


@pytest.fixture
def customers(salesperson):
    base = timezone.now().replace(microsecond=0)
    for n in range(23):
        CustomerFactory(
            owner=salesperson,
            name=f"Keyset {n % 5}",  # ties on the name
            credit_limit=Decimal(1000 * (n % 4)),
            region=["north", "south", ""][n % 3],
        )
    rows = list(Customer.objects.order_by("pk"))
    # Three registration moments shared by many rows (a bulk import) and some customers never contacted.
    for i, c in enumerate(rows):
        Customer.objects.filter(pk=c.pk).update(
            registered_at=base - datetime.timedelta(hours=i % 3),
            last_contact_at=None if i % 4 == 0 else base - datetime.timedelta(days=i % 5),
        )
    return list(Customer.objects.order_by("pk"))


@pytest.mark.parametrize("field", ["name", "registered_at", "credit_limit", "last_contact_at", "region", "status"])
@pytest.mark.parametrize("desc", [False, True])
def test_customer_pages_visit_every_row_once_in_order(api_client, gm, customers, field, desc):
    api_client.force_authenticate(gm)
    seen = walk(api_client, "/api/v1/customers/", {"ordering": f"{'-' if desc else ''}{field}", "page_size": 4})
    assert seen == expected(customers, lambda c: getattr(c, field), desc)


def test_default_customer_order_is_name_then_id(api_client, gm, customers):
    api_client.force_authenticate(gm)
    assert walk(api_client, "/api/v1/customers/", {"page_size": 5}) == expected(customers, lambda c: c.name, False)


def test_contracts_created_in_one_moment_page_by_id(api_client, gm, salesperson):
    customer = CustomerFactory(owner=salesperson)
    ContractFactory.create_batch(17, customer=customer)
    Contract.objects.update(created_at=timezone.now())  # a bulk import: one timestamp for every row
    api_client.force_authenticate(gm)
    seen = walk(api_client, "/api/v1/contracts/", {"page_size": 5})
    assert seen == sorted(Contract.objects.values_list("pk", flat=True), reverse=True)


def test_a_salesperson_pages_only_through_their_own(api_client, salesperson, other_salesperson):
    mine = {c.pk for c in CustomerFactory.create_batch(7, owner=salesperson)}
    CustomerFactory.create_batch(5, owner=other_salesperson)
    api_client.force_authenticate(salesperson)
    assert sorted(walk(api_client, "/api/v1/customers/", {"page_size": 3})) == sorted(mine)


@pytest.mark.parametrize("cursor", ["not-base64!", "bm90IGpzb24", "eyJvIjoiYSJ9", "eyJwIjpbMSwyLDNdfQ"])
def test_a_bad_cursor_is_404_not_500(api_client, gm, customers, cursor):
    api_client.force_authenticate(gm)
    assert api_client.get("/api/v1/customers/", {"cursor": cursor}).status_code == 404


def test_the_list_costs_no_count(api_client, gm, customers, django_assert_max_num_queries):
    api_client.force_authenticate(gm)
    with django_assert_max_num_queries(6) as ctx:
        assert api_client.get("/api/v1/customers/").status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_pages_count_up_to_the_cap_and_estimate_beyond(salesperson, django_assert_max_num_queries):
    from core.pagination import EstimatedPaginator

    CustomerFactory.create_batch(12, owner=salesperson)
    qs = Customer.objects.order_by("name", "pk")
    small = EstimatedPaginator(qs, 5, cap=100)
    assert small.exact and small.count == 12 and small.total_label == "12" and small.num_pages_label == "3"
    capped = EstimatedPaginator(qs, 5, cap=6)
    with django_assert_max_num_queries(1) as ctx:
        assert capped.count == 7 and not capped.exact
    assert "LIMIT 7" in ctx.captured_queries[0]["sql"]
    assert capped.total_label.startswith("≈ ")
    # Next/previous work past the cap: page 3 holds the last two rows and has no next page.
    last = capped.get_page(3)
    assert [c.pk for c in last] == list(qs.values_list("pk", flat=True))[10:]
    assert last.has_previous() and not last.has_next()
    assert capped.get_page(2).has_next()
    assert len(capped.get_page(99)) > 0  # beyond the end: a page with rows, not an error
