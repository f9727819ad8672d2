import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.tests.factories import FinanceFactory, ManagerFactory
from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from documents import services as document_services
from documents.tests.factories import file_by_receipts
from receivables.selectors import position_for
from sales import selectors, services
from sales.models import (
    ApprovalDecision,
    ContractEvent,
    ContractStatus,
    PaymentKind,
    QuoteStatus,
    SalesPolicy,
)
from sales.services import LineInput

from ..factories import authority, priced_product, submit_reviewed

pytestmark = pytest.mark.django_db


def make_contract(salesperson, customer, product, *, qty="10", discount="0", list_price=None, **fields):
    return services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D(qty), discount_percent=D(discount), list_price=list_price)],
        **fields,
    )


def test_create_copies_standard_price_and_cost_and_totals(salesperson, customer, product):
    c = make_contract(salesperson, customer, product, qty="3", discount="10")
    line = c.lines.get()
    assert (line.standard_price, line.unit_cost, line.list_price) == (D("1000.00"), D("500.00"), D("1000.00"))
    assert line.unit_price == D("900.00")
    assert c.amount == D("2700.00") and c.cost_total == D("1500.00")
    assert c.owner == salesperson and c.unit == salesperson.unit and c.status == ContractStatus.DRAFT
    assert c.number.startswith("C")


def test_later_price_list_does_not_rewrite_lines(salesperson, customer, product, admin_user):
    c = make_contract(salesperson, customer, product)
    services.price_list_create(
        actor=admin_user,
        name="new",
        effective_from=dt.date(2021, 1, 1),
        items=[services.PriceInput(product=product, standard_price=D("2000"), cost=D("1500"))],
    )
    c.refresh_from_db()
    assert c.lines.get().standard_price == D("1000.00")
    assert selectors.price_in_force(product=product).standard_price == D("2000.00")


def test_no_price_in_force_is_a_field_error(salesperson, customer):
    from ..factories import ProductFactory

    with pytest.raises(ApplicationError) as exc:
        make_contract(salesperson, customer, ProductFactory())
    assert exc.value.field == "lines"


