"""The pipeline board: stages from the quote workflow, drags guarded by it, totals, filters, bounded queries."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from sales import pipeline
from sales.models import Contract, QuoteStatus
from sales.services import pipeline as moves
from sales.tests.factories import ContractFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def _columns(user, **filters):
    return {c.key: c for c in pipeline.board(user=user, filters=pipeline.Filters(**filters))}


def test_board_puts_each_quote_in_its_stage_with_totals(salesperson):
    customer = CustomerFactory(owner=salesperson)
    QuoteFactory(customer=customer, status=QuoteStatus.DRAFT, amount=D("100"))
    QuoteFactory(customer=customer, status=QuoteStatus.IN_REVIEW, amount=D("200"))
    QuoteFactory(customer=customer, status=QuoteStatus.APPROVED, amount=D("300"))
    QuoteFactory(customer=customer, status=QuoteStatus.SENT, amount=D("400"))
    QuoteFactory(customer=customer, status=QuoteStatus.ACCEPTED, amount=D("500"))
    contracted = QuoteFactory(customer=customer, status=QuoteStatus.ACCEPTED, amount=D("600"))
    ContractFactory(customer=customer, quote=contracted)
    QuoteFactory(customer=customer, status=QuoteStatus.DECLINED, amount=D("999"))
    cols = _columns(salesperson)
    assert [(k, c.count, c.total) for k, c in cols.items()] == [
        ("prospect", 1, D("100")),
        ("awaiting_approval", 1, D("200")),
        ("quoted", 2, D("700")),
        ("accepted", 1, D("500")),
        ("contract", 1, D("600")),
    ]


def test_salespeople_see_their_own_managers_their_units(salesperson, teammate, manager, other_salesperson):
    mine = QuoteFactory(customer=CustomerFactory(owner=salesperson))
    theirs = QuoteFactory(customer=CustomerFactory(owner=teammate))
    other = QuoteFactory(customer=CustomerFactory(owner=other_salesperson))
    seen = {q.pk for c in _columns(salesperson).values() for q in c.cards}
    assert seen == {mine.pk}
    seen = {q.pk for c in _columns(manager).values() for q in c.cards}
    assert seen == {mine.pk, theirs.pk} and other.pk not in seen


def test_drag_targets_come_from_the_workflow(salesperson, manager):
    customer = CustomerFactory(owner=salesperson)
    draft = QuoteFactory(customer=customer, status=QuoteStatus.DRAFT)
    review = QuoteFactory(customer=customer, status=QuoteStatus.IN_REVIEW)
    sent = QuoteFactory(customer=customer, status=QuoteStatus.SENT)
    cards = {q.pk: q for c in _columns(salesperson).values() for q in c.cards}
    assert cards[draft.pk].targets == ["awaiting_approval"]
    assert cards[review.pk].targets == ["prospect"]  # the salesperson may take it back (change); not approve it
    assert cards[sent.pk].targets == ["accepted", "contract"]
    cards = {q.pk: q for c in _columns(manager).values() for q in c.cards}
    assert "quoted" in cards[review.pk].targets  # the manager approves by dragging; rejecting needs a reason


def test_move_approves_through_the_service_and_refuses_what_the_workflow_forbids(salesperson, manager):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson), status=QuoteStatus.IN_REVIEW)
    with pytest.raises(ApplicationError) as exc:
        moves.quote_move(actor=salesperson, quote=quote, stage="quoted")  # a salesperson cannot approve
    assert exc.value.field == "stage"
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.IN_REVIEW
    moves.quote_move(actor=manager, quote=quote, stage="quoted")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED and quote.approved_by == manager
    with pytest.raises(ApplicationError):
        moves.quote_move(actor=salesperson, quote=quote, stage="accepted")  # approved → accepted skips "sent"
    with pytest.raises(ApplicationError):
        moves.quote_move(actor=salesperson, quote=quote, stage="nowhere")


def test_page_move_and_refusal_messages(client, salesperson, other_salesperson):
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson), status=QuoteStatus.SENT)
    client.force_login(salesperson)
    url = reverse("sales:quote_move", args=[quote.pk])
    response = client.post(url, {"stage": "prospect"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="move-message"' in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    response = client.post(url, {"stage": "accepted"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    client.force_login(other_salesperson)
    assert client.post(url, {"stage": "contract"}).status_code == 404
    assert not Contract.objects.exists()


def test_expected_close_month_and_list_filters(client, salesperson):
    month = timezone.localdate().replace(day=1)
    quote = QuoteFactory(customer=CustomerFactory(owner=salesperson, name="月份客戶"))
    other = QuoteFactory(customer=CustomerFactory(owner=salesperson, name="別的客戶"))
    client.force_login(salesperson)
    response = client.post(
        reverse("sales:quote_expected_close", args=[quote.pk]), {"expected_close": month.strftime("%Y-%m")}
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.expected_close == month
    body = client.get(reverse("sales:pipeline_list"), {"month": month.strftime("%Y-%m")}).content.decode()
    assert f">{quote.number}<" in body and f">{other.number}<" not in body
    body = client.get(reverse("sales:pipeline_list"), {"month": "not-a-month"}).content.decode()
    assert "invalid-feedback" in body  # bad input names the field, no 500
    bad = client.post(reverse("sales:quote_expected_close", args=[other.pk]), {"expected_close": "2026-13"})
    assert bad.status_code == 302
    other.refresh_from_db()
    assert other.expected_close is None


def test_board_page_in_both_languages(client, salesperson):
    QuoteFactory(customer=CustomerFactory(owner=salesperson), status=QuoteStatus.DRAFT)
    client.force_login(salesperson)
    assert "Awaiting approval" in client.get(reverse("sales:pipeline"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    salesperson.language = "zh-hant"
    salesperson.save()
    client.cookies.load({"django_language": "zh-hant"})
    body = client.get(reverse("sales:pipeline"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "待核准" in body


@pytest.mark.parametrize("n", [1, 25])
def test_board_and_list_queries_do_not_grow_with_quotes(client, manager, teammate, n, django_assert_max_num_queries):
    customer = CustomerFactory(owner=teammate)
    for i in range(n):
        QuoteFactory(
            customer=customer,
            status=[QuoteStatus.DRAFT, QuoteStatus.IN_REVIEW, QuoteStatus.SENT][i % 3],
            expected_close=dt.date(2026, 1 + i % 12, 1),
        )
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("sales:pipeline")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("sales:pipeline_list")).status_code == 200
