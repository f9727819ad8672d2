"""Contract originals waiting for their filing receipts (finance, the GM office, administration each confirm they
hold the original): each department's confirmer finds them in the inbox — the home page's inbox section (it loads
/inbox/?fragment=1), /inbox/ and the navbar badge — as on the filing desk's page (documents:filing_inbox), until
their department has confirmed; nobody else does."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import FinanceFactory, GMFactory, UserFactory
from documents import permissions, selectors, services
from documents.models import FilingDepartment, FilingDesk, FilingReceipt
from documents.tests.factories import contract_for, signed
from workspace.inbox import inbox_count, inbox_items, navbar_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_clerk(admin_user):
    """A staff user of 行政管理部, named by the admin as the department's desk."""
    clerk = UserFactory(role=Role.STAFF, full_name="行政小姐")
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, user=clerk)
    return clerk


def _originals(user) -> list[str]:
    return [i.title for i in inbox_items(user=user) if i.kind == "original"]


def _pages(client, user) -> tuple[str, str, str]:
    """The home page's inbox section, /inbox/ and the filing desk's page, as `user`, in English."""
    client.force_login(user)
    fragment = client.get(reverse("inbox") + "?fragment=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    desk = client.get(reverse("documents:filing_inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return fragment, page, desk


def test_each_departments_confirmer_sees_the_original_until_their_department_confirms(
    client, salesperson, finance, gm, admin_clerk
):
    contract = signed(contract_for(salesperson))
    title = f"Contract original to confirm: {contract.number}"
    for user in (finance, gm, admin_clerk):
        fragment, page, desk = _pages(client, user)
        assert title in fragment and title in page and contract.number in desk, user.role
        assert 'data-inbox-kind="original"' in fragment
        assert inbox_count(user=user) == len(inbox_items(user=user))  # the badge counts what the list shows
    staff = UserFactory(role=Role.STAFF)  # not the administration desk
    for user in (salesperson, staff):
        fragment, page, desk = _pages(client, user)
        assert contract.number not in fragment + page + desk
        assert _originals(user) == []

    before = inbox_count(user=gm)
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    assert _originals(finance) == [] and contract.number not in "".join(_pages(client, finance))
    [item] = [i for i in inbox_items(user=gm) if i.kind == "original"]
    assert "Administration" not in item.detail and "GM office" in item.detail
    assert inbox_count(user=gm) == before  # the GM office still waits

    # One click from the inbox confirms the one department waiting for this user.
    client.force_login(gm)
    response = client.post(item.action_url, dict(item.action_fields))
    assert response.status_code == 302
    assert FilingReceipt.objects.filter(contract=contract, department="gm_office", confirmed_by=gm).exists()
    assert _originals(gm) == [] and inbox_count(user=gm) == before - 1
    services.filing_receipt_confirm(actor=admin_clerk, contract=contract, department="administration")
    contract.refresh_from_db()
    assert contract.status == "filed"
    assert all(_originals(u) == [] for u in (finance, gm, admin_clerk))


def test_one_confirmer_of_two_departments_gets_one_item_for_both(client, salesperson, admin_user):
    finance = FinanceFactory()
    services.filing_desk_set(actor=admin_user, department=FilingDepartment.ADMINISTRATION, user=finance)
    contract = signed(contract_for(salesperson))
    [item] = [i for i in inbox_items(user=finance) if i.kind == "original"]
    assert "Finance" in item.detail and "Administration" in item.detail
    assert item.action_url == ""  # two buttons on the desk's page, not one click
    assert item.url == reverse("documents:filing_inbox")
    assert inbox_count(user=finance) == len(inbox_items(user=finance))
    services.filing_receipt_confirm(actor=finance, contract=contract, department="finance")
    [item] = [i for i in inbox_items(user=finance) if i.kind == "original"]
    assert item.action_url == reverse("documents:filing_confirm", args=[contract.pk, "administration"])


def test_late_originals_come_first_as_overdue(salesperson, finance):
    today = timezone.localdate()
    late = signed(contract_for(salesperson), on=today - dt.timedelta(days=20))
    fresh = signed(contract_for(salesperson))
    items = [i for i in inbox_items(user=finance) if i.kind == "original"]
    assert [i.title.rsplit(" ", 1)[1] for i in items] == [late.number, fresh.number]
    assert [i.overdue for i in items] == [True, False]


def test_the_inbox_reads_the_desks_as_the_permission_does(salesperson, admin_user):
    """originals_to_confirm asks, in SQL, what permissions.may_confirm_filing answers for every desk setting."""
    contract = signed(contract_for(salesperson))
    named = UserFactory(role=Role.STAFF)
    people = [FinanceFactory(), GMFactory(), UserFactory(role=Role.STAFF), salesperson, admin_user, named]
    settings = [None, {"user": named}, {"role": Role.STAFF}, {"role": Role.FINANCE}, {"role": Role.GM_OFFICE}]
    for department, setting in itertools.product(FilingDepartment.values, settings):
        FilingDesk.objects.all().delete()
        if setting is not None:
            services.filing_desk_set(actor=admin_user, department=department, **setting)
        desk = FilingDesk.objects.filter(department=department).first()
        for user in people:
            row = selectors.originals_to_confirm(user).filter(pk=contract.pk).first()
            waiting = department in selectors.departments_awaiting(row) if row else False
            expected = permissions.may_confirm_filing(user, department=department, desk=desk)
            assert waiting == expected, (department, setting, user.role)


def test_in_zh_hant(client, salesperson, finance):
    finance.language = "zh-hant"
    finance.save(update_fields=["language"])
    contract = signed(contract_for(salesperson))
    client.force_login(finance)
    page = client.get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert f"待簽收的契約正本：{contract.number}" in page and "確認收到正本" in page


def test_queries_do_not_grow_with_originals(client, salesperson, finance, django_assert_max_num_queries):
    signed(contract_for(salesperson))
    client.force_login(finance)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("inbox"))
    for _ in range(4):
        signed(contract_for(salesperson))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("inbox")).content.decode()
    assert page.count('data-inbox-kind="original"') == 5
    with django_assert_max_num_queries(1):  # the badges' one statement reads the desks and counts the originals
        assert navbar_counts(user=finance)[0] == 5
