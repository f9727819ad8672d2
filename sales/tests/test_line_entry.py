"""Quote and contract entry that flows: pickers, add/remove lines, running totals' data, own authority, the live
rule preview for quotes and contracts (without confidential figures for salespeople), bad input, permissions."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import ManagerFactory
from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import Contract, ContractLine, Quote, QuoteLine
from sales.services import LineInput

from .factories import authority, priced_product

pytestmark = pytest.mark.django_db


def _lines(*rows, total=None):
    data = {
        "lines-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"lines-{n}-{k}": v for k, v in row.items()})
    return data


@pytest.fixture
def product():
    return priced_product(standard="2500.00", cost="2300.00", code="P-INV", name="變頻器")


@pytest.fixture
def customer(salesperson):
    return CustomerFactory(owner=salesperson, name="大同紡織股份有限公司", short_name="大同紡織", credit_limit=D("1e7"))


@pytest.mark.parametrize("language", ["en", "zh-hant"])
@pytest.mark.parametrize("name", ["sales:quote_create", "sales:contract_create"])
def test_entry_pages_render_in_both_languages(client, salesperson, customer, product, language, name):
    authority(salesperson, "15")
    salesperson.language = language
    salesperson.save(update_fields=["language"])
    client.force_login(salesperson)
    response = client.get(reverse(name) + f"?customer={customer.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-picker="customer"' in html and reverse("sales:pick_customer") in html
    assert 'id="add-line"' in html and 'id="line-template"' in html and "__prefix__" in html
    assert f'data-price="2500.00" data-uom="{product.unit_of_measure}"' in html
    assert 'data-authority="15' in html
    assert "2300" not in html  # the cost is never on the page
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert translation.gettext("Add line") in html
        assert translation.gettext("Subtotal") in html


def test_contract_create_preselects_the_customer_only(client, salesperson, customer):
    CustomerFactory.create_batch(3, owner=salesperson)
    client.force_login(salesperson)
    html = client.get(reverse("sales:contract_create") + f"?customer={customer.pk}").content.decode()
    # Only the chosen customer is an option (the others load as the user types), named with its number.
    assert f"{customer.display_number} 大同紡織股份有限公司" in html
    select = re.search(r'<select name="customer".*?</select>', html, re.S).group(0)
    assert select.count("<option") == 2  # "---------" and the customer


def test_customer_number_and_label(customer):
    year = customer.registered_at.year
    assert customer.display_number == f"C{year}-{customer.pk:05d}"
    assert customer.picker_label == f"C{year}-{customer.pk:05d} 大同紡織股份有限公司"


def test_pick_customer_searches_what_the_user_may_see(
    client, salesperson, other_salesperson, customer, django_assert_max_num_queries
):
    theirs = CustomerFactory(owner=other_salesperson, name="大同電機股份有限公司")
    client.force_login(salesperson)
    url = reverse("sales:pick_customer")
    with django_assert_max_num_queries(4):
        results = client.get(url, {"q": "大同"}).json()["results"]
    assert [r["text"] for r in results] == [customer.picker_label]
    # By number, with or without the year and leading zeros.
    for q in (customer.display_number, str(customer.pk), f"c{customer.pk:05d}"):
        assert [r["value"] for r in client.get(url, {"q": q}).json()["results"]] == [customer.pk], q
    assert client.get(url, {"q": theirs.display_number}).json()["results"] == []
    assert client.get(url, {"q": "x" * 5000}).status_code == 200
    client.force_login(other_salesperson)
    assert [r["value"] for r in client.get(url, {"q": "大同"}).json()["results"]] == [theirs.pk]


def test_pick_customer_is_bounded(client, salesperson, django_assert_max_num_queries):
    CustomerFactory.create_batch(25, owner=salesperson)
    client.force_login(salesperson)
    with django_assert_max_num_queries(4):
        results = client.get(reverse("sales:pick_customer")).json()["results"]
    assert len(results) == 20


def test_pick_customer_needs_login(client):
    assert client.get(reverse("sales:pick_customer")).status_code == 302


def test_quote_preview_for_a_salesperson(client, salesperson, customer, product):
    authority(salesperson, "5")
    client.force_login(salesperson)
    data = {"customer": customer.pk, **_lines({"product": product.pk, "quantity": "2", "discount_percent": "6"})}
    html = client.post(reverse("sales:quote_preview"), data).content.decode()
    assert "discount 6 % exceeds your 5 % authority" in html
    assert "below the standard price 2,500.00" in html and 'id="preview-amount">4,700.00' in html
    assert "your discount authority: 5 %" in html
    # Margin 2,300 vs 2,300: below any threshold, yet never shown on a quote nor to a salesperson.
    assert "margin" not in html.lower() and "2,300" not in html
    assert Quote.objects.count() == 0


def test_contract_preview_shows_the_margin_rule_to_the_manager_only(client, salesperson, manager, customer, product):
    authority(salesperson, "15")
    data = {
        "customer": customer.pk,
        "basis": "contract",
        **_lines({"product": product.pk, "quantity": "2", "discount_percent": "0"}),
    }
    client.force_login(salesperson)
    html = client.post(reverse("sales:contract_preview"), data).content.decode()
    assert "margin" not in html.lower() and "GM office" not in html
    assert 'id="confidential-note"' in html
    client.force_login(manager)
    html = client.post(reverse("sales:contract_preview"), data).content.decode()
    assert "margin 8 % is below 20 %" in html and "needs the GM office" in html
    assert "may still review the deal" not in html
    assert "discount authority of" in html  # the owner's, named
    assert Contract.objects.count() == 0


def test_quote_preview_of_another_users_quote_is_404(client, salesperson, other_salesperson, customer, product):
    quote = services.quote_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("1"))]
    )
    data = {"quote": str(quote.pk), **_lines({"product": product.pk, "quantity": "2"})}
    client.force_login(other_salesperson)
    assert client.post(reverse("sales:quote_preview"), data).status_code == 404
    foreign_manager = ManagerFactory(unit=other_salesperson.unit)
    client.force_login(foreign_manager)
    assert client.post(reverse("sales:quote_preview"), data).status_code == 404
    client.force_login(salesperson)
    assert client.post(reverse("sales:quote_preview"), {**data, "quote": "²"}).status_code == 404
    html = client.post(reverse("sales:quote_preview"), data).content.decode()
    assert 'id="preview-amount">5,000.00' in html
    assert client.get(reverse("sales:quote_preview")).status_code == 405


def test_a_customer_not_visible_is_not_previewed(client, other_salesperson, customer, product):
    client.force_login(other_salesperson)
    data = {"customer": customer.pk, **_lines({"product": product.pk, "quantity": "2"})}
    html = client.post(reverse("sales:quote_preview"), data).content.decode()
    assert "preview-amount" not in html and "preview-hits" not in html


def test_removed_and_added_lines_are_saved_as_shown(client, salesperson, customer, product):
    other = priced_product(standard="100.00", cost="10.00", code="P-CAB", name="電纜")
    client.force_login(salesperson)
    data = {
        "customer": customer.pk,
        "title": "Spring",
        **_lines(
            {"product": product.pk, "quantity": "1", "DELETE": "on"},  # removed on the page
            {"product": other.pk, "quantity": "3"},
            {"product": other.pk, "quantity": "abc", "DELETE": "on"},  # removed, so its bad value does not count
            {},  # added and left empty
        ),
    }
    response = client.post(reverse("sales:quote_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    quote = Quote.objects.get()
    assert [(ln.product.code, ln.quantity) for ln in quote.lines.all()] == [("P-CAB", D("3.00"))]
    assert quote.amount == D("300.00")


@pytest.mark.parametrize(
    ("name", "row", "field", "message"),
    [
        ("sales:quote_create", {"quantity": "-1"}, "lines-0-quantity", "greater than or equal to 0.01"),
        ("sales:quote_create", {"quantity": "abc"}, "lines-0-quantity", "Enter a number."),
        ("sales:quote_create", {"discount_percent": "101"}, "lines-0-discount_percent", "less than or equal to 100"),
        ("sales:contract_create", {"list_price": "x"}, "lines-0-list_price", "Enter a number."),
        ("sales:contract_create", {"product": "999999"}, "lines-0-product", "Select a valid choice."),
    ],
)
def test_bad_line_input_names_the_field_and_saves_nothing(
    client, salesperson, customer, product, name, row, field, message
):
    client.force_login(salesperson)
    line = {"product": product.pk, "quantity": "1", **row}
    response = client.post(reverse(name), {"customer": customer.pk, "basis": "contract", **_lines(line)})
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    # The error sits in the row of the bad field.
    assert html.index(f'name="{field}"') < html.index(message)
    assert Quote.objects.count() == Contract.objects.count() == 0
    assert QuoteLine.objects.count() == ContractLine.objects.count() == 0


def test_no_line_at_all_is_a_form_error(client, salesperson, customer, product):
    client.force_login(salesperson)
    data = {"customer": customer.pk, **_lines({"product": product.pk, "quantity": "1", "DELETE": "on"})}
    response = client.post(reverse("sales:quote_create"), data)
    assert response.status_code == 200 and 'id="lines-errors"' in response.content.decode()
    assert Quote.objects.count() == 0


def test_another_users_customer_is_a_form_error(client, other_salesperson, customer, product):
    client.force_login(other_salesperson)
    response = client.post(
        reverse("sales:quote_create"), {"customer": customer.pk, **_lines({"product": product.pk, "quantity": "1"})}
    )
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert Quote.objects.count() == 0


def test_edit_page_keeps_the_customer_and_previews_the_quote(client, salesperson, customer, product):
    quote = services.quote_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("1"))]
    )
    client.force_login(salesperson)
    html = client.get(reverse("sales:quote_edit", args=[quote.pk])).content.decode()
    assert customer.picker_label in html and f'name="quote" value="{quote.pk}"' in html
    assert reverse("sales:quote_preview") in html
