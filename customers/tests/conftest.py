import pytest

from customers.tests.factories import ContactFactory, ContactLogFactory, CustomerFactory


@pytest.fixture
def book(salesperson, teammate, other_salesperson):
    """One customer each for the salesperson, a teammate (same unit) and someone in another unit."""
    mine = CustomerFactory(owner=salesperson, name="Mine Trading Co., Ltd.", short_name="Mine")
    team = CustomerFactory(owner=teammate, name="Team Foods Ltd", short_name="TeamF")
    other = CustomerFactory(owner=other_salesperson, name="Other Machinery Inc.", short_name="OtherM")
    for c in (mine, team, other):
        contact = ContactFactory(customer=c)
        ContactLogFactory(customer=c, contact=contact)
    return {"mine": mine, "team": team, "other": other}


@pytest.fixture(autouse=True)
def english():
    """Requests activate the user's language in the thread; start every test in English, with an empty cache."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()  # the region list of the filters is cached
    with translation.override("en"):
        yield
