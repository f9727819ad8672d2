"""The customers API list writes its rows from .values() (customers.api.list_row_writer, no model instances): the
output is exactly what DRF's generic walk over CustomerOutputSerializer gives for the same customers, for every
shape of row (member states, pool customers without owner or unit, phones valid, foreign, unparseable or empty,
credit limits, NULL dates), in both languages, for whoever lists them; a salesperson still sees only their own."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import CharField, ExpressionWrapper, F
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from customers.api import CustomerOutputSerializer, phone_e164
from customers.models import Customer, CustomerTier

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(salesperson, other_salesperson):
    today = timezone.localdate()
    rows = [
        CustomerFactory(owner=salesperson, credit_limit=D("1234.5")),
        CustomerFactory(owner=salesperson, phone="", email="a@example.com", notes="備註\n第二行"),
        CustomerFactory(owner=salesperson, phone="+81 3-1234-5678", region="北區"),
        CustomerFactory(
            owner=salesperson,
            tier=CustomerTier.MEMBER,
            member_level="金卡",
            member_since=today - dt.timedelta(days=400),
            member_renews_on=today + dt.timedelta(days=10),  # renewal due
            is_trusted=True,
            credit_rating="A",
        ),
        CustomerFactory(
            owner=salesperson, tier=CustomerTier.MEMBER, member_renews_on=today - dt.timedelta(days=1)
        ),  # lapsed, no level
        CustomerFactory(owner=salesperson, tier=CustomerTier.MEMBER, member_renews_on=None),  # no end
        CustomerFactory(owner=other_salesperson, release_warned_at=timezone.now()),
        CustomerFactory(owner=None, unit=None, owned_since=None),  # in the pool
    ]
    # A number stored as typed (an old import): not E.164, parsed on the way out.
    with connection.cursor() as cursor:  # raw: the field would store it normalised
        cursor.execute("UPDATE customers_customer SET phone = '02 2700 1234' WHERE id = %s", [rows[0].pk])
    Customer.objects.filter(pk=rows[1].pk).update(last_contact_at=F("registered_at"))
    Customer.objects.filter(pk=rows[6].pk).update(phone="not a number")  # not a number: stored as typed
    return rows


def generic(customers_in_order):
    data = CustomerOutputSerializer(customers_in_order, many=True).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
@pytest.mark.parametrize("who", ["gm", "salesperson"])
def test_rows_are_exactly_the_generic_serialisation(request, api_client, customers, who, lang):
    user = request.getfixturevalue(who)
    user.language = lang
    user.save(update_fields=["language"])
    api_client.force_login(user)
    response = api_client.get("/api/v1/customers/", {"page_size": 200}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    rows = response.json()["results"]
    visible = Customer.objects.visible_to(user).select_related("owner", "unit", "member_level")
    expected_order = list(visible.order_by("name", "pk"))
    with translation.override(lang):
        assert rows == generic(expected_order)
    assert [list(r) for r in rows] == [list(CustomerOutputSerializer().fields)] * len(rows)  # same keys, same order
    ids = {r["id"] for r in rows}
    if who == "salesperson":
        assert ids == {c.pk for c in customers if c.owner_id == user.pk}
    else:
        assert ids == {c.pk for c in customers}
    states = {r["membership"] for r in rows}
    assert {"renewal_due", "lapsed", "active", None} <= states


def test_every_ordering_and_the_search_answer_the_same_rows(api_client, gm, customers):
    api_client.force_authenticate(gm)
    by_id = {c.pk: c for c in Customer.objects.select_related("owner", "unit", "member_level")}
    for ordering in ("name", "-registered_at", "credit_limit", "-last_contact_at", "region", "-status"):
        rows = api_client.get("/api/v1/customers/", {"ordering": ordering, "page_size": 3}).json()["results"]
        assert rows == generic([by_id[r["id"]] for r in rows]), ordering
    name = customers[2].name
    found = api_client.get("/api/v1/customers/", {"search": name}).json()["results"]
    assert customers[2].pk in {r["id"] for r in found}
    assert found == generic([by_id[r["id"]] for r in found])


def test_the_phone_as_stored_reads_as_the_model_field_reads_it(customers):
    stored = ExpressionWrapper(F("phone"), output_field=CharField())
    texts = dict(Customer.objects.values_list("pk", stored))
    assert "" in texts.values() and "02 2700 1234" in texts.values() and "not a number" in texts.values()
    for customer in Customer.objects.all():
        assert phone_e164(texts[customer.pk]) == (customer.phone.as_e164 if customer.phone else "")
    assert phone_e164("") == "" and phone_e164(None) == ""
    assert phone_e164("02 2700 1234") == "+886227001234"


def test_the_list_is_one_query_of_the_columns_it_shows(api_client, gm, customers, django_assert_max_num_queries):
    api_client.force_authenticate(gm)
    with django_assert_max_num_queries(1) as ctx:
        assert api_client.get("/api/v1/customers/").status_code == 200
    sql = ctx.captured_queries[0]["sql"]
    assert '"search_text"' not in sql and '"search_phonetic"' not in sql and '"password"' not in sql
