"""Two managers approving and the GM office rejecting the same contract at the same moment."""

import itertools
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.tests.factories import ManagerFactory
from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import ApprovalDecision, Contract, ContractEvent, ContractStatus
from sales.services import LineInput

from .factories import authority, priced_product, submit_reviewed

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except (ApplicationError, PermissionDenied) as exc:
            results[i] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_managers_approve_while_gm_rejects(salesperson, manager, gm, attempt):
    second_manager = ManagerFactory(unit=salesperson.unit)
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000", cost="900")  # margin below 20 % -> GM office too
    authority(salesperson, "5")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("2"), discount_percent=D("8"))],
    )
    services.contract_submit(actor=salesperson, contract=contract)

    results = run_together(
        lambda: services.contract_approve(actor=manager, contract=contract),
        lambda: services.contract_approve(actor=second_manager, contract=contract),
        lambda: services.contract_reject(actor=gm, contract=contract, reason="margin too thin"),
    )
    assert all(r is not None for r in results)
    manager_oks = [r for r in results[:2] if r[0] == "ok"]
    assert len(manager_oks) <= 1, "the manager step can be decided only once"
    assert results[2][0] == "ok", "the GM office's rejection always applies while the contract is in review"

    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.REJECTED
    approvals = {a.approver_role: a for a in contract.approvals.all()}
    assert approvals["gm_office"].decision == ApprovalDecision.REJECTED
    expected_manager = ApprovalDecision.APPROVED if manager_oks else ApprovalDecision.WITHDRAWN
    assert approvals["manager"].decision == expected_manager
    actions = list(ContractEvent.objects.filter(contract=contract).values_list("action", flat=True))
    assert actions.count("rejected") == 1
    assert actions.count("approved") == len(manager_oks)
    assert actions[-1] == "rejected"
    # The history's statuses chain without gaps.
    events = list(ContractEvent.objects.filter(contract=contract).order_by("at", "id"))
    for before, after in itertools.pairwise(events):
        assert after.from_status == before.to_status


def test_double_click_on_sign_signs_once(salesperson):
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000", cost="100")
    contract = services.contract_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("1"))]
    )
    submit_reviewed(actor=salesperson, contract=contract)
    results = run_together(
        lambda: services.contract_sign(actor=salesperson, contract=contract),
        lambda: services.contract_sign(actor=salesperson, contract=contract),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert ContractEvent.objects.filter(contract=contract, action="signed").count() == 1


def test_two_payments_at_once_never_exceed_the_balance(salesperson, finance):
    from accounts.tests.factories import FinanceFactory
    from sales.models import Payment

    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000", cost="100")
    contract = services.contract_create(
        actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("1"))]
    )
    submit_reviewed(actor=salesperson, contract=contract)
    services.contract_sign(actor=salesperson, contract=contract)
    other = FinanceFactory()
    from django.utils import timezone

    today = timezone.localdate()
    results = run_together(
        lambda: services.payment_record(actor=finance, contract=contract, paid_on=today, amount=D("700")),
        lambda: services.payment_record(actor=other, contract=contract, paid_on=today, amount=D("700")),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert sum(Payment.objects.filter(contract=contract).values_list("amount", flat=True)) == D("700")


def test_concurrent_creates_get_distinct_numbers(salesperson, teammate):
    product = priced_product(standard="1000", cost="100")
    c1 = CustomerFactory(owner=salesperson)
    c2 = CustomerFactory(owner=teammate)
    results = run_together(
        lambda: services.contract_create(
            actor=salesperson, customer=c1, lines=[LineInput(product=product, quantity=D("1"))]
        ),
        lambda: services.contract_create(
            actor=teammate, customer=c2, lines=[LineInput(product=product, quantity=D("1"))]
        ),
    )
    assert [r[0] for r in results] == ["ok", "ok"]
    assert len({r[1].number for r in results}) == 2


def test_two_invoices_with_the_same_number_at_once_refuse_one_cleanly(salesperson, finance):
    product = priced_product(standard="1000", cost="500")
    contracts = []
    for _ in range(2):
        customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
        contract = services.contract_create(
            actor=salesperson, customer=customer, lines=[LineInput(product=product, quantity=D("2"))]
        )
        submit_reviewed(actor=salesperson, contract=contract)
        contracts.append(services.contract_sign(actor=salesperson, contract=contract))

    import datetime as dt

    results = run_together(
        *[
            (
                lambda c=c: services.invoice_create(
                    actor=finance, contract=c, number="INV-0001", issued_on=dt.date(2026, 3, 1), amount=D("100")
                )
            )
            for c in contracts
        ]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ok", "refused"], results
    refused = next(exc for kind, exc in results if kind == "refused")
    assert refused.field == "number"
