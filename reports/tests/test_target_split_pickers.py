"""Target splits picked from people, products, regions, customers and settlement methods (never typed codes)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import ManagerFactory, SalespersonFactory, SalesUnitFactory
from customers.tests.factories import CustomerFactory
from reports.models import Dimension, Target, TargetLine
from sales.tests.factories import ProductFactory

from .test_pages_reports import split_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(manager):
    return Target.objects.create(
        unit=manager.unit,
        period_type="month",
        period_start=timezone.localdate().replace(day=1),
        amount=Decimal("1000"),
        created_by=manager,
    )


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_split_editor_offers_pickers(client, manager, salesperson, target, language, django_assert_max_num_queries):
    ProductFactory(code="P-INV", name="變頻器")
    CustomerFactory(owner=salesperson, region="北區")
    TargetLine.objects.create(target=target, dimension=Dimension.SALESPERSON, salesperson=salesperson, amount=400)
    for _ in range(10):
        SalespersonFactory(unit=manager.unit)
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)
    # 31: the progress of each split dimension nets the returns (退貨) approved in the period (one query each)
    with django_assert_max_num_queries(31):
        html = client.get(reverse("reports:target_detail", args=[target.pk])).content.decode()
    assert f'<html lang="{language}">' in html
    assert 'name="salesperson-0-key"' in html and f'<option value="{salesperson.pk}" selected>' in html
    assert f"{salesperson.get_full_name()} ({salesperson.username})" in html
    assert '<option value="P-INV">P-INV 變頻器</option>' in html
    assert '<option value="北區">北區</option>' in html
    assert 'data-picker="customer"' in html  # customers: the searchable picker
    assert "salesperson-lines" not in html and "key, amount" not in html  # no text box of codes
    with translation.override(language):
        assert translation.gettext("Add a part") in html


def test_split_saved_from_pickers(client, manager, salesperson, teammate, target):
    product = ProductFactory(code="P-INV")
    customer = CustomerFactory(owner=salesperson, region="北區")
    client.force_login(manager)
    url = reverse("reports:target_detail", args=[target.pk])
    for data in (
        split_post("salesperson", (salesperson.pk, "600"), (teammate.pk, "300"), deleted=[(teammate.pk, "x")]),
        split_post("product", ("P-INV", "500")),
        split_post("region", ("北區", "200")),
        split_post("customer", (customer.pk, "100")),
        split_post("settlement", ("monthly", "50")),
    ):
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
    lines = {(ln.dimension, ln.amount) for ln in TargetLine.objects.all()}
    assert ("salesperson", Decimal("600.00")) in lines and ("salesperson", Decimal("300.00")) in lines
    assert TargetLine.objects.get(dimension="product").product == product
    assert TargetLine.objects.get(dimension="customer").customer == customer
    assert TargetLine.objects.get(dimension="region").region == "北區"
    # The page shows the saved split back in the pickers.
    html = client.get(url).content.decode()
    assert customer.picker_label in html and '<option value="monthly" selected>' in html


@pytest.mark.parametrize(
    ("data_rows", "message"),
    [
        ([(999999, "10")], "Select a valid choice."),
        ([("self", "-5")], "greater than or equal to 0"),
        ([("self", "abc")], "Enter a number."),
        ([("self", "10"), ("self", "20")], "Listed twice."),
        ([("self", "5000")], "more than the target"),
    ],
)
def test_bad_split_rows_are_form_errors(client, manager, salesperson, target, data_rows, message):
    client.force_login(manager)
    rows = [(salesperson.pk if key == "self" else key, amount) for key, amount in data_rows]
    response = client.post(reverse("reports:target_detail", args=[target.pk]), split_post("salesperson", *rows))
    assert response.status_code == 200 and message in response.content.decode()
    assert TargetLine.objects.count() == 0


def test_people_of_another_unit_are_not_offered(client, manager, target):
    stranger = SalespersonFactory(unit=SalesUnitFactory())
    client.force_login(manager)
    html = client.get(reverse("reports:target_detail", args=[target.pk])).content.decode()
    assert stranger.username not in html
    response = client.post(
        reverse("reports:target_detail", args=[target.pk]), split_post("salesperson", (stranger.pk, "1"))
    )
    assert response.status_code == 200 and TargetLine.objects.count() == 0


def test_only_the_units_manager_edits(client, salesperson, target):
    foreign = ManagerFactory(unit=SalesUnitFactory())
    url = reverse("reports:target_detail", args=[target.pk])
    client.force_login(foreign)
    assert client.get(url).status_code == 404
    assert client.post(url, split_post("salesperson", (salesperson.pk, "10"))).status_code == 404
    client.force_login(salesperson)
    html = client.get(url).content.decode()
    assert "data-split-form" not in html
    client.post(url, split_post("salesperson", (salesperson.pk, "10")))
    assert TargetLine.objects.count() == 0
