"""Price lists entered as a table (product picker, standard price, internal cost), validated row by row."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sales.models import PriceList, PriceListItem

from .factories import ProductFactory, priced_product

pytestmark = pytest.mark.django_db


def _rows(*rows):
    data = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "2000",
    }
    for n, row in enumerate(rows):
        data.update({f"items-{n}-{k}": v for k, v in row.items()})
    return data


def _head(**extra):
    return {"name": "2027 list", "effective_from": timezone.localdate().isoformat(), **extra}


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_page_renders_a_table(client, admin_user, language):
    old = priced_product(standard="1000", cost="700", code="P-1")
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    base = PriceList.objects.get()
    html = client.get(reverse("sales:price_list_create") + f"?from={base.pk}").content.decode()
    assert 'id="lines-table"' in html and 'name="items-0-product"' in html and "__prefix__" in html
    assert 'name="items-0-standard_price" value="1000.00"' in html and 'name="items-0-cost" value="700.00"' in html
    assert f'<option value="{old.pk}" data-price="1000.00"' in html or f'value="{old.pk}" selected' in html
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext("Issue a price list") in html


def test_issue_from_the_table(client, admin_user):
    a, b = ProductFactory(code="P-A"), ProductFactory(code="P-B")
    client.force_login(admin_user)
    data = {
        **_head(),
        **_rows(
            {"product": a.pk, "standard_price": "100", "cost": "60"},
            {"product": b.pk, "standard_price": "x", "cost": "y", "DELETE": "on"},  # removed on the page
            {"product": b.pk, "standard_price": "200.5", "cost": "150"},
        ),
    }
    response = client.post(reverse("sales:price_list_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    items = {i.product.code: (i.standard_price, i.cost) for i in PriceListItem.objects.select_related("product")}
    assert items == {"P-A": (D("100.00"), D("60.00")), "P-B": (D("200.50"), D("150.00"))}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"standard_price": "-1"}, "items-0-standard_price", "greater than or equal to 0"),
        ({"cost": "abc"}, "items-0-cost", "Enter a number."),
        ({"product": "999999"}, "items-0-product", "Select a valid choice."),
        ({"standard_price": ""}, "items-0-standard_price", "This field is required."),
    ],
)
def test_bad_rows_name_the_field_and_save_nothing(client, admin_user, row, field, message):
    product = ProductFactory(code="P-A")
    client.force_login(admin_user)
    line = {"product": product.pk, "standard_price": "100", "cost": "60", **row}
    response = client.post(reverse("sales:price_list_create"), {**_head(), **_rows(line)})
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert html.index(f'name="{field}"') < html.index(message)
    assert PriceList.objects.count() == 0 and PriceListItem.objects.count() == 0


def test_a_product_twice_and_no_rows_are_errors(client, admin_user):
    product = ProductFactory(code="P-A")
    client.force_login(admin_user)
    row = {"product": product.pk, "standard_price": "100", "cost": "60"}
    html = client.post(reverse("sales:price_list_create"), {**_head(), **_rows(row, row)}).content.decode()
    assert "P-A is listed twice." in html
    html = client.post(reverse("sales:price_list_create"), {**_head(), **_rows({**row, "DELETE": "on"})})
    assert 'id="lines-errors"' in html.content.decode()
    html = client.post(reverse("sales:price_list_create"), {**_head(effective_from="2026-02-30"), **_rows(row)})
    assert "Enter a valid date." in html.content.decode()
    assert PriceList.objects.count() == 0


@pytest.mark.parametrize("role", ["salesperson", "manager", "gm", "finance"])
def test_only_admins_issue(client, request, role):
    product = ProductFactory(code="P-A")
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("sales:price_list_create")).status_code == 403
    row = {"product": product.pk, "standard_price": "100", "cost": "60"}
    assert client.post(reverse("sales:price_list_create"), {**_head(), **_rows(row)}).status_code == 403
    assert client.post(reverse("sales:price_list_list"), {**_head(), **_rows(row)}).status_code == 403
    assert PriceList.objects.count() == 0


def test_unknown_source_list_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("sales:price_list_create") + "?from=999999").status_code == 404
    assert client.get(reverse("sales:price_list_create") + "?from=x").status_code == 404


def test_page_queries_are_bounded(client, admin_user, django_assert_max_num_queries):
    for n in range(30):
        priced_product(standard="10", cost="5", code=f"P-{n:03d}")
    client.force_login(admin_user)
    base = PriceList.objects.order_by("-id").first()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sales:price_list_create") + f"?from={base.pk}").status_code == 200