def test_clean_contract_needs_only_the_department_review(salesperson, customer, product):
    authority(salesperson, "15")
    c = make_contract(salesperson, customer, product, discount="15", list_price=D("1200"))  # net 1,020 >= 1,000
    c = services.contract_submit(actor=salesperson, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    [approval] = c.approvals.all()
    assert approval.approver_role == "manager"
    assert [r["code"] for r in approval.reasons] == ["department_review"]


def test_discount_beyond_authority_needs_manager(salesperson, customer, product, manager):
    authority(salesperson, "15")
    c = make_contract(salesperson, customer, product, discount="18")
    c = services.contract_submit(actor=salesperson, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    approval = c.approvals.get()
    assert approval.approver_role == "manager"
    assert any("discount 18 % exceeds your 15 % authority" in r["message"] for r in approval.reasons)
    c = services.contract_approve(actor=manager, contract=c)
    assert c.status == ContractStatus.APPROVED


def test_manager_and_gm_both_needed_in_any_order(salesperson, customer, manager, gm):
    low = priced_product(standard="1000", cost="900")
    authority(salesperson, "5")
    c = make_contract(salesperson, customer, low, discount="10")
    c = services.contract_submit(actor=salesperson, contract=c)
    assert sorted(c.approvals.values_list("approver_role", flat=True)) == ["gm_office", "manager"]
    c = services.contract_approve(actor=gm, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    with pytest.raises(ApplicationError):
        services.contract_approve(actor=gm, contract=c)
    c = services.contract_approve(actor=manager, contract=c)
    assert c.status == ContractStatus.APPROVED


def test_salesperson_cannot_approve_own_contract(salesperson, customer, product):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=salesperson, contract=c)


def test_manager_of_another_unit_cannot_approve(salesperson, customer, product, other_unit):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=ManagerFactory(unit=other_unit), contract=c)


def test_reject_needs_reason_and_allows_resubmission(salesperson, customer, product, manager):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    with pytest.raises(ApplicationError) as exc:
        services.contract_reject(actor=manager, contract=c, reason="  ")
    assert exc.value.field == "reason"
    c = services.contract_reject(actor=manager, contract=c, reason="Too cheap")
    assert c.status == ContractStatus.REJECTED and c.rejection_reason == "Too cheap"
    c = services.contract_update(
        actor=salesperson, contract=c, lines=[LineInput(product=product, quantity=D("10"), discount_percent=D("0"))]
    )
    assert c.status == ContractStatus.DRAFT
    c = services.contract_submit(actor=salesperson, contract=c)
    assert c.status == ContractStatus.IN_REVIEW and c.review_round == 2
    assert [r["code"] for r in c.approvals.get(round=2).reasons] == ["department_review"]
    c = services.contract_approve(actor=manager, contract=c)
    assert c.status == ContractStatus.APPROVED


def test_prepayment_blocks_submit_and_sign(salesperson, customer, product):
    c = make_contract(salesperson, customer, product, qty="100")  # 100,000.00 exactly
    with pytest.raises(ApplicationError) as exc:
        services.contract_submit(actor=salesperson, contract=c)
    assert exc.value.field == "prepayment_amount" and exc.value.code == "prepayment_required"
    c.refresh_from_db()
    assert c.status == ContractStatus.DRAFT and c.approvals.count() == 0
    c = services.contract_update(actor=salesperson, contract=c, prepayment_amount=D("30000"))
    c = submit_reviewed(actor=salesperson, contract=c)
    assert c.status == ContractStatus.APPROVED
    c = services.contract_sign(actor=salesperson, contract=c)
    assert c.status == ContractStatus.SIGNED


def test_threshold_is_admin_setting(salesperson, customer, product, admin_user):
    services.sales_policy_set(actor=admin_user, effective_from=dt.date(2020, 1, 1), prepayment_threshold=D("5000"))
    c = make_contract(salesperson, customer, product, qty="5")
    with pytest.raises(ApplicationError):
        services.contract_submit(actor=salesperson, contract=c)
    with pytest.raises(PermissionDenied):
        services.sales_policy_set(actor=salesperson, effective_from=dt.date(2020, 1, 1), prepayment_threshold=D("1"))
    assert SalesPolicy.objects.count() == 1


def test_purchase_order_basis(salesperson, product, manager):
    untrusted = CustomerFactory(owner=salesperson, is_trusted=False)
    c = make_contract(salesperson, untrusted, product, basis="purchase_order")
    with pytest.raises(ApplicationError) as exc:
        services.contract_submit(actor=salesperson, contract=c)
    assert exc.value.field == "basis"
    trusted = CustomerFactory(owner=salesperson, is_trusted=True)
    c = make_contract(salesperson, trusted, product, basis="purchase_order")
    c = services.contract_submit(actor=salesperson, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    c = services.contract_approve(actor=manager, contract=c)
    assert c.po_consent_by == manager and c.po_consent_at is not None


def test_credit_limit_counts_open_receivables(salesperson, product, manager, finance):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("15000"))
    first = make_contract(salesperson, customer, product, qty="10")
    submit_reviewed(actor=salesperson, contract=first)
    services.contract_sign(actor=salesperson, contract=first)
    second = make_contract(salesperson, customer, product, qty="6")
    second = services.contract_submit(actor=salesperson, contract=second)
    assert second.status == ContractStatus.IN_REVIEW
    assert [r["code"] for r in second.approvals.get().reasons] == ["department_review", "credit_limit_exceeded"]
    # Once the first is paid, the same deal fits the limit.
    services.payment_record(actor=finance, contract=first, paid_on=timezone.localdate(), amount=D("10000"))
    third = make_contract(salesperson, customer, product, qty="6")
    third = services.contract_submit(actor=salesperson, contract=third)
    assert [r["code"] for r in third.approvals.get().reasons] == ["department_review"]


@pytest.mark.parametrize(
    "action",
    [
        lambda c, u: services.contract_sign(actor=u, contract=c),
        # A draft takes no filing receipt (filing is the three departments' receipts, never a button).
        lambda c, u: document_services.filing_receipt_confirm(actor=FinanceFactory(), contract=c, department="finance"),
    ],
)
def test_invalid_transitions_are_application_errors(salesperson, customer, product, action):
    c = make_contract(salesperson, customer, product)
    with pytest.raises(ApplicationError) as exc:
        action(c, salesperson)
    assert exc.value.code == "state"


def test_filing_deadline_and_overdue_flag(salesperson, customer, product):
    c = make_contract(salesperson, customer, product)
    submit_reviewed(actor=salesperson, contract=c)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        c = services.contract_sign(actor=salesperson, contract=c)
        assert c.filing_due_on == dt.date(2026, 3, 5)
        assert not selectors.is_filing_overdue(c)
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC)):
        assert not selectors.is_filing_overdue(c)
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC)):
        assert selectors.is_filing_overdue(c)
        assert list(selectors.contract_list(user=salesperson, filters={"overdue_filing": "1"})) == [c]
        c = file_by_receipts(c)
    assert c.status == ContractStatus.FILED and c.filed_on == dt.date(2026, 3, 6)
    assert c.events.get(action="filed").data["late"] is True


