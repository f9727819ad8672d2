"""Quote and contract handoffs reach the person who must act, once, in their language."""

from decimal import Decimal as D

import pytest

from accounts.tests.factories import GMFactory
from core.models import Activity
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales import services
from sales.models import QuoteStatus
from sales.services import LineInput
from sales.tests.factories import authority, priced_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(salesperson, manager):
    salesperson.language = "zh-hant"
    salesperson.save(update_fields=["language"])
    manager.language = "en"
    manager.save(update_fields=["language"])
    return salesperson, manager


def _quote_beyond_authority(salesperson, percent="10", discount="12"):
    authority(salesperson, percent)
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    return services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D(discount))],
    )


def _notes(user):
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_submitted_quote_notifies_the_manager_once_in_english(people):
    salesperson, manager = people
    quote = services.quote_submit(actor=salesperson, quote=_quote_beyond_authority(salesperson))
    assert quote.status == QuoteStatus.IN_REVIEW
    [note] = _notes(manager)
    assert note.title == f"Quote {quote.number} waits for your approval"
    assert note.url == f"/sales/quotes/{quote.pk}/"
    assert _notes(salesperson) == []  # never told of one's own act
    activity = Activity.objects.get(document="sales.quote", document_id=quote.pk, action="submitted")
    assert activity.actor == salesperson and activity.recipient_ids == [manager.pk]


def test_rejected_quote_tells_the_salesperson_in_chinese_with_the_reason(people):
    salesperson, manager = people
    quote = services.quote_submit(actor=salesperson, quote=_quote_beyond_authority(salesperson))
    services.quote_reject(actor=manager, quote=quote, reason="折扣太高")
    [note] = _notes(salesperson)
    assert note.title == f"報價單 {quote.number} 已駁回"
    assert "折扣太高" in note.body


def test_approved_quote_tells_the_salesperson_once(people):
    salesperson, manager = people
    quote = services.quote_submit(actor=salesperson, quote=_quote_beyond_authority(salesperson))
    services.quote_approve(actor=manager, quote=quote)
    [note] = _notes(salesperson)
    assert note.title == f"報價單 {quote.number} 已核准"


def test_quote_within_authority_notifies_nobody(people):
    salesperson, _manager = people
    # At the standard price and within authority: no rule fires (a net price below standard would need the manager).
    quote = services.quote_submit(actor=salesperson, quote=_quote_beyond_authority(salesperson, "20", discount="0"))
    assert quote.status == QuoteStatus.APPROVED
    assert Notification.objects.count() == 0


def test_a_handoff_is_never_notified_twice(people):
    from reminders.handoffs import notify_handoff

    salesperson, manager = people
    quote = services.quote_submit(actor=salesperson, quote=_quote_beyond_authority(salesperson))
    activity = Activity.objects.get(document="sales.quote", document_id=quote.pk)
    notify_handoff(activity)  # a second delivery of the same event
    assert len(_notes(manager)) == 1


def test_contract_submitted_notifies_manager_and_gm_then_rejection_reaches_owner(people, unit):
    from sales.models import ContractBasis

    salesperson, manager = people
    gm = GMFactory(language="zh-hant")
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
        basis=ContractBasis.CONTRACT,
    )
    contract = services.contract_submit(actor=salesperson, contract=contract)
    assert contract.status == "in_review"
    [note] = _notes(manager)
    assert note.title == f"Contract {contract.number} waits for your review"
    gm_notes = _notes(gm)
    assert all(n.title == f"契約 {contract.number} 等待您評審" for n in gm_notes)
    services.contract_reject(actor=manager, contract=contract, reason="付款條件不清楚")
    [note] = _notes(salesperson)
    assert note.title == f"契約 {contract.number} 已駁回" and "付款條件不清楚" in note.body
