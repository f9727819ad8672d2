"""Every create/edit form of customers, sales and commission, posted with bad values: a form error, never a 500.

Each page's field names are read from its own HTML, then the form is posted with every field set to one bad value
(empty, over-long, negative, non-numeric, malformed dates/decimals/phones, an offset PostgreSQL cannot store, a
NUL byte), and with one field bad at a time. Nothing may be half-saved: the row counts of the apps stay put unless
the page accepted the post (a redirect).
"""

import re
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.urls import reverse

from customers.tests.factories import ContactFactory, CustomerFactory
from sales import services as sales_services
from sales.services import LineInput
from sales.tests.factories import priced_product, submit_reviewed

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "-99999999999999999999",
    "abc",
    "1e400",
    "NaN",
    "Infinity",
    "1,000.5.5",
    "0.0000001",
    "9999-99-99",
    "2026-02-30",
    "0000-01-01",
    "2026-01-01T09:00:00-16:18",
    "+886-abc-def",
    "+1",
    "\u0000",
    "<script>alert(1)</script>",
    "99999999999999999999999",
]
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
SKIP_FIELDS = {"csrfmiddlewaretoken", "q", "language", "next"}
COUNTED = [
    "customers.Customer",
    "customers.Contact",
    "customers.ContactLog",
    "customers.OwnershipEvent",
    "sales.Quote",
    "sales.QuoteLine",
    "sales.Contract",
    "sales.ContractLine",
    "sales.Shipment",
    "sales.Payment",
    "sales.Invoice",
    "sales.DiscountAuthority",
    "commission.ExpenseClaim",
    "commission.MarketFundSpend",
    "commission.MarketFundEntry",
    "reports.BonusScore",
    "reports.BonusWeights",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.fixture
def own(salesperson, finance):
    product = priced_product(standard="1000", cost="100")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    contact = ContactFactory(customer=customer)
    lines = [LineInput(product=product, quantity=D("2"))]
    quote = sales_services.quote_create(actor=salesperson, customer=customer, lines=lines)
    contract = sales_services.contract_create(actor=salesperson, customer=customer, lines=lines)
    signed = sales_services.contract_create(actor=salesperson, customer=customer, lines=lines)
    submit_reviewed(actor=salesperson, contract=signed)
    sales_services.contract_sign(actor=salesperson, contract=signed)
    return {"customer": customer, "contact": contact, "quote": quote, "contract": contract, "signed": signed}


def pages(own):
    c, q, k, s = own["customer"].pk, own["quote"].pk, own["contract"].pk, own["signed"].pk
    return {
        "salesperson": [
            (reverse("customers:create"), None),
            (reverse("customers:edit", args=[c]), None),
            (reverse("customers:contact_create", args=[c]), None),
            (reverse("customers:contact_edit", args=[c, own["contact"].pk]), None),
            (reverse("customers:log_create", args=[c]), None),
            (reverse("customers:strategy", args=[c]), None),
            (reverse("customers:evaluation_create", args=[c]), None),
            (reverse("sales:quote_create"), None),
            (reverse("sales:quote_create_engineering"), None),
            (reverse("sales:quote_edit", args=[q]), None),
            (reverse("sales:contract_create"), None),
            (reverse("sales:contract_edit", args=[k]), None),
            (reverse("commission:expenses"), None),
            (reverse("sales:contract_action", args=[s, "ship"]), reverse("sales:contract_detail", args=[s])),
        ],
        "finance": [
            (reverse("sales:contract_action", args=[s, "pay"]), reverse("sales:contract_detail", args=[s])),
            (reverse("sales:contract_action", args=[s, "invoice"]), reverse("sales:contract_detail", args=[s])),
            (reverse("commission:market_fund"), None),
        ],
        "manager": [
            (reverse("customers:reassign", args=[c]), None),
            (reverse("commission:market_fund"), None),
            (reverse("reports:year_end_bonus"), None),
        ],
        "admin_user": [
            (reverse("sales:authority"), None),
            (reverse("sales:policy"), None),
            (reverse("reports:year_end_bonus"), None),
        ],
    }


def field_names(client, url):
    html = client.get(url).content.decode()
    return sorted({n for n in NAME.findall(html) if n not in SKIP_FIELDS})


@pytest.mark.parametrize("role", ["salesperson", "finance", "manager", "admin_user"])
def test_bad_values_in_every_form_are_form_errors_never_500s(client, request, role, own):
    client.force_login(request.getfixturevalue(role))
    for url, form_page in pages(own)[role]:
        names = field_names(client, form_page or url)
        assert names, url
        posts = [dict.fromkeys(names, bad) for bad in BAD_VALUES]
        posts += [{name: bad} for name in names for bad in BAD_VALUES[::10]]
        for data in posts:
            before = counts()
            response = client.post(url, data)
            assert response.status_code < 500, (url, data)
            if response.status_code == 200:
                assert counts() == before, (url, data)


def test_a_valid_post_still_saves(client, salesperson):
    """The sweep is not vacuous: the same machinery saves a good customer."""
    client.force_login(salesperson)
    r = client.post(
        reverse("customers:create"),
        {
            "name": "好客戶股份有限公司",
            "tax_id": "04595257",
            "phone": "02-2700-1234",
            "status": "active",
            "tier": "ordinary",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    assert apps.get_model("customers", "Customer").objects.filter(name="好客戶股份有限公司").exists()
