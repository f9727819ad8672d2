"""A bad-debt write-off in commission: its joint liability (連帶賠償) is a deduction line on the salesperson's
statement (via core.events), given back if the write-off is reversed; the part written off stops accruing
overdue interest from the day of approval, but is not cash, so it never settles commission."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from commission import rules as p
from commission.models import CommissionCorrection, CorrectionKind
from commission.selectors import load_facts, statement_for
from commission.services import correction_add, month_close
from commission.services.liability import on_write_off
from core.exceptions import ApplicationError, PermissionDenied
from core.models import Activity
from receivables import services as receivables
from reminders.models import Notification
from sales.models import Contract

from .factories import PaymentFactory, sold_contract

pytestmark = pytest.mark.django_db
FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in (2, 3, 4, 5))


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 2, tzinfo=dt.UTC), tick=False)  # 10:00 in Taipei


def lines(statement, component):
    return [ln for b in statement["contracts"] for ln in b["lines"] if ln["component"] == component]


def notes_for(user, document):
    return Notification.objects.filter(user=user, activity__document=document)


def approved_write_off(salesperson, manager, finance, *, amount="5000", liability="500"):
    """12,000 shipped on 10 January, nothing paid; written off on 16 March (approved by finance)."""
    contract = sold_contract(owner=salesperson, shipped_on=dt.date(2026, 1, 10))
    with at(2026, 3, 16):
        wo = receivables.write_off_propose(
            actor=manager, contract=contract, amount=amount, reason="客戶倒閉", liability_amount=liability
        )
        wo = receivables.write_off_decide(actor=finance, write_off=wo, action="approve")
    return contract, wo


def test_the_liability_is_one_deduction_line_of_the_month_of_approval(salesperson, manager, finance):
    salesperson.language = "zh-hant"
    salesperson.save(update_fields=["language"])
    contract, wo = approved_write_off(salesperson, manager, finance)
    (line,) = CommissionCorrection.objects.all()
    assert (line.salesperson_id, line.month, line.amount, line.kind) == (salesperson.pk, MAR, D("-500.00"), "liability")
    assert line.write_off_id == wo.pk and line.contract_id == contract.pk and line.unit_id == salesperson.unit_id
    with at(2026, 3, 20):
        mar = statement_for(viewer=salesperson, month=MAR, salesperson_id=salesperson.pk)
    (shown,) = lines(mar, "liability")
    assert (shown["rule"], shown["amount"]) == ("liability", "-500.00")
    assert shown["params"]["written_off"] == "5000.00" and shown["params"]["approved_on"] == "2026-03-16"
    assert shown["params"]["liability"] == "500.00" and shown["params"]["contract"] == contract.number
    text = shown["text"]["en"]
    assert "joint liability" in text and "5,000.00" in text and "500.00" in text and "客戶倒閉" in text
    assert "連帶" in shown["label"]["zh-hant"] and "連帶" in shown["text"]["zh-hant"]
    assert mar["totals"]["adjustments"] == "-500.00"
    # The rule book charges the salesperson, not their manager.
    assert not CommissionCorrection.objects.filter(salesperson=manager).exists()
    # Told once, in their language, by the commission posting (the approval itself is not sent to them too).
    (note,) = Notification.objects.filter(user=salesperson, activity__action__in=["approved", "charged"])
    assert note.activity.document == "commission.liability"
    assert "連帶" in note.title and "2026-03" in note.body and note.url.endswith(f"/{salesperson.pk}/2026-03/")
    approved = Activity.objects.get(document="receivables.write_off", action="approved")
    assert salesperson.pk not in approved.recipient_ids and manager.pk in approved.recipient_ids
    # The same event seen again posts nothing and tells nobody again.
    on_write_off(approved)
    assert CommissionCorrection.objects.count() == 1 and notes_for(salesperson, "commission.liability").count() == 1


def test_a_reversal_gives_the_liability_back_in_its_own_month(salesperson, manager, finance, gm):
    _contract, wo = approved_write_off(salesperson, manager, finance)
    with at(2026, 4, 2):
        month_close(month=MAR, actor=finance)  # the deduction is now final in March
    with at(2026, 4, 10):
        with pytest.raises(PermissionDenied):
            receivables.write_off_decide(actor=salesperson, write_off=wo, action="reverse", note="paid")
        with pytest.raises(ApplicationError) as err:
            receivables.write_off_decide(actor=gm, write_off=wo, action="reverse")
        assert err.value.field == "note"
        wo = receivables.write_off_decide(actor=gm, write_off=wo, action="reverse", note="客戶恢復付款")
        assert (wo.status, wo.reversed_on, wo.reversed_by) == ("reversed", dt.date(2026, 4, 10), gm)
        with pytest.raises(ApplicationError):  # once
            receivables.write_off_decide(actor=finance, write_off=wo, action="reverse", note="again")
        on_write_off(Activity.objects.get(document="receivables.write_off", action="reversed"))
        apr = statement_for(viewer=salesperson, month=APR, salesperson_id=salesperson.pk)
    assert [(c.month, c.amount, c.kind) for c in CommissionCorrection.objects.order_by("id")] == [
        (MAR, D("-500.00"), CorrectionKind.LIABILITY),
        (APR, D("500.00"), CorrectionKind.LIABILITY_REVERSAL),
    ]
    (back,) = lines(apr, "liability")
    assert back["rule"] == "liability_reversal" and back["amount"] == "500.00"
    assert "reversed" in back["text"]["en"] and "客戶恢復付款" in back["text"]["en"]
    assert not [ln for ln in lines(apr, "liability") if ln["rule"] == "adjustment"]  # March stays as it was
    credited = notes_for(salesperson, "commission.liability").filter(activity__action="credited")
    assert credited.count() == 1 and "given back" in credited.get().body
    assert not Notification.objects.filter(user=salesperson, activity__action="reversed").exists()


def test_no_liability_no_line_and_the_salesperson_hears_of_the_approval(salesperson, manager, finance):
    approved_write_off(salesperson, manager, finance, liability="0")
    assert not CommissionCorrection.objects.exists()
    assert notes_for(salesperson, "receivables.write_off").filter(activity__action="approved").count() == 1
    assert not notes_for(salesperson, "commission.liability").exists()


def test_liability_lines_are_not_entered_by_hand(salesperson, finance):
    with pytest.raises(ApplicationError) as err:
        correction_add(salesperson=salesperson, month=MAY, amount=D("-1"), reason="x", kind="liability", actor=finance)
    assert err.value.field == "kind"


def test_the_part_written_off_stops_accruing_interest_but_settles_no_commission(salesperson, manager, finance):
    contract, _wo = approved_write_off(salesperson, manager, finance)
    (facts,) = load_facts(Contract.objects.filter(pk=contract.pk))
    assert [(w.paid_on, w.amount) for w in facts.write_offs] == [(dt.date(2026, 3, 16), D("5000.00"))]
    # Due 10 March: 11–15 March on 12,000, 16–31 March on 7,000 (the write-off settles the only shipment).
    march = p.interest_for_month(facts, p.DEFAULT_RULES, MAR)
    assert march.amount == -(D("12000") * D("0.01") * 5 / 31 + D("7000") * D("0.01") * 16 / 31).quantize(D("0.01"))
    assert march.params["write_offs"] == [{"on": "2026-03-16", "amount": "5000.00", "reinstated": False}]
    assert "5,000.00 written off on 2026-03-16" in march_text(march)
    assert p.interest_for_month(facts, p.DEFAULT_RULES, APR).amount == D("-70.00")
    # The rest paid: everything except the part written off is collected, yet no commission is settled by it.
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 4, 20), amount=D("7000.00"))
    (facts,) = load_facts(Contract.objects.filter(pk=contract.pk))
    assert p.settlement(facts).main is None
    assert p.interest_for_month(facts, p.DEFAULT_RULES, MAY) is None  # nothing open, nothing accrues


def march_text(entry):
    from commission.explain import describe

    return describe(rule=entry.rule, params=entry.params, confidential={})["text"]["en"]


def test_closing_note_command_compares_the_old_rule_with_the_rule_book(salesperson, manager, finance):
    from io import StringIO

    from django.core.management import call_command

    from .factories import ShipmentFactory

    # Two shipments two months apart, nothing paid: in April the old rule charged the whole 12,000 from the first
    # shipment (120.00); the rule book only the first shipment's 6,000 (60.00: the second is due on 10 May).
    contract = sold_contract(owner=salesperson, shipped_on=None)
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 1, 10), amount=D("6000.00"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 3, 10), amount=D("6000.00"))
    out = StringIO()
    call_command("interest_before_after", month="2026-04", stdout=out)
    (row,) = [ln for ln in out.getvalue().splitlines() if ln.startswith(salesperson.username)]
    assert row.split()[1:4] == ["120.00", "60.00", "-60.00"]
    # A write-off of 6,000 approved on 16 March settles the first shipment: nothing accrues in April any more.
    with at(2026, 3, 16):
        wo = receivables.write_off_propose(
            actor=manager, contract=contract, amount="6000", reason="bankrupt", liability_amount="0"
        )
        receivables.write_off_decide(actor=finance, write_off=wo, action="approve")
    out = StringIO()
    call_command("interest_before_after", month="2026-04", stdout=out)
    (row,) = [ln for ln in out.getvalue().splitlines() if ln.startswith(salesperson.username)]
    assert row.split()[1:] == ["120.00", "0.00", "-120.00", "0", "1"]


def test_write_offs_approved_before_the_posting_get_their_line_once_from_the_migration(salesperson, manager, finance):
    import importlib

    from django.apps import apps

    from receivables.models import WriteOff

    backfill = importlib.import_module("commission.migrations.0006_write_off_liability").post_existing_liabilities
    contract = sold_contract(owner=salesperson)
    old = WriteOff.objects.create(  # written straight to the table, as before this change: no event
        contract=contract,
        amount=D("3000"),
        reason="old",
        liable=salesperson,
        liability_amount=D("300"),
        proposed_by=manager,
        status="reversed",
        decided_by=finance,
        decided_on=dt.date(2026, 2, 10),
        reversed_by=finance,
        reversed_on=dt.date(2026, 3, 2),
        reversal_note="paid",
    )
    backfill(apps, None)
    backfill(apps, None)
    assert [(c.kind, c.month, c.amount) for c in CommissionCorrection.objects.filter(write_off=old)] == [
        ("liability", FEB, D("-300.00")),
        ("liability_reversal", MAR, D("300.00")),
    ]


def test_the_statement_page_and_export_show_the_liability_to_those_who_see_the_statement(
    client, salesperson, other_salesperson, manager, finance
):
    approved_write_off(salesperson, manager, finance)
    url = f"/commission/statements/{salesperson.pk}/2026-03/"
    with at(2026, 3, 20):
        for who in (salesperson, manager, finance):
            client.force_login(who)
            body = client.get(url).content.decode()
            assert "Joint liability (bad debt)" in body and "客戶倒閉" in body and "-500.00" in body
        client.force_login(other_salesperson)
        assert client.get(url).status_code == 404
        client.force_login(finance)
        r = client.get("/commission/export/2026-03.xlsx")
    assert r.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c.value for ws in load_workbook(BytesIO(r.content)).worksheets for row in ws.iter_rows() for c in row]
    assert "Joint liability (bad debt)" in cells
