import datetime as dt

import pytest
from django.urls import reverse

from customers.models import ContactLog, Customer, CustomerConflict, MonthlyFiling
from customers.tests.factories import ContactLogFactory, CustomerFactory

pytestmark = pytest.mark.django_db

# Which of the book's customers each role sees.
VISIBLE = {
    "salesperson": {"mine"},
    "teammate": {"team"},
    "manager": {"mine", "team"},
    "other_salesperson": {"other"},
    "gm": {"mine", "team", "other"},
    "finance": {"mine", "team", "other"},
    "admin_user": {"mine", "team", "other"},
}
CARD_PAGES = [
    "customers:detail",
    "customers:edit",
    "customers:log_create",
    "customers:strategy",
    "customers:evaluation_create",
    "customers:contact_create",
]


@pytest.mark.parametrize("role", list(VISIBLE))
def test_list_shows_only_visible_customers(client, book, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    body = client.get(reverse("customers:list")).content.decode()
    for key, customer in book.items():
        assert (customer.name in body) == (key in VISIBLE[role]), (role, key)


@pytest.mark.parametrize("role", list(VISIBLE))
def test_card_is_404_for_customers_out_of_sight(client, book, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for key, customer in book.items():
        response = client.get(reverse("customers:detail", args=[customer.pk]))
        assert response.status_code == (200 if key in VISIBLE[role] else 404), (role, key)


@pytest.mark.parametrize("page", CARD_PAGES)
def test_salesperson_gets_404_on_every_page_of_anothers_customer(client, book, salesperson, page):
    client.force_login(salesperson)
    assert client.get(reverse(page, args=[book["other"].pk])).status_code == 404
    assert client.post(reverse(page, args=[book["other"].pk]), {"name": "x"}).status_code == 404
    assert client.get(reverse(page, args=[book["mine"].pk])).status_code == 200


def test_salesperson_cannot_reassign_or_release_anothers(client, book, salesperson):
    client.force_login(salesperson)
    assert client.get(reverse("customers:reassign", args=[book["mine"].pk])).status_code == 404
    assert client.post(reverse("customers:release", args=[book["other"].pk])).status_code == 404
    assert Customer.objects.get(pk=book["other"].pk).owner_id is not None


def test_exports_contain_only_visible_customers(client, book, salesperson):
    client.force_login(salesperson)
    csv_body = client.get(reverse("customers:export", args=["csv"])).content.decode("utf-8-sig")
    assert "Mine Trading" in csv_body and "Other Machinery" not in csv_body and "Team Foods" not in csv_body
    xlsx = client.get(reverse("customers:export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_anonymous_is_sent_to_login(client, book):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_query_count_is_bounded_and_independent_of_page_size(
    client, salesperson, manager, django_assert_max_num_queries
):
    for i in range(120):
        c = CustomerFactory(owner=salesperson, name=f"Bulk {i} Ltd")
        if i % 3 == 0:
            ContactLogFactory(customer=c)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("customers:list"), {"page_size": 25})
    assert r.status_code == 200
    with django_assert_max_num_queries(12):
        r = client.get(reverse("customers:list"), {"page_size": 200, "sort": "-last_contact"})
    assert r.content.decode().count("/customers/") >= 120


def test_typo_tolerant_search_and_variants(client, salesperson):
    CustomerFactory(owner=salesperson, name="Formosa Components Inc.", short_name="Formosa", phone="04-2325-6789")
    CustomerFactory(owner=salesperson, name="臺灣精密機械股份有限公司", short_name="台精機", tax_id="53212539")
    CustomerFactory(owner=salesperson, name="Unrelated Bakery", short_name="Bakery")
    client.force_login(salesperson)

    def names(q):
        return [c.name for c in client.get(reverse("customers:list"), {"q": q}).context["page"].object_list]

    assert names("Formsa Compnents")[0] == "Formosa Components Inc."  # misspelt
    assert names("台湾精密")[0] == "臺灣精密機械股份有限公司"  # Simplified / variant characters
    assert names("2325-6789") == ["Formosa Components Inc."]  # phone fragment
    assert names("53212539") == ["臺灣精密機械股份有限公司"]  # tax number
    assert "Unrelated Bakery" not in names("Formsa")


def test_register_page_refuses_anothers_customer_with_owner_and_date(client, salesperson, other_salesperson):
    CustomerFactory(owner=other_salesperson, name="Harbor Logistics Ltd", tax_id="", phone="")
    client.force_login(salesperson)
    response = client.post(
        reverse("customers:create"), {"name": "HARBOR LOGISTICS", "status": "prospect", "tier": "ordinary"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Already registered by" in body and other_salesperson.get_full_name() in body
    assert CustomerConflict.objects.filter(claimant=salesperson).count() == 1
    assert Customer.objects.count() == 1


def test_register_and_log_visit_through_pages(client, salesperson):
    client.force_login(salesperson)
    response = client.post(
        reverse("customers:create"),
        {"name": "Sunrise Foods", "phone": "02-2700-1234", "status": "prospect", "tier": "ordinary"},
    )
    customer = Customer.objects.get()
    assert response.status_code == 302 and customer.owner == salesperson
    response = client.post(
        reverse("customers:log_create", args=[customer.pk]),
        {
            "kind": "visit",
            "happened_at": "2020-01-02T10:00",
            "purpose": "intro",
            "outcome": "asked for a quote",
            "signal_tags": ["requested_quote"],
            "next_step": "Send quote",
            "next_step_date": "2020-01-05",
        },
    )
    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert log.signal_tags == ["requested_quote"] and log.next_step_date == dt.date(2020, 1, 5)
    card = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Send quote" in card and "Requested a quote" in card


def test_log_form_shows_service_errors_on_fields(client, salesperson):
    customer = CustomerFactory(owner=salesperson)
    client.force_login(salesperson)
    response = client.post(
        reverse("customers:log_create", args=[customer.pk]),
        {"kind": "call", "happened_at": "2020-01-02T10:00", "next_step_date": "2019-12-01", "next_step": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["next_step_date"]
    assert not ContactLog.objects.exists()


def test_salesperson_edit_cannot_change_credit(client, salesperson):
    customer = CustomerFactory(owner=salesperson, credit_limit=1000)
    client.force_login(salesperson)
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        {"name": customer.name, "status": "active", "tier": "ordinary", "credit_limit": "999999"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "active" and customer.credit_limit == 1000


def test_card_shows_audit_history_of_credit_changes(client, salesperson, manager):
    from customers.services import customer_register, customer_update

    customer = customer_register(actor=salesperson, data={"name": "Audit Co"})
    customer_update(customer=customer, actor=manager, data={"credit_limit": "250000"})
    client.force_login(salesperson)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    # The timeline tells the change with the field's name, never its code.
    assert "credit limit: 0 → 250000" in body.replace(".00", "") and "credit_limit" not in body


def test_card_includes_panels_of_other_apps_when_present(client, salesperson, settings, tmp_path):
    panel_dir = tmp_path / "sales"
    panel_dir.mkdir()
    (panel_dir / "_customer_panel.html").write_text('<div id="sales-panel">orders of {{ customer.name }}</div>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    customer = CustomerFactory(owner=salesperson, name="Panel Co")
    client.force_login(salesperson)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert '<div id="sales-panel">orders of Panel Co</div>' in body


def test_pool_page_and_claim(client, salesperson, gm, finance):
    pooled = CustomerFactory(owner=None, unit=None, name="Pool Co")
    client.force_login(finance)
    assert "Pool Co" in client.get(reverse("customers:pool")).content.decode()
    assert client.post(reverse("customers:pool_claim", args=[pooled.pk])).status_code == 403
    assert Customer.objects.get(pk=pooled.pk).owner is None  # finance may look, not claim
    client.force_login(salesperson)
    assert "Pool Co" in client.get(reverse("customers:pool")).content.decode()
    response = client.post(reverse("customers:pool_claim", args=[pooled.pk]))
    assert response.status_code == 302 and Customer.objects.get(pk=pooled.pk).owner == salesperson


def test_pool_list_query_count(client, salesperson, django_assert_max_num_queries):
    for i in range(60):
        CustomerFactory(owner=None, unit=None, name=f"Pool {i}")
    client.force_login(salesperson)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("customers:pool")).status_code == 200


def test_conflict_queue_gm_decides_salesperson_sees_only_own(client, salesperson, other_salesperson, gm):
    from customers.services import RegistrationRefused, customer_register

    customer_register(actor=salesperson, data={"name": "Queue Co"})
    with pytest.raises(RegistrationRefused):
        customer_register(actor=other_salesperson, data={"name": "Queue Co Ltd"})
    conflict = CustomerConflict.objects.get()
    client.force_login(salesperson)  # the first owner is not the claimant
    assert "Queue Co" not in client.get(reverse("customers:conflicts")).content.decode()
    assert (
        client.post(reverse("customers:conflict_decide", args=[conflict.pk]), {"action": "confirm"}).status_code == 404
    )
    client.force_login(other_salesperson)
    assert "Queue Co" in client.get(reverse("customers:conflicts")).content.decode()
    client.post(reverse("customers:conflict_decide", args=[conflict.pk]), {"action": "reassign", "reason": "mine"})
    conflict.refresh_from_db()
    assert conflict.status == "open"  # a claimant cannot decide
    client.force_login(gm)
    # The reassign button leads to a confirmation page; nothing changes before it is confirmed with a reason.
    response = client.post(
        reverse("customers:conflict_decide", args=[conflict.pk]), {"action": "reassign", "reason": "visited first"}
    )
    assert response.status_code == 302 and response.url == reverse("customers:conflict_reassign", args=[conflict.pk])
    conflict.refresh_from_db()
    assert conflict.status == "open"
    client.post(reverse("customers:conflict_reassign", args=[conflict.pk]), {"reason": "visited first"})
    conflict.refresh_from_db()
    assert conflict.status == "reassigned" and conflict.customer.owner == other_salesperson


def test_conflict_list_query_count(client, gm, django_assert_max_num_queries):
    from accounts.tests.factories import SalespersonFactory
    from customers.services import RegistrationRefused, customer_register

    for i in range(30):
        a, b = SalespersonFactory(), SalespersonFactory()
        customer_register(actor=a, data={"name": f"Clash {i}"})
        with pytest.raises(RegistrationRefused):
            customer_register(actor=b, data={"name": f"Clash {i} Ltd"})
    client.force_login(gm)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("customers:conflicts")).status_code == 200


def test_monthly_filing_flags_overdue_and_files(client, manager, salesperson, gm, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC))
    CustomerFactory(owner=salesperson)
    client.force_login(gm)
    body = client.get(reverse("customers:filing"), {"month": "2026-02"}).content.decode()
    assert "overdue" in body
    assert client.post(reverse("customers:filing_file", args=[salesperson.unit.pk]), {"month": "2026-02"})
    assert not MonthlyFiling.objects.exists()  # the GM office does not file for a unit
    client.force_login(manager)
    client.post(reverse("customers:filing_file", args=[salesperson.unit.pk]), {"month": "2026-02"})
    filing = MonthlyFiling.objects.get()
    assert filing.customers_count == 1 and filing.month == dt.date(2026, 2, 1)
    xlsx = client.get(reverse("customers:filing_export", args=[salesperson.unit.pk]), {"month": "2026-02"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_filing_page_salesperson_sees_own_unit_only(client, salesperson, other_salesperson):
    client.force_login(salesperson)
    assert client.get(reverse("customers:filing_export", args=[other_salesperson.unit.pk])).status_code == 404


TOP_PAGES = [
    "customers:list",
    "customers:create",
    "customers:pool",
    "customers:conflicts",
    "customers:filing",
    "customers:import",
]
# Expected status of each top-level page per role (404: the page is not theirs; 403: may not register).
EXPECTED = {
    "salesperson": [200, 200, 200, 200, 200, 200],
    "manager": [200, 200, 200, 200, 200, 200],
    "gm": [200, 200, 200, 200, 200, 200],
    "finance": [200, 403, 200, 200, 200, 404],
    "admin_user": [200, 200, 200, 200, 200, 200],
    "staff_user": [200, 200, 404, 200, 200, 200],
}


@pytest.fixture
def staff_user(unit):
    from accounts.tests.factories import UserFactory

    return UserFactory(role="staff", unit=unit)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_top_level_page_per_role(client, book, role, request):
    client.force_login(request.getfixturevalue(role))
    got = [client.get(reverse(name)).status_code for name in TOP_PAGES]
    assert got == EXPECTED[role]


def test_filing_page_lists_only_the_units_a_role_may_see(client, book, salesperson, manager, gm, other_salesperson):
    for user, expected in [
        (salesperson, {salesperson.unit}),
        (manager, {salesperson.unit}),
        (gm, {salesperson.unit, other_salesperson.unit}),
    ]:
        client.force_login(user)
        units = {row.unit for row in client.get(reverse("customers:filing")).context["rows"]}
        assert expected <= units
        if user != gm:
            assert other_salesperson.unit not in units
