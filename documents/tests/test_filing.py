"""Filing receipts: each of the three departments confirms it holds the original; the contract is filed when the
last one does; the 3-day deadline, the overdue list and the reminder count until then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError, PermissionDenied
from documents import services
from documents.models import FilingDepartment, FilingReceipt
from sales import selectors as sales_selectors
from sales.models import ContractStatus

from .factories import contract_for, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_clerk(admin_user):
    """A staff user of 行政管理部, named by the admin as the department's desk."""
    clerk = UserFactory(role=Role.STAFF, full_name="行政小姐")
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, user=clerk)
    return clerk


def test_three_receipts_file_the_contract_on_the_last_day(salesperson, finance, gm, admin_clerk):
    today = timezone.localdate()
    contract = signed(contract_for(salesperson), on=today - dt.timedelta(days=5))  # due 2 days ago
    assert contract.filing_due_on == today - dt.timedelta(days=2)
    services.filing_receipt_confirm(actor=finance, contract=contract, department=FilingDepartment.FINANCE)
    services.filing_receipt_confirm(actor=gm, contract=contract, department=FilingDepartment.GM_OFFICE)
    contract.refresh_from_db()
    # Two of three: still signed, still on the overdue list and the reminder scan's source.
    assert contract.status == ContractStatus.SIGNED
    assert contract in sales_selectors.contracts_filing_overdue(today=today)
    assert sales_selectors.is_filing_overdue(contract, today=today)
    services.filing_receipt_confirm(actor=admin_clerk, contract=contract, department=FilingDepartment.ADMINISTRATION)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.FILED and contract.filed_on == today
    assert contract not in sales_selectors.contracts_filing_overdue(today=today)
    assert contract.events.filter(action="filed", data__late=True).exists()
    assert list(FilingReceipt.objects.filter(contract=contract).values_list("department", "confirmed_by")) == [
        ("administration", admin_clerk.pk),
        ("finance", finance.pk),
        ("gm_office", gm.pk),
    ]


def test_within_the_deadline_is_not_late(salesperson, finance, gm, admin_clerk):
    contract = signed(contract_for(salesperson))
    for actor, dept in ((finance, "finance"), (gm, "gm_office"), (admin_clerk, "administration")):
        services.filing_receipt_confirm(actor=actor, contract=contract, department=dept)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.FILED
    assert contract.events.filter(action="filed", data__late=False).exists()


def test_only_the_departments_desk_confirms(salesperson, finance, gm, admin_user, admin_clerk):
    contract = signed(contract_for(salesperson))
    with pytest.raises(PermissionDenied):
        services.filing_receipt_confirm(actor=salesperson, contract=contract, department="finance")
    with pytest.raises(PermissionDenied):
        services.filing_receipt_confirm(actor=gm, contract=contract, department="finance")
    with pytest.raises(PermissionDenied):  # the system admin is not 行政管理部
        services.filing_receipt_confirm(actor=admin_user, contract=contract, department="administration")
    with pytest.raises(PermissionDenied):  # named user set: the role no longer suffices
        services.filing_receipt_confirm(
            actor=UserFactory(role=Role.STAFF), contract=contract, department="administration"
        )


def test_a_role_desk_lets_anyone_with_the_role_confirm(salesperson, admin_user):
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, role=Role.STAFF)
    contract = signed(contract_for(salesperson))
    receipt = services.filing_receipt_confirm(
        actor=UserFactory(role=Role.STAFF), contract=contract, department="administration"
    )
    assert receipt.pk


def test_twice_or_before_signing_is_refused(salesperson, finance):
    draft = contract_for(salesperson)
    with pytest.raises(ApplicationError):
        services.filing_receipt_confirm(actor=finance, contract=draft, department="finance")
    contract = signed(contract_for(salesperson))
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    with pytest.raises(ApplicationError):
        services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")


def test_only_admin_sets_desks(salesperson, finance):
    with pytest.raises(PermissionDenied):
        services.filing_desk_set(actor=finance, department="administration", user=finance)


def test_contract_page_shows_who_confirmed_and_the_button_for_my_department(
    client, salesperson, finance, other_salesperson, django_assert_max_num_queries
):
    contract = signed(contract_for(salesperson))
    client.force_login(finance)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("documents:contract_papers", args=[contract.pk])).content.decode()
    assert 'id="confirm-finance"' in page and 'id="confirm-gm_office"' not in page
    response = client.post(reverse("documents:filing_confirm", args=[contract.pk, "finance"]))
    assert response.status_code == 302
    page = client.get(reverse("documents:contract_papers", args=[contract.pk])).content.decode()
    assert 'id="confirm-finance"' not in page and finance.get_full_name() in page
    client.force_login(salesperson)
    assert client.post(reverse("documents:filing_confirm", args=[contract.pk, "gm_office"])).status_code == 403
    client.force_login(other_salesperson)
    assert client.get(reverse("documents:contract_papers", args=[contract.pk])).status_code == 404
    assert client.post(reverse("documents:filing_confirm", args=[contract.pk, "finance"])).status_code == 404


def test_filing_inbox_lists_what_my_department_still_has_to_confirm(client, salesperson, finance, gm):
    contract = signed(contract_for(salesperson))
    client.force_login(finance)
    assert contract.number in client.get(reverse("documents:filing_inbox")).content.decode()
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    assert contract.number not in client.get(reverse("documents:filing_inbox")).content.decode()
    client.force_login(gm)
    assert contract.number in client.get(reverse("documents:filing_inbox")).content.decode()
    client.force_login(salesperson)
    assert contract.number not in client.get(reverse("documents:filing_inbox")).content.decode()


def test_the_filing_reminder_counts_until_the_third_receipt(salesperson, finance, gm, admin_clerk):
    from reminders.models import Reminder, ReminderKind, ReminderState
    from reminders.tests.scans.support import scan

    today = timezone.localdate()
    contract = signed(contract_for(salesperson), on=today - dt.timedelta(days=5))
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    services.filing_receipt_confirm(actor=gm, contract=contract, department="gm_office")
    now = timezone.now()
    [reminder] = scan(now, ReminderKind.CONTRACT_FILING)
    assert reminder.subject_id == contract.pk and reminder.state == ReminderState.OPEN
    services.filing_receipt_confirm(actor=admin_clerk, contract=contract, department="administration")
    scan(now, ReminderKind.CONTRACT_FILING)
    assert Reminder.objects.get(pk=reminder.pk).state == ReminderState.DONE
