"""The rule book, round two: price floor on the net price, department review of every contract (契約評審) with a
unit's waiver, the prepayment exception (預付款), unit rules approved by the GM office."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.tests.factories import GMFactory
from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from sales import rules, selectors, services
from sales.models import ContractStatus
from sales.services import LineInput

from .factories import authority, priced_product

pytestmark = pytest.mark.django_db

DAY = dt.date(2020, 1, 1)


def line(*, list_price, discount="0", standard="100.00", cost="50.00"):
    list_price = D(list_price)
    net = (list_price * (100 - D(discount)) / 100).quantize(D("0.01"))
    return rules.LineFacts(
        product="P1",
        quantity=D("1"),
        list_price=list_price,
        discount_percent=D(discount),
        unit_price=net,
        standard_price=D(standard),
        unit_cost=D(cost),
    )


def facts(*lines, authority="10", **kw):
    amount = sum((ln.unit_price * ln.quantity for ln in lines), D("0"))
    kw = {"margin_review_percent": D("20"), "prepayment_threshold": D("100000"), **kw}
    return rules.DealFacts(lines=lines, amount=amount, cost_total=D("0"), discount_authority=D(authority), **kw)


# --- 1. price floor on the net price ---------------------------------------------------------------------------


def test_net_price_one_cent_below_standard_needs_the_manager_even_within_authority():
    # list 110.00 less 10 % (within the 10 % authority) = 99.00; standard 99.01: one cent below.
    hits = rules.price_below_standard(facts(line(list_price="110.00", discount="10", standard="99.01")))
    assert [h.code for h in hits] == ["price_below_standard"]
    assert hits[0].approver == rules.MANAGER
    assert hits[0].data["net_price"] == "99.00" and hits[0].data["standard_price"] == "99.01"
    assert rules.discount_beyond_authority(facts(line(list_price="110.00", discount="10", standard="99.01"))) == []


def test_net_price_exactly_at_standard_does_not_fire():
    assert rules.price_below_standard(facts(line(list_price="110.00", discount="10", standard="99.00"))) == []


def test_both_triggers_fire_together_each_with_its_numbers():
    hits = rules.evaluate(
        facts(line(list_price="100.00", discount="20", standard="100.00"), authority="10", is_quote=True)
    )
    by_code = {h.code: h for h in hits}
    assert set(by_code) == {"price_below_standard", "discount_beyond_authority"}
    assert by_code["price_below_standard"].params["price"] == "80.00"
    assert by_code["discount_beyond_authority"].params == {"product": "P1", "discount": "20", "authority": "10"}


# --- 2. department review (契約評審) --------------------------------------------------------------------------


def test_department_review_fires_for_every_contract_but_not_quotes():
    clean = facts(line(list_price="100.00"))
    assert [h.code for h in rules.evaluate(clean)] == ["department_review"]
    assert rules.required_approvers(rules.evaluate(clean)) == [rules.MANAGER]
    assert rules.evaluate(facts(line(list_price="100.00"), is_quote=True)) == []


def test_department_review_waiver_below_the_amount_not_at_it():
    assert rules.department_review(facts(line(list_price="100.00"), review_waiver_below=D("100.01"))) == []
    assert len(rules.department_review(facts(line(list_price="100.00"), review_waiver_below=D("100.00")))) == 1


@pytest.fixture
def clean_deal(salesperson):
    product = priced_product(standard="1000.00", cost="500.00")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    return product, customer


def _contract(salesperson, customer, product, qty="1", **fields):
    return services.contract_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D(qty))], **fields
    )


def test_clean_contract_awaits_department_review_then_one_approval_approves(salesperson, manager, clean_deal):
    product, customer = clean_deal
    c = services.contract_submit(actor=salesperson, contract=_contract(salesperson, customer, product))
    assert c.status == ContractStatus.IN_REVIEW
    [approval] = c.approvals.all()
    assert approval.approver_role == "manager"
    assert [r["code"] for r in approval.reasons] == ["department_review"]
    with pytest.raises(ApplicationError):
        services.contract_sign(actor=salesperson, contract=c)
    c = services.contract_approve(actor=manager, contract=c)
    assert c.status == ContractStatus.APPROVED


def test_other_hits_are_listed_with_the_department_review(salesperson, clean_deal):
    product, customer = clean_deal
    authority(salesperson, "5")
    c = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("10"))],
    )
    c = services.contract_submit(actor=salesperson, contract=c)
    [approval] = c.approvals.all()
    assert [r["code"] for r in approval.reasons] == [
        "department_review",
        "price_below_standard",
        "discount_beyond_authority",
    ]


def _unit_waiver(unit, manager, amount, *, approve=True):
    row = services.unit_sales_policy_propose(
        actor=manager, unit=unit, effective_from=DAY, review_waiver_below=D(amount)
    )
    if approve:
        row = services.unit_sales_policy_approve(actor=GMFactory(), policy=row)
    return row


def test_below_the_units_waiver_amount_is_approved_at_submit(salesperson, manager, clean_deal):
    product, customer = clean_deal
    _unit_waiver(salesperson.unit, manager, "1000.01")
    c = services.contract_submit(actor=salesperson, contract=_contract(salesperson, customer, product))
    assert c.status == ContractStatus.APPROVED and c.approvals.count() == 0


def test_at_the_units_waiver_amount_is_reviewed(salesperson, manager, clean_deal):
    product, customer = clean_deal
    _unit_waiver(salesperson.unit, manager, "1000.00")
    c = services.contract_submit(actor=salesperson, contract=_contract(salesperson, customer, product))
    assert c.status == ContractStatus.IN_REVIEW


def test_unit_policy_is_not_in_force_until_the_gm_office_approves(salesperson, manager, clean_deal):
    product, customer = clean_deal
    row = _unit_waiver(salesperson.unit, manager, "5000", approve=False)
    assert selectors.effective_policy(unit_id=salesperson.unit_id).review_waiver_below is None
    c = services.contract_submit(actor=salesperson, contract=_contract(salesperson, customer, product))
    assert c.status == ContractStatus.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.unit_sales_policy_approve(actor=manager, policy=row)


def test_unit_policy_wins_over_the_company_and_only_its_manager_proposes(salesperson, manager, other_unit):
    row = services.unit_sales_policy_propose(
        actor=manager, unit=salesperson.unit, effective_from=DAY, prepayment_threshold=D("50000")
    )
    services.unit_sales_policy_approve(actor=GMFactory(), policy=row)
    policy = selectors.effective_policy(unit_id=salesperson.unit_id, on=timezone.localdate())
    assert policy.prepayment_threshold == D("50000") and policy.margin_review_percent == D("20")
    assert selectors.effective_policy(unit_id=other_unit.pk).prepayment_threshold == D("100000")
    with pytest.raises(PermissionDenied):
        services.unit_sales_policy_propose(actor=manager, unit=other_unit, effective_from=DAY)
    with pytest.raises(PermissionDenied):
        services.unit_sales_policy_propose(actor=salesperson, unit=salesperson.unit, effective_from=DAY)


# --- 3. prepayment exception (預付款) ------------------------------------------------------------------------


def test_no_prepayment_and_no_reason_is_still_blocked(salesperson, clean_deal):
    product, customer = clean_deal
    c = _contract(salesperson, customer, product, qty="100")  # 100,000.00
    with pytest.raises(ApplicationError) as exc:
        services.contract_submit(actor=salesperson, contract=c)
    assert exc.value.field == "prepayment_amount" and exc.value.code == "prepayment_required"


def test_no_prepayment_with_a_reason_needs_the_gm_office(salesperson, manager, gm, clean_deal):
    product, customer = clean_deal
    c = _contract(salesperson, customer, product, qty="100", prepayment_exception_reason="Long-standing customer")
    c = services.contract_submit(actor=salesperson, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    roles = dict(c.approvals.values_list("approver_role", "reasons"))
    assert [r["code"] for r in roles["gm_office"]] == ["prepayment_exception"]
    assert roles["gm_office"][0]["data"]["reason"] == "Long-standing customer"
    services.contract_approve(actor=manager, contract=c)
    c = services.contract_approve(actor=gm, contract=c)
    assert c.status == ContractStatus.APPROVED
    assert services.contract_sign(actor=salesperson, contract=c).status == ContractStatus.SIGNED


def test_a_blank_reason_is_no_reason():
    hits = rules.prepayment_required(
        facts(line(list_price="100000.00", standard="100000.00"), prepayment_exception_reason="   ")
    )
    assert [h.code for h in hits] == ["prepayment_required"] and hits[0].blocking