def test_every_transition_is_in_the_history(salesperson, customer, product, manager):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    services.contract_approve(actor=manager, contract=c)
    services.contract_sign(actor=salesperson, contract=c)
    file_by_receipts(c)
    events = list(ContractEvent.objects.filter(contract=c).values_list("action", "from_status", "to_status"))
    assert events == [
        ("created", "", "draft"),
        ("submitted", "draft", "in_review"),
        ("approved", "in_review", "approved"),
        ("signed", "approved", "signed"),
        ("filed", "signed", "filed"),
    ]


# One end-to-end story from quote to the last retention payment: its steps share state, so it stays one test.
def test_quote_to_fully_paid_contract_with_retention(salesperson, customer, manager, finance):
    """End to end on PostgreSQL: quote, approval, contract, signing, partial shipments, payments, retention."""
    p1 = priced_product(standard="20000", cost="12000")
    p2 = priced_product(standard="5000", cost="3000")
    authority(salesperson, "10")
    quote = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[
            LineInput(product=p1, quantity=D("5"), discount_percent=D("12")),
            LineInput(product=p2, quantity=D("4")),
        ],
    )
    assert quote.amount == D("108000.00")  # 5 x 17,600 + 4 x 5,000
    quote = services.quote_submit(actor=salesperson, quote=quote)
    assert quote.status == QuoteStatus.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.quote_approve(actor=salesperson, quote=quote)
    quote = services.quote_approve(actor=manager, quote=quote)
    quote = services.quote_set_outcome(actor=salesperson, quote=quote, status=QuoteStatus.SENT)
    with time_machine.travel(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC)):
        contract = services.contract_create_from_quote(
            actor=salesperson,
            quote=quote,
            prepayment_amount=D("30000"),
            retention_amount=D("10800"),
            retention_due_on=dt.date(2027, 1, 5),
            payment_terms="30% prepayment, balance on delivery, 10% retention for 12 months",
        )
        assert contract.amount == D("108000.00")
        contract = services.contract_submit(actor=salesperson, contract=contract)
        assert contract.status == ContractStatus.IN_REVIEW  # the discount beyond authority
        contract = services.contract_approve(actor=manager, contract=contract)
        services.payment_record(
            actor=finance,
            contract=contract,
            paid_on=dt.date(2026, 1, 5),
            amount=D("30000"),
            kind=PaymentKind.PREPAYMENT,
        )
        contract = services.contract_sign(actor=salesperson, contract=contract)
        contract = file_by_receipts(contract)
    lines = list(contract.lines.order_by("position"))
    with time_machine.travel(dt.datetime(2026, 1, 10, 2, tzinfo=dt.UTC)):
        services.shipment_create(
            actor=salesperson,
            contract=contract,
            shipped_on=dt.date(2026, 1, 10),
            lines=[services.ShipInput(contract_line=lines[0], quantity=D("3"))],
        )
    with time_machine.travel(dt.datetime(2026, 2, 20, 2, tzinfo=dt.UTC)):
        services.shipment_create(actor=salesperson, contract=contract, shipped_on=dt.date(2026, 2, 20))
        with pytest.raises(ApplicationError):
            services.shipment_create(actor=salesperson, contract=contract, shipped_on=dt.date(2026, 2, 20))

    rec = position_for(contract=contract, as_of=dt.date(2026, 3, 1))
    assert rec.balance == D("78000.00")
    assert rec.retention_outstanding == D("10800.00")
    # Shipment 1: 52,800 x 0.9 = 47,520 due, 30,000 prepaid -> 17,520 open, due 10 March (2 months after
    # shipping: the rule book's 2 months, not the old 30-day buckets); shipment 2: 49,680, due 20 April.
    assert [(s.due_on, s.open) for s in rec.shipments] == [
        (dt.date(2026, 3, 10), D("17520.00")),
        (dt.date(2026, 4, 20), D("49680.00")),
    ]
    assert rec.aging["current"] == D("67200.00") and rec.overdue == 0
    assert rec.unshipped == D("0")

    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)):
        with pytest.raises(ApplicationError):  # more than is due without retention
            services.payment_record(
                actor=finance, contract=contract, paid_on=dt.date(2026, 3, 10), amount=D("67200.01")
            )
        services.payment_record(
            actor=finance, contract=contract, paid_on=dt.date(2026, 3, 10), amount=D("67200"), kind=PaymentKind.FINAL
        )
    rec = position_for(contract=contract, as_of=dt.date(2026, 3, 10))
    assert rec.collected_except_retention and not rec.fully_paid
    assert rec.balance == rec.retention_outstanding == D("10800.00")
    assert sum(rec.aging.values()) == 0
    with time_machine.travel(dt.datetime(2027, 1, 6, 2, tzinfo=dt.UTC)):
        assert position_for(contract=contract).retention_overdue
        services.payment_record(
            actor=finance,
            contract=contract,
            paid_on=dt.date(2027, 1, 6),
            amount=D("10800"),
            kind=PaymentKind.RETENTION,
        )
        rec = position_for(contract=contract)
    assert rec.fully_paid and rec.balance == 0 and rec.retention_outstanding == 0
    with pytest.raises(ApplicationError):
        services.payment_record(actor=finance, contract=contract, paid_on=dt.date(2026, 3, 10), amount=D("1"))


