"""Lessons: managers publish a successful case for their unit; the unit's people read it, counted once each."""

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError, PermissionDenied
from customers.tests.factories import CustomerFactory
from reports.models import Lesson, LessonRead
from reports.services.lessons import lesson_mark_read, lesson_publish
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def test_publish_rules(manager, salesperson, other_salesperson, unit, other_unit):
    customer = CustomerFactory(owner=salesperson)
    contract = ContractFactory(customer=customer)
    lesson = lesson_publish(actor=manager, unit=unit, title="三次拜訪拿下", body="先送樣品", contract=contract)
    assert lesson.customer == customer  # the contract's customer is linked too
    with pytest.raises(PermissionDenied):
        lesson_publish(actor=salesperson, unit=unit, title="t", body="b")
    with pytest.raises(PermissionDenied):
        lesson_publish(actor=manager, unit=other_unit, title="t", body="b")
    with pytest.raises(ApplicationError) as err:
        lesson_publish(actor=manager, unit=unit, title="t", body="b", customer=CustomerFactory(owner=other_salesperson))
    assert err.value.field == "customer"
    with pytest.raises(ApplicationError) as err:
        lesson_publish(
            actor=manager,
            unit=unit,
            title="t",
            body="b",
            customer=CustomerFactory(owner=salesperson),
            contract=contract,
        )
    assert err.value.field == "contract"
    with pytest.raises(ApplicationError):
        lesson_publish(actor=manager, unit=unit, title=" ", body="b")


def test_reads_counted_once_per_reader(manager, salesperson, teammate, unit):
    lesson = lesson_publish(actor=manager, unit=unit, title="t", body="b")
    assert lesson_mark_read(reader=salesperson, lesson=lesson) is True
    assert lesson_mark_read(reader=salesperson, lesson=lesson) is False
    assert lesson_mark_read(reader=manager, lesson=lesson) is False  # the author is not a reader
    lesson_mark_read(reader=teammate, lesson=lesson)
    assert LessonRead.objects.filter(lesson=lesson).count() == 2


def test_pages(as_user, manager, salesperson, teammate, other_salesperson, unit, django_assert_max_num_queries):
    customer = CustomerFactory(owner=salesperson)
    client = as_user(manager)
    assert client.get(reverse("reports:lesson_new")).status_code == 200
    bad = client.post(reverse("reports:lesson_new"), {"unit": unit.pk, "title": "", "body": "b"})
    assert bad.status_code == 200 and "title" in bad.context["form"].errors
    response = client.post(
        reverse("reports:lesson_new"),
        {"unit": unit.pk, "title": "展會後三天內回訪", "body": "名片當天整理，三天內回訪", "customer": customer.pk},
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    url = reverse("reports:lesson_detail", args=[lesson.pk])
    for n in range(5):
        Lesson.objects.create(unit=unit, author=manager, title=f"L{n}", body="b")

    reader = as_user(salesperson)
    assert reader.get(reverse("reports:lesson_new")).status_code == 404  # salespeople read, they do not publish
    page = reader.get(url)
    assert page.status_code == 200 and "名片當天整理" in page.content.decode()
    assert page.context["lesson"].read_count == 1
    assert reader.get(url).context["lesson"].read_count == 1  # the same reader again: still one
    assert as_user(teammate).get(url).context["lesson"].read_count == 2
    with django_assert_max_num_queries(15) as few:  # session, user, navbar badges, the page (one query + count)
        listing = as_user(teammate).get(reverse("reports:lesson_list"))
    assert "展會後三天內回訪" in listing.content.decode()
    for n in range(10):
        Lesson.objects.create(unit=unit, author=manager, title=f"M{n}", body="b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_user(teammate).get(reverse("reports:lesson_list"))

    stranger = as_user(other_salesperson)
    assert stranger.get(url).status_code == 404
    assert "展會後三天內回訪" not in stranger.get(reverse("reports:lesson_list")).content.decode()
    assert not LessonRead.objects.filter(reader=other_salesperson).exists()
