from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from documents.tests.factories import file_by_receipts
from sales import services
from sales.models import Contract, ContractStatus, DiscountAuthority, PaymentKind, SalesPolicy
from sales.services import LineInput

from .factories import authority, priced_product, submit_reviewed

pytestmark = pytest.mark.django_db

ROLES = ["salesperson", "other_salesperson", "manager", "gm", "finance", "admin_user"]


@pytest.fixture
def product():
    return priced_product(standard="1000.00", cost="912.34")


@pytest.fixture
def contract(salesperson, product):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    authority(salesperson, "5")
    c = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("2"), discount_percent=D("10"))],
    )
    return c


@pytest.mark.parametrize("role", ROLES)
def test_list_pages_render_for_every_role(client, request, role, contract):
    client.force_login(request.getfixturevalue(role))
    for name in ("product_list", "price_list_list", "quote_list", "contract_list"):
        assert client.get(reverse(f"sales:{name}")).status_code == 200, name


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_only_for_admins(client, request, role):
    client.force_login(request.getfixturevalue(role))
    expected = 200 if role == "admin_user" else 403
    assert client.get(reverse("sales:authority")).status_code == expected
    assert client.get(reverse("sales:policy")).status_code == expected


def test_salesperson_cannot_post_own_authority(client, salesperson):
    client.force_login(salesperson)
    response = client.post(
        reverse("sales:authority"),
        {"user": salesperson.pk, "max_discount_percent": "90", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 403
    assert DiscountAuthority.objects.count() == 0


def test_admin_sets_authority_and_policy_on_pages(client, admin_user, salesperson):
    client.force_login(admin_user)
    response = client.post(
        reverse("sales:authority"),
        {"user": salesperson.pk, "max_discount_percent": "12.5", "effective_from": "2026-01-01", "note": "promo"},
    )
    assert response.status_code == 302
    assert DiscountAuthority.objects.get().max_discount_percent == D("12.5")
    data = {
        "effective_from": "2026-01-01",
        "margin_review_percent": "22",
        "prepayment_threshold": "150000",
        "filing_days": "5",
        "default_discount_percent": "3",
        "design_rate": "8",
        "commissioning_rate": "30",
        "contingency_rate": "7",
        "management_rate": "5",
        "profit_tax_rate": "20",
    }
    assert client.post(reverse("sales:policy"), data).status_code == 302
    assert SalesPolicy.objects.get().prepayment_threshold == D("150000")


@pytest.mark.parametrize(
    "role,status",
    [
        ("salesperson", 200),
        ("other_salesperson", 404),
        ("manager", 200),
        ("gm", 200),
        ("finance", 200),
        ("admin_user", 200),
    ],
)
def test_contract_detail_visibility(client, request, role, status, contract):
    client.force_login(request.getfixturevalue(role))
    for name in ("contract_detail", "contract_print", "contract_edit"):
        assert client.get(reverse(f"sales:{name}", args=[contract.pk])).status_code == status, name


def test_other_salesperson_never_sees_it_in_lists(client, other_salesperson, contract):
    client.force_login(other_salesperson)
    for url in (reverse("sales:contract_list"), reverse("receivables:workbench")):
        assert contract.number not in client.get(url).content.decode()
    assert client.post(reverse("sales:contract_action", args=[contract.pk, "submit"])).status_code == 404


def test_salesperson_never_sees_cost_or_margin_on_pages(client, salesperson, contract, product):
    services.contract_submit(actor=salesperson, contract=contract)  # the margin rule fires
    client.force_login(salesperson)
    for url in (
        reverse("sales:contract_detail", args=[contract.pk]),
        reverse("sales:contract_print", args=[contract.pk]),
        reverse("sales:product_list"),
        reverse("sales:price_list_list"),
    ):
        html = client.get(url).content.decode()
        assert "912.34" not in html, url
        assert "Margin" not in html and "Internal cost" not in html, url
    html = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    # Not even that the margin rule fired (docs/confidentiality.md): an oracle for bisecting the price.
    assert "profit margin is below" not in html and "margin" not in html.split("confidential-note")[0].lower()


def test_manager_sees_cost_and_margin(client, manager, contract):
    client.force_login(manager)
    html = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert "912.34" in html and "Margin" in html


def test_contract_page_lists_the_rules_with_numbers(client, salesperson, product):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    authority(salesperson, "15")
    cheap = priced_product(standard="1000", cost="100")
    client.force_login(salesperson)
    response = client.post(
        reverse("sales:contract_create"),
        {
            "customer": customer.pk,
            "basis": "contract",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": cheap.pk,
            "lines-0-quantity": "3",
            "lines-0-discount_percent": "18",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "discount 18 % exceeds your 15 % authority" in html
    client.post(reverse("sales:contract_action", args=[contract.pk, "submit"]))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_REVIEW


def test_form_shows_service_errors_without_saving(client, salesperson, product):
    customer = CustomerFactory(owner=salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("sales:contract_create"),
        {
            "customer": customer.pk,
            "basis": "contract",
            "prepayment_amount": "999999",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": product.pk,
            "lines-0-quantity": "1",
        },
    )
    assert response.status_code == 200
    assert "cannot exceed the contract amount" in response.content.decode()
    assert Contract.objects.count() == 0


def test_invalid_transition_on_page_is_a_message_not_500(client, salesperson, contract):
    client.force_login(salesperson)
    response = client.post(reverse("sales:contract_action", args=[contract.pk, "sign"]), follow=True)
    assert response.status_code == 200
    assert "Only an approved contract can be signed" in response.content.decode()


def test_salesperson_cannot_approve_own_on_page(client, salesperson, contract):
    services.contract_submit(actor=salesperson, contract=contract)
    client.force_login(salesperson)
    html = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="approve-contract"' not in html
    assert client.post(reverse("sales:contract_action", args=[contract.pk, "approve"])).status_code == 403


def test_engineering_quote_page_and_print(client, salesperson, manager):
    customer = CustomerFactory(owner=salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("sales:quote_create_engineering"),
        {"customer": customer.pk, "equipment_cost": "200000", "title": "Line upgrade"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get(response["Location"]).content.decode()
    # The salesperson reads the customer's price (1.70 x C by default), never the internal sheet.
    assert "340,000.00" in html and 'id="quote-components"' not in html and "60,000.00" not in html
    html = client.get(response["Location"] + "print/").content.decode()
    assert "340,000.00" in html and "200,000.00" not in html
    client.force_login(manager)
    html = client.get(response["Location"]).content.decode()
    assert 'id="quote-components"' in html and "60,000.00" in html  # commissioning 30 % of C
    html = client.get(response["Location"] + "print/").content.decode()
    assert "340,000.00" in html and 'id="quote-components"' not in html  # the print is for the customer


def test_customer_panel_bounded_queries(rf: RequestFactory, salesperson, product, django_assert_max_num_queries):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("100000000"))
    cheap = priced_product(standard="1000", cost="100")
    for _ in range(8):
        c = services.contract_create(
            actor=salesperson, customer=customer, lines=[LineInput(product=cheap, quantity=D("1"))]
        )
        submit_reviewed(actor=salesperson, contract=c)
        services.contract_sign(actor=salesperson, contract=c)
    request = rf.get("/")
    request.user = salesperson
    template = Template('{% include "sales/_customer_panel.html" %}')
    with django_assert_max_num_queries(4):
        html = template.render(Context({"customer": customer, "request": request, "user": salesperson}))
    assert html.count("/sales/contracts/") >= 8


def test_list_pages_bounded_queries(client, manager, salesperson, teammate, finance, django_assert_max_num_queries):
    cheap = priced_product(standard="1000", cost="100")
    today = timezone.localdate()
    for owner in (salesperson, teammate):
        customer = CustomerFactory(owner=owner, credit_limit=D("100000000"))
        for _ in range(6):
            c = services.contract_create(
                actor=owner, customer=customer, lines=[LineInput(product=cheap, quantity=D("2"))]
            )
            submit_reviewed(actor=owner, contract=c)
            services.contract_sign(actor=owner, contract=c)
            services.shipment_create(actor=owner, contract=c, shipped_on=today)
            services.payment_record(
                actor=finance, contract=c, paid_on=today, amount=D("500"), kind=PaymentKind.PROGRESS
            )
            services.quote_create(actor=owner, customer=customer, lines=[LineInput(product=cheap, quantity=D("1"))])
    client.force_login(manager)
    for name in ("contract_list", "quote_list", "product_list", "price_list_list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"sales:{name}")).status_code == 200, name


def test_exports_hide_cost_from_salespeople(client, salesperson, manager, contract, other_salesperson):
    client.force_login(salesperson)
    body = b"".join(client.get(reverse("sales:contract_export")).streaming_content).decode()
    assert contract.number in body
    assert "cost" not in body.lower() and "margin" not in body.lower() and "1824.68" not in body
    body = b"".join(client.get(reverse("sales:product_export")).streaming_content).decode()
    assert "912.34" not in body and "1000.00" in body
    client.force_login(manager)
    body = b"".join(client.get(reverse("sales:contract_export")).streaming_content).decode()
    assert "Internal cost" in body and "1824.68" in body
    assert "912.34" in b"".join(client.get(reverse("sales:product_export")).streaming_content).decode()
    client.force_login(other_salesperson)
    body = b"".join(client.get(reverse("sales:contract_export")).streaming_content).decode()
    assert contract.number not in body


def test_admin_assigns_level_on_page(client, admin_user, salesperson, django_assert_max_num_queries):
    from sales.models import SalesLevel

    level = SalesLevel.objects.create(code="junior", name="Junior")
    client.force_login(admin_user)
    response = client.post(reverse("sales:authority"), {"form": "level", "person": salesperson.pk, "level": level.pk})
    assert response.status_code == 302
    assert list(level.members.all()) == [salesperson]
    from accounts.tests.factories import SalespersonFactory

    for _ in range(10):
        services.sales_level_assign(actor=admin_user, level=level, user=SalespersonFactory())
    services.discount_authority_set(
        actor=admin_user, level=level, max_discount_percent=D("7"), effective_from=timezone.localdate()
    )
    authority(salesperson, "12", set_by=admin_user)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("sales:authority")).content.decode()
    assert html.count(">7.00<") >= 10 and ">12.00<" in html


def test_quote_edit_submit_reject_approve_on_pages(client, salesperson, manager, other_salesperson):
    product = priced_product(standard="500", cost="100")
    customer = CustomerFactory(owner=salesperson)
    authority(salesperson, "5")
    quote = services.quote_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("2"))]
    )
    client.force_login(salesperson)
    form = {
        "title": "Spring offer",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": product.pk,
        "lines-0-quantity": "4",
        "lines-0-discount_percent": "8",
    }
    response = client.post(reverse("sales:quote_edit", args=[quote.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    quote.refresh_from_db()
    assert quote.amount == D("1840.00") and quote.title == "Spring offer" and quote.customer == customer
    html = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert "discount 8 % exceeds your 5 % authority" in html
    client.post(reverse("sales:quote_action", args=[quote.pk, "submit"]))
    client.force_login(manager)
    client.post(reverse("sales:quote_action", args=[quote.pk, "reject"]), {"reason": "max 6 %"})
    quote.refresh_from_db()
    assert quote.status == "draft" and quote.rejection_reason == "max 6 %"
    client.force_login(other_salesperson)
    assert client.get(reverse("sales:quote_edit", args=[quote.pk])).status_code == 404
    assert client.get(reverse("sales:quote_print", args=[quote.pk])).status_code == 404


def _preview_data(customer, product, discount, **extra):
    data = {
        "customer": customer.pk,
        "basis": "contract",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": product.pk,
        "lines-0-quantity": "3",
        "lines-0-discount_percent": discount,
    }
    data.update(extra)
    return data


def test_live_rule_preview_writes_nothing(client, salesperson, product, other_salesperson):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    authority(salesperson, "15")
    client.force_login(salesperson)
    html = client.post(reverse("sales:contract_preview"), _preview_data(customer, product, "18")).content.decode()
    assert "discount 18 % exceeds your 15 % authority" in html
    # The preview answers at every keystroke: no margin line at all for a salesperson (not even the public one),
    # or trying prices would find the cost.
    assert "margin" not in html.lower() and "GM office" not in html and "912" not in html
    assert "your discount authority: 15 %" in html and 'id="confidential-note"' in html
    cheap = priced_product(standard="1000", cost="100")
    # Within the 15 % authority, but the net price 850 is below the standard 1,000: the price floor fires.
    html = client.post(reverse("sales:contract_preview"), _preview_data(customer, cheap, "15")).content.decode()
    assert "net price 850.00 is below the standard price 1,000.00" in html and "2,550.00" in html
    assert "discount 15 % exceeds" not in html
    # Otherwise only the department review (契約評審) every contract goes through.
    html = client.post(reverse("sales:contract_preview"), _preview_data(customer, cheap, "0")).content.decode()
    assert "the unit&#x27;s department manager reviews every contract" in html and "below the standard" not in html
    html = client.post(
        reverse("sales:contract_preview"), _preview_data(customer, cheap, "0", **{"lines-0-quantity": "100"})
    )
    assert "state a prepayment" in html.content.decode()
    assert Contract.objects.count() == 0
    # Another salesperson's customer is not a choice: the preview says nothing about it.
    client.force_login(other_salesperson)
    html = client.post(reverse("sales:contract_preview"), _preview_data(customer, cheap, "15")).content.decode()
    assert "preview-hits" not in html and "preview-clean" not in html


def test_sign_on_page_then_filed_by_the_departments_receipts(client, salesperson, contract):
    import datetime as dt

    services.contract_update(
        actor=salesperson,
        contract=contract,
        lines=[LineInput(product=priced_product(standard="1000", cost="10"), quantity=D("1"))],
    )
    submit_reviewed(actor=salesperson, contract=contract)
    client.force_login(salesperson)
    today = timezone.localdate()
    signed = today - dt.timedelta(days=5)
    client.post(reverse("sales:contract_action", args=[contract.pk, "sign"]), {"signed_on": signed.isoformat()})
    contract.refresh_from_db()
    assert contract.signed_on == signed and contract.filing_due_on == signed + dt.timedelta(days=3)
    html = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="filing-overdue"' in html
    # No "Mark filed" button: the page points to the three departments' receipts, and the old action is gone.
    assert 'id="file-contract"' not in html and 'id="filing-pending"' in html
    assert reverse("documents:contract_papers", args=[contract.pk]) in html
    assert client.post(reverse("sales:contract_action", args=[contract.pk, "file"]), {}).status_code == 404
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    contract = file_by_receipts(contract)
    assert contract.status == ContractStatus.FILED and contract.filed_on == today
    assert contract.events.get(action="filed").data["late"] is True  # due 2 days ago
    html = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="filing-overdue"' not in html and 'id="filing-pending"' not in html


def test_only_admins_add_products_on_page(client, admin_user, salesperson):
    from sales.models import Product

    data = {"code": "NEW-1", "name": "新品", "unit_of_measure": "台"}
    client.force_login(salesperson)
    assert client.post(reverse("sales:product_list"), data).status_code == 403
    client.force_login(admin_user)
    assert client.post(reverse("sales:product_list"), data).status_code == 302
    response = client.post(reverse("sales:product_list"), {**data, "code": "new-1"})
    assert response.status_code == 200 and "A product with this code exists." in response.content.decode()
    assert Product.objects.filter(code="NEW-1").count() == 1


def test_live_preview_on_the_edit_page(client, salesperson, contract, other_salesperson):
    authority(salesperson, "5")
    cheap = priced_product(standard="1000", cost="100")
    client.force_login(salesperson)
    data = _preview_data(contract.customer, cheap, "7", contract=str(contract.pk))
    del data["customer"]
    html = client.post(reverse("sales:contract_preview"), data).content.decode()
    assert "discount 7 % exceeds your 5 % authority" in html
    assert client.post(reverse("sales:contract_preview"), {**data, "contract": "x"}).status_code == 404
    client.force_login(other_salesperson)
    assert client.post(reverse("sales:contract_preview"), data).status_code == 404


def test_engineering_quote_to_contract_on_pages(client, salesperson):
    from sales.models import Quote
    from sales.tests.factories import ProductFactory

    project = ProductFactory(code="ENG", name="工程成套項目")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    client.force_login(salesperson)
    client.post(reverse("sales:quote_create_engineering"), {"customer": customer.pk, "equipment_cost": "1000"})
    quote = Quote.objects.get()
    client.post(reverse("sales:quote_action", args=[quote.pk, "submit"]))
    html = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert 'name="product"' not in html  # the quote's line already names the project
    response = client.post(reverse("sales:quote_action", args=[quote.pk, "contract"]), {"product": project.pk})
    contract = Contract.objects.get()
    assert response["Location"] == reverse("sales:contract_detail", args=[contract.pk])
    assert contract.amount == D("1700.00")
    html = client.get(reverse("sales:contract_edit", args=[contract.pk])).content.decode()
    assert "lines-TOTAL_FORMS" not in html
    client.post(reverse("sales:contract_edit", args=[contract.pk]), {"basis": "contract", "payment_terms": "50/50"})
    contract.refresh_from_db()
    assert contract.payment_terms == "50/50" and contract.amount == D("1700.00") and contract.lines.count() == 1