def test_only_finance_records_payments(salesperson, customer, product):
    c = make_contract(salesperson, customer, product)
    submit_reviewed(actor=salesperson, contract=c)
    services.contract_sign(actor=salesperson, contract=c)
    with pytest.raises(PermissionDenied):
        services.payment_record(actor=salesperson, contract=c, paid_on=timezone.localdate(), amount=D("10"))


def test_cancel_withdraws_pending_approvals(salesperson, customer, product):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    c = services.contract_cancel(actor=salesperson, contract=c, reason="customer withdrew")
    assert c.status == ContractStatus.CANCELLED
    assert c.approvals.get().decision == ApprovalDecision.WITHDRAWN


def test_managers_own_contract_is_decided_by_the_gm_office(manager, gm, product):
    from accounts.tests.factories import ManagerFactory

    customer = CustomerFactory(owner=manager, credit_limit=D("10000000"))
    c = make_contract(manager, customer, product, discount="30")
    c = services.contract_submit(actor=manager, contract=c)
    assert c.status == ContractStatus.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=manager, contract=c)
    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=ManagerFactory(unit=manager.unit), contract=c)
    assert [x["contract_id"] for x in selectors.awaiting_approval_ids(user=gm)] == [c.pk]
    assert services.contract_approve(actor=gm, contract=c).status == ContractStatus.APPROVED


def test_awaiting_my_approval_lists(salesperson, customer, product, manager, gm):
    c = make_contract(salesperson, customer, product, discount="30")
    services.contract_submit(actor=salesperson, contract=c)
    assert list(selectors.contract_list(user=manager, filters={"awaiting_me": "1"})) == [c]
    assert list(selectors.contract_list(user=gm, filters={"awaiting_me": "1"})) == []
    services.contract_approve(actor=manager, contract=c)
    assert list(selectors.contract_list(user=manager, filters={"awaiting_me": "1"})) == []


def test_engineering_quote_becomes_a_one_line_contract(salesperson, customer, manager):
    from sales.models import QuoteKind
    from sales.tests.factories import ProductFactory

    project = ProductFactory(code="ENG", name="工程成套項目")
    q = services.quote_create(
        actor=salesperson, customer=customer, kind=QuoteKind.ENGINEERING, equipment_cost=D("200000"), title="Plant B"
    )
    q = services.quote_submit(actor=salesperson, quote=q)
    # The quote carries its external project line (the general project product unless one is chosen).
    assert q.lines.get().product.code == "PROJECT" and q.internal_price == D("340000.00")
    c = services.contract_create_from_quote(actor=salesperson, quote=q, product=project, prepayment_amount=D("100000"))
    assert c.lines.get().product == project and c.sales_method.code == "project"
    line = c.lines.get()
    assert (line.quantity, line.unit_price, line.standard_price, line.unit_cost) == (
        D("1"),
        D("340000.00"),
        D("340000.00"),
        D("200000.00"),
    )
    assert c.amount == D("340000.00") and c.cost_total == D("200000.00") and c.title == "Plant B"
    # 41 % margin, at the standard price, prepayment stated: only the department review.
    c = services.contract_submit(actor=salesperson, contract=c)
    assert [r["code"] for r in c.approvals.get().reasons] == ["department_review"]


def test_engineering_customer_price_below_the_internal_price_goes_to_the_contract(salesperson, customer):
    """The unit prices the project for the customer; the contract keeps that price, never the internal one."""
    from sales.models import QuoteKind

    q = services.quote_create(
        actor=salesperson,
        customer=customer,
        kind=QuoteKind.ENGINEERING,
        equipment_cost=D("1000"),
        customer_price=D("1600"),
    )
    assert (q.internal_price, q.amount, q.cost_total) == (D("1700.00"), D("1600.00"), D("1000.00"))
    hits = [h.code for h in selectors.quote_rule_hits(quote=q)]
    assert hits == ["price_below_standard"]
    # Changing C changes the internal price only: the customer's price stays.
    q = services.quote_update(actor=salesperson, quote=q, equipment_cost=D("900"))
    assert (q.internal_price, q.amount) == (D("1530.00"), D("1600.00"))
    assert selectors.quote_rule_hits(quote=q) == []
