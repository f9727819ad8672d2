"""The quote and contract workflow tables: each action, from each state, by each role — and the same table drives
the service guard (403/400 as before), the page's buttons and the API's `actions` field."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import FinanceFactory, GMFactory, ManagerFactory, SalespersonFactory
from core.exceptions import ApplicationError
from customers.tests.factories import CustomerFactory
from sales import services
from sales.models import ContractStatus, QuoteStatus
from sales.services import LineInput
from sales.workflows import CONTRACT, QUOTE

from .factories import authority, priced_product

pytestmark = pytest.mark.django_db

ROLES = ["owner", "teammate", "manager", "other_manager", "gm", "finance"]


@pytest.fixture
def cast(salesperson, teammate, manager, other_unit):
    return {
        "owner": salesperson,
        "teammate": teammate,
        "manager": manager,
        "other_manager": ManagerFactory(unit=other_unit),
        "gm": GMFactory(),
        "finance": FinanceFactory(),
    }


@pytest.fixture
def quote(salesperson):
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    return services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )


# What each role may do with a quote in each state (the table, spelled out).
QUOTE_EXPECTED = {
    QuoteStatus.DRAFT: {"owner": {"change", "submit"}, "manager": {"change", "submit"}},
    QuoteStatus.IN_REVIEW: {"owner": {"change"}, "manager": {"change", "approve", "reject"}},
    QuoteStatus.APPROVED: {
        "owner": {"change", "sent", "declined", "contract"},
        "manager": {"change", "sent", "declined", "contract"},
    },
    QuoteStatus.SENT: {"owner": {"accepted", "declined", "contract"}, "manager": {"accepted", "declined", "contract"}},
    QuoteStatus.ACCEPTED: {"owner": {"contract"}, "manager": {"contract"}},
    QuoteStatus.DECLINED: {},
}


@pytest.mark.parametrize("state", list(QUOTE_EXPECTED))
def test_quote_table_by_state_and_role(cast, quote, state):
    quote.status = state
    for role in ROLES:
        assert set(QUOTE.action_names(cast[role], quote)) == QUOTE_EXPECTED[state].get(role, set()), (state, role)


def test_quote_service_refusals_keep_their_kind(cast, quote):
    with pytest.raises(PermissionDenied):  # 403: not yours
        services.quote_submit(actor=cast["teammate"], quote=quote)
    with pytest.raises(ApplicationError) as exc:  # 400: wrong state
        services.quote_approve(actor=cast["manager"], quote=quote)
    assert exc.value.code == "state" and exc.value.field == "status"
    quote = services.quote_submit(actor=cast["owner"], quote=quote)
    for role in ("owner", "teammate", "other_manager", "gm", "finance"):
        with pytest.raises(PermissionDenied):
            services.quote_approve(actor=cast[role], quote=quote)
    assert services.quote_approve(actor=cast["manager"], quote=quote).status == QuoteStatus.APPROVED


def test_contract_table_in_review_only_the_pending_approver_decides(cast, salesperson):
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )
    assert set(CONTRACT.action_names(cast["owner"], contract)) == {"change", "submit", "cancel"}
    assert CONTRACT.action_names(cast["gm"], contract) == []
    contract = services.contract_submit(actor=salesperson, contract=contract)
    assert contract.status == ContractStatus.IN_REVIEW
    assert set(CONTRACT.action_names(cast["owner"], contract)) == {"cancel"}
    assert set(CONTRACT.action_names(cast["manager"], contract)) == {"approve", "reject", "cancel"}
    for role in ("teammate", "other_manager", "finance"):
        assert CONTRACT.action_names(cast[role], contract) == [], role
    with pytest.raises(PermissionDenied):
        services.contract_approve(actor=cast["other_manager"], contract=contract)
    contract = services.contract_approve(actor=cast["manager"], contract=contract)
    assert "approve" not in CONTRACT.action_names(cast["manager"], contract)


def test_page_buttons_come_from_the_table(client, cast, quote):
    services.quote_submit(actor=cast["owner"], quote=quote)
    client.force_login(cast["owner"])
    body = client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert 'id="approve-quote"' not in body and 'id="waiting-for"' in body
    client.force_login(cast["manager"])
    body = client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert 'id="approve-quote"' in body and 'id="reject-quote"' in body
    client.force_login(cast["other_manager"])
    assert client.get(f"/sales/quotes/{quote.pk}/").status_code == 404  # another unit's quote


def test_api_actions_field(api_client, cast, quote):
    quote = services.quote_submit(actor=cast["owner"], quote=quote)
    api_client.force_authenticate(cast["owner"])
    assert api_client.get(f"/api/v1/quotes/{quote.pk}/").json()["actions"] == ["change"]
    api_client.force_authenticate(cast["manager"])
    assert api_client.get(f"/api/v1/quotes/{quote.pk}/").json()["actions"] == ["change", "approve", "reject"]
    api_client.force_authenticate(cast["other_manager"])
    assert api_client.get(f"/api/v1/quotes/{quote.pk}/").status_code == 404


def test_api_contract_actions_field(api_client, cast, salesperson):
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )
    contract = services.contract_submit(actor=salesperson, contract=contract)
    api_client.force_authenticate(cast["manager"])
    assert api_client.get(f"/api/v1/contracts/{contract.pk}/").json()["actions"] == ["approve", "reject", "cancel"]
    api_client.force_authenticate(cast["owner"])
    assert api_client.get(f"/api/v1/contracts/{contract.pk}/").json()["actions"] == ["cancel"]


def test_a_salesperson_never_sees_actions_on_anothers_quote(cast, quote):
    stranger = SalespersonFactory()
    assert QUOTE.action_names(stranger, quote) == []
