"""Written price inquiries (書面(蓋章)詢價): a product whose raw-material prices move is quoted only from the
producing unit's answer in force; the inquiry is handed to that unit's manager (inbox, one notification in their
language) and the answer back to whoever asked; the stamped copy is for those who may see the inquiry."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ManagerFactory, SalespersonFactory, SalesUnitFactory
from core.exceptions import ApplicationError, PermissionDenied
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales import services
from sales.models import InquiryStatus
from sales.services import LineInput
from sales.services.inquiries import inquiry_answer, inquiry_attach, inquiry_cancel, inquiry_create
from workspace.inbox import inbox_items

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plant():
    return SalesUnitFactory(name="生產一廠")


@pytest.fixture
def plant_manager(plant):
    return ManagerFactory(unit=plant, language="zh-hant")


@pytest.fixture
def copper(plant):
    return ProductFactory(code="CU-1", needs_price_inquiry=True, producing_unit=plant)


def _quote(salesperson, product, **line):
    customer = CustomerFactory(owner=salesperson)
    return services.quote_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("2"), **line)]
    )


def _error(salesperson, product) -> ApplicationError:
    with pytest.raises(ApplicationError) as err:
        _quote(salesperson, product)
    assert err.value.field == "lines" and err.value.code == "price_inquiry"
    assert "Line 1" in err.value.message and "CU-1" in err.value.message
    return err.value


def test_quote_needs_an_answered_inquiry_in_force(salesperson, manager, plant_manager, copper):
    assert "no price inquiry" in _error(salesperson, copper).message
    inquiry = inquiry_create(actor=salesperson, product=copper, quantity=D("10"), note="100 kg")
    assert inquiry.requesting_unit_id == salesperson.unit_id and inquiry.status == InquiryStatus.OPEN
    assert "awaits" in _error(salesperson, copper).message and inquiry.number in _error(salesperson, copper).message
    # The producing unit's manager is told once, in their language; it waits in their inbox, not in the asker's.
    notes = Notification.objects.filter(activity__document="sales.price_inquiry")
    assert [(n.user_id, n.title) for n in notes] == [(plant_manager.pk, f"詢價單 {inquiry.number} 待您回覆")]
    assert [i.kind for i in inbox_items(user=plant_manager)] == ["price_inquiry"]
    assert [i.kind for i in inbox_items(user=manager) if i.kind == "price_inquiry"] == []
    today = timezone.localdate()
    inquiry_answer(
        actor=plant_manager, inquiry=inquiry, price=D("512.30"), cost=D("400"), valid_until=today + dt.timedelta(days=7)
    )
    assert inbox_items(user=plant_manager) == []
    assert Notification.objects.filter(user=salesperson, activity__action="answered").count() == 1
    quote = _quote(salesperson, copper)
    line = quote.lines.get()
    assert (line.list_price, line.standard_price, line.unit_cost) == (D("512.30"), D("512.30"), D("400.00"))
    # The last valid day still prices; the day after, the error says until when it was valid.
    with time_machine.travel(today + dt.timedelta(days=7, hours=12)):
        _quote(salesperson, copper)
    with time_machine.travel(today + dt.timedelta(days=8, hours=12)):
        err = _error(salesperson, copper)
        assert (today + dt.timedelta(days=7)).isoformat() in err.message


def test_another_units_answer_does_not_price_this_unit(salesperson, other_salesperson, plant_manager, copper):
    inquiry = inquiry_create(actor=other_salesperson, product=copper)
    inquiry_answer(actor=plant_manager, inquiry=inquiry, price=D("1"), valid_until=timezone.localdate())
    _error(salesperson, copper)


def test_only_the_producing_units_manager_answers(salesperson, manager, plant_manager, copper):
    inquiry = inquiry_create(actor=salesperson, product=copper)
    for outsider in (salesperson, manager, ManagerFactory()):
        with pytest.raises(PermissionDenied):
            inquiry_answer(actor=outsider, inquiry=inquiry, price=D("1"), valid_until=timezone.localdate())
    with pytest.raises(ApplicationError) as err:
        inquiry_answer(
            actor=plant_manager,
            inquiry=inquiry,
            price=D("1"),
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert err.value.field == "valid_until"
    inquiry_cancel(actor=salesperson, inquiry=inquiry)
    with pytest.raises(ApplicationError):
        inquiry_answer(actor=plant_manager, inquiry=inquiry, price=D("1"), valid_until=timezone.localdate())


def test_products_priced_from_the_list_need_no_inquiry(salesperson, plant):
    plain = ProductFactory(producing_unit=plant)
    with pytest.raises(ApplicationError) as err:
        inquiry_create(actor=salesperson, product=plain)
    assert err.value.field == "product"
    orphan = ProductFactory(needs_price_inquiry=True)
    with pytest.raises(ApplicationError) as err:
        inquiry_create(actor=salesperson, product=orphan)
    assert err.value.code == "no_producing_unit"


def test_pages_ask_answer_and_the_stamped_copy(client, salesperson, other_salesperson, plant_manager, copper):
    client.force_login(salesperson)
    bad = SimpleUploadedFile("form.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("sales:inquiry_list"), {"product": copper.pk, "stamped_copy": bad})
    assert response.status_code == 200 and "PDF" in response.content.decode()
    pdf = SimpleUploadedFile("stamped.pdf", b"%PDF-1.4 stamped", content_type="application/pdf")
    response = client.post(reverse("sales:inquiry_list"), {"product": copper.pk, "quantity": "5", "stamped_copy": pdf})
    assert response.status_code == 302
    inquiry = copper.inquiries.get()
    detail = reverse("sales:inquiry_detail", args=[inquiry.pk])
    file_url = reverse("sales:inquiry_file", args=[inquiry.pk])
    assert b"".join(client.get(file_url).streaming_content) == b"%PDF-1.4 stamped"
    assert 'id="answer-inquiry"' not in client.get(detail).content.decode()
    assert client.post(detail, {"price": "1", "valid_until": timezone.localdate().isoformat()}).status_code == 403
    # Another unit's salesperson: 404 for the inquiry and its file.
    client.force_login(other_salesperson)
    assert client.get(detail).status_code == 404 and client.get(file_url).status_code == 404
    client.force_login(plant_manager)
    html = client.get(detail).content.decode()
    assert 'id="answer-inquiry"' in html
    valid = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(detail, {"price": "99.5", "valid_until": valid})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.price, inquiry.answered_by) == ("answered", D("99.50"), plant_manager)
    # The asker may replace the stamped copy; the producing unit's manager may not.
    new = SimpleUploadedFile("again.png", b"PNG", content_type="image/png")
    with pytest.raises(PermissionDenied):
        inquiry_attach(actor=plant_manager, inquiry=inquiry, stamped_copy=new)
    inquiry_attach(actor=salesperson, inquiry=inquiry, stamped_copy=new)


def test_inquiry_list_bounded_queries(client, salesperson, plant_manager, copper, django_assert_max_num_queries):
    for _ in range(6):
        inquiry_create(actor=SalespersonFactory(unit=salesperson.unit), product=copper)
    client.force_login(plant_manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sales:inquiry_list"))
    assert response.status_code == 200 and response.content.decode().count("PI") >= 6
