"""The collections log (calls, promises to pay, a missed promise's reminder) and bad-debt write-offs."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import FinanceFactory
from core.exceptions import ApplicationError, PermissionDenied
from core.models import Activity
from receivables import services
from receivables.models import NoteKind, WriteOffStatus
from receivables.selectors import position_for
from reminders.models import Reminder, ReminderKind
from reminders.scans import scan_all

from .factories import PaymentFactory, ShipmentFactory, sold_contract

pytestmark = pytest.mark.django_db


def moment(y, m, d):
    return dt.datetime(y, m, d, 2, tzinfo=dt.UTC)  # 10:00 in Taipei


def test_a_missed_promise_reminds_the_salesperson_and_finance_once(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    with time_machine.travel(moment(2026, 4, 1), tick=False):
        services.collection_note_create(
            actor=salesperson,
            customer=contract.customer,
            kind=NoteKind.PROMISE,
            happened_on=dt.date(2026, 4, 1),
            promised_on=dt.date(2026, 4, 10),
            promised_amount=D("5000"),
            note="Will pay next week",
        )
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 4, 8), amount=D("3000"), recorded_by=finance)
    with time_machine.travel(moment(2026, 4, 10), tick=False):
        scan_all(kinds=[ReminderKind.PROMISE_MISSED])
    assert not Reminder.objects.filter(kind=ReminderKind.PROMISE_MISSED).exists()  # the 10th is still on time
    with time_machine.travel(moment(2026, 4, 11), tick=False):
        scan_all(kinds=[ReminderKind.PROMISE_MISSED])
        scan_all(kinds=[ReminderKind.PROMISE_MISSED])
    reminders = Reminder.objects.filter(kind=ReminderKind.PROMISE_MISSED)
    assert sorted(r.owner_id for r in reminders) == sorted([salesperson.pk, finance.pk])
    assert reminders[0].params["received"] == "3,000.00" and reminders[0].params["promised_amount"] == "5,000.00"


def test_a_kept_promise_reminds_nobody(salesperson, finance):
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    with time_machine.travel(moment(2026, 4, 1), tick=False):
        services.collection_note_create(
            actor=salesperson,
            customer=contract.customer,
            kind=NoteKind.PROMISE,
            happened_on=dt.date(2026, 4, 1),
            promised_on=dt.date(2026, 4, 10),
            promised_amount=D("5000"),
        )
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 4, 10), amount=D("5000"), recorded_by=finance)
    with time_machine.travel(moment(2026, 4, 12), tick=False):
        scan_all(kinds=[ReminderKind.PROMISE_MISSED])
    assert not Reminder.objects.filter(kind=ReminderKind.PROMISE_MISSED).exists()


def test_promise_needs_date_and_amount_and_page_names_the_field(client, salesperson, other_salesperson):
    contract = sold_contract(owner=salesperson)
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as err:
        services.collection_note_create(
            actor=salesperson, customer=contract.customer, kind=NoteKind.PROMISE, happened_on=today - dt.timedelta(1)
        )
    assert err.value.field == "promised_on"
    client.force_login(salesperson)
    url = reverse("receivables:statement", args=[contract.customer_id])
    r = client.post(url, {"kind": "promise", "happened_on": "2000-01-01", "promised_on": "1999-01-01"})
    assert r.status_code == 200 and "promised_on" in r.content.decode()
    r = client.post(url, {"kind": "call", "happened_on": str(today - dt.timedelta(1)), "note": "No answer"})
    assert r.status_code == 302
    client.force_login(other_salesperson)
    assert client.post(url, {"kind": "call", "happened_on": str(today)}).status_code == 404


def test_write_off_needs_finance_or_gm_and_records_the_liability(salesperson, manager, finance, gm):
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    with pytest.raises(PermissionDenied):
        services.write_off_propose(
            actor=salesperson, contract=contract, amount="1000", reason="gone", liability_amount="100"
        )
    with pytest.raises(ApplicationError) as err:
        services.write_off_propose(
            actor=manager, contract=contract, amount="12000.01", reason="x", liability_amount="0"
        )
    assert err.value.field == "amount"
    with pytest.raises(ApplicationError) as err:
        services.write_off_propose(actor=manager, contract=contract, amount="100", reason="x", liability_amount="101")
    assert err.value.field == "liability_amount"
    wo = services.write_off_propose(
        actor=manager, contract=contract, amount="12000", reason="Customer bankrupt", liability_amount="1200"
    )
    assert wo.liable_id == salesperson.pk and wo.status == WriteOffStatus.PROPOSED
    assert set(Activity.objects.get(document="receivables.write_off", action="proposed").recipient_ids) >= {
        finance.pk,
        gm.pk,
    }
    with pytest.raises(PermissionDenied):
        services.write_off_decide(actor=manager, write_off=wo, action="approve")
    with pytest.raises(ApplicationError):
        services.write_off_decide(actor=finance, write_off=wo, action="reject")  # needs a reason
    assert position_for(contract=contract).balance == D("12000.00")  # not until approved
    wo = services.write_off_decide(actor=finance, write_off=wo, action="approve")
    assert wo.status == WriteOffStatus.APPROVED and wo.decided_by == finance
    assert position_for(contract=contract).balance == 0
    approved = Activity.objects.get(document="receivables.write_off", action="approved")
    assert approved.recipient_ids == [manager.pk] and approved.data["liability"] == "1,200.00"
    # The liable salesperson hears of it once: from the commission app, which posts the liability.
    (posted,) = Activity.objects.filter(document="commission.liability", action="charged")
    assert posted.recipient_ids == [salesperson.pk] and posted.data["liability"] == "1,200.00"
    with pytest.raises(ApplicationError):
        services.write_off_decide(actor=gm, write_off=wo, action="reject", note="late")


def test_write_off_api_actions(api_client, salesperson, manager):
    contract = sold_contract(owner=salesperson)
    finance = FinanceFactory()
    api_client.force_authenticate(manager)
    r = api_client.post(
        "/api/v1/write-offs/",
        {"contract": contract.pk, "amount": "500", "liability_amount": "50", "reason": "Lost"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["actions"] == []
    api_client.force_authenticate(finance)
    wid = r.json()["id"]
    assert api_client.get(f"/api/v1/write-offs/{wid}/").json()["actions"] == ["approve", "reject"]
    assert api_client.post(f"/api/v1/write-offs/{wid}/reject/", {}, format="json").status_code == 400
    assert api_client.post(f"/api/v1/write-offs/{wid}/approve/", {}, format="json").json()["status"] == "approved"
    assert api_client.get(f"/api/v1/write-offs/{wid}/").json()["actions"] == ["reverse"]
    assert api_client.post(f"/api/v1/write-offs/{wid}/reverse/", {}, format="json").status_code == 400  # a reason
    r = api_client.post(f"/api/v1/write-offs/{wid}/reverse/", {"note": "Customer paid after all"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "reversed" and r.json()["reversal_note"]
    assert r.json()["actions"] == []
    api_client.force_authenticate(salesperson)
    assert api_client.post(f"/api/v1/write-offs/{wid}/reverse/", {"note": "x"}, format="json").status_code == 403
    assert (
        api_client.post(
            "/api/v1/write-offs/",
            {"contract": contract.pk, "amount": "1", "liability_amount": "0", "reason": "x"},
            format="json",
        ).status_code
        == 403
    )


def test_interest_warning_reaches_the_salesperson_once_before_interest_starts(salesperson):
    contract = sold_contract(owner=salesperson, shipped_on=None)
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 1, 10), amount=contract.amount)
    # Due 10 March, interest from the 11th; warned 7 days (policy default) before: from 4 March.
    with time_machine.travel(moment(2026, 3, 3), tick=False):
        scan_all(kinds=[ReminderKind.INTEREST_WARNING])
    assert not Reminder.objects.filter(kind=ReminderKind.INTEREST_WARNING).exists()
    for day in (4, 5):
        with time_machine.travel(moment(2026, 3, day), tick=False):
            scan_all(kinds=[ReminderKind.INTEREST_WARNING])
    (r,) = Reminder.objects.filter(kind=ReminderKind.INTEREST_WARNING)
    assert r.owner_id == salesperson.pk and r.params["starts_on"] == "2026-03-11"
    assert r.params["outstanding"] == "12000.00"


def test_a_proposed_write_off_waits_in_the_deciders_inbox(salesperson, manager, finance, gm):
    from workspace.inbox import inbox_count, inbox_items

    contract = sold_contract(owner=salesperson)
    services.write_off_propose(actor=manager, contract=contract, amount="100", reason="Lost", liability_amount="0")
    for who in (finance, gm):
        assert [i.kind for i in inbox_items(user=who)].count("write_off") == 1
        assert inbox_count(user=who) >= 1
    for who in (manager, salesperson):
        assert "write_off" not in [i.kind for i in inbox_items(user=who)]


def test_write_off_reversal_from_the_contract_page(client, salesperson, other_salesperson, manager, finance):
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    wo = services.write_off_propose(
        actor=manager, contract=contract, amount="2000", reason="Lost", liability_amount="200"
    )
    wo = services.write_off_decide(actor=finance, write_off=wo, action="approve")
    panel = reverse("receivables:contract_panel", args=[contract.pk])
    url = reverse("receivables:write_off_decide", args=[wo.pk, "reverse"])
    client.force_login(salesperson)
    assert url not in client.get(panel).content.decode()  # no button for the salesperson
    client.force_login(other_salesperson)
    assert client.post(url, {"note": "x"}).status_code == 404  # another's contract
    client.force_login(finance)
    assert url in client.get(panel).content.decode()
    client.post(url, {"note": ""})
    wo.refresh_from_db()
    assert wo.status == WriteOffStatus.APPROVED  # a reversal needs its reason
    assert client.post(url, {"note": "Customer paid after all"}).status_code == 302
    wo.refresh_from_db()
    assert wo.status == WriteOffStatus.REVERSED and wo.reversed_on == timezone.localdate()
    assert position_for(contract=contract).balance == D("12000.00")  # the debt is owed again
    body = client.get(reverse("receivables:statement", args=[contract.customer_id])).content.decode()
    assert "Write-off reversed" in body
