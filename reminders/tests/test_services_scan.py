"""Each kind's due date, with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reminders.models import Audience, FollowUpRule, Reminder, ReminderKind, ReminderSettings
from reminders.services import reminders_scan
from reports.models import DailyReport
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

from .factories import PaymentFactory, PreferenceFactory, ShipmentFactory, purchase

pytestmark = pytest.mark.django_db

TPE = zoneinfo.ZoneInfo("Asia/Taipei")


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TPE)


def scan(moment, kind):
    with time_machine.travel(moment, tick=False):
        reminders_scan(kinds=[kind])
    return list(Reminder.objects.filter(kind=kind).order_by("id"))


def test_follow_up_n_days_after_delivery_per_category():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    FollowUpRule.objects.create(category="耗材", days_after_delivery=30)
    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=contract, product=ProductFactory(category="耗材"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 3, 2))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 3, 9))  # second delivery: same follow-up

    assert scan(at(2026, 3, 31), ReminderKind.FOLLOW_UP) == []  # 29 days after
    [r] = scan(at(2026, 4, 1), ReminderKind.FOLLOW_UP)
    assert r.owner == contract.owner
    assert r.due_on == dt.date(2026, 4, 1)
    assert r.params["category"] == "耗材"
    assert scan(at(2026, 4, 2), ReminderKind.FOLLOW_UP) == [r]  # scanning again creates nothing new


def test_follow_up_catch_all_rule_skips_categories_with_their_own_rule():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    FollowUpRule.objects.create(category="耗材", days_after_delivery=30)
    other = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=other, product=ProductFactory(category="機電"))
    ShipmentFactory(contract=other, shipped_on=dt.date(2026, 3, 2))
    consumable = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 3, 1))
    ContractLineFactory(contract=consumable, product=ProductFactory(category="耗材"))
    ShipmentFactory(contract=consumable, shipped_on=dt.date(2026, 3, 2))
    rows = scan(at(2026, 3, 9), ReminderKind.FOLLOW_UP)
    assert [r.subject_id for r in rows] == [other.pk]


def test_follow_up_older_than_the_catch_up_window_is_not_created():
    FollowUpRule.objects.update_or_create(category="", defaults={"days_after_delivery": 7})
    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 1, 1))
    ContractLineFactory(contract=contract)
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 1, 2))
    assert scan(at(2026, 3, 1), ReminderKind.FOLLOW_UP) == []


def test_next_step_reminds_the_owner_lead_days_before():
    log = ContactLogFactory(next_step="send the quotation", next_step_date=dt.date(2026, 5, 10))
    assert scan(at(2026, 5, 8), ReminderKind.NEXT_STEP) == []
    [r] = scan(at(2026, 5, 9), ReminderKind.NEXT_STEP)
    assert r.owner == log.customer.owner
    assert r.due_on == dt.date(2026, 5, 10)
    assert r.customer == log.customer
    # the next step is moved: a new reminder for the new date
    log.next_step_date = dt.date(2026, 5, 20)
    log.save()
    assert len(scan(at(2026, 5, 19), ReminderKind.NEXT_STEP)) == 2


def test_next_step_without_text_is_ignored():
    ContactLogFactory(next_step="", next_step_date=dt.date(2026, 5, 10))
    assert scan(at(2026, 5, 10), ReminderKind.NEXT_STEP) == []


def test_reorder_reminds_salesperson_and_opted_in_customer():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):  # every 41 days
        purchase(customer, product, d)
    PreferenceFactory(customer=customer)
    # expected 2026-12-12, reminder 7 days before
    assert scan(at(2026, 12, 4), ReminderKind.REORDER) == []
    rows = scan(at(2026, 12, 5), ReminderKind.REORDER)
    assert {r.audience for r in rows} == {Audience.STAFF, Audience.CUSTOMER}
    staff = next(r for r in rows if r.audience == Audience.STAFF)
    assert staff.owner == customer.owner
    assert staff.due_on == dt.date(2026, 12, 12)
    assert staff.params["interval_days"] == 41
    customer_msg = next(r for r in rows if r.audience == Audience.CUSTOMER)
    assert customer_msg.send_after == at(2026, 12, 5)


def test_reorder_scanned_at_night_waits_for_the_end_of_quiet_hours():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):
        purchase(customer, product, d)
    PreferenceFactory(customer=customer)
    rows = scan(at(2026, 12, 5, 22, 30), ReminderKind.REORDER)
    customer_msg = next(r for r in rows if r.audience == Audience.CUSTOMER)
    assert customer_msg.send_after == at(2026, 12, 6, 8, 0)


def test_reorder_not_for_customer_without_opt_in_or_lapsed():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):
        purchase(customer, product, d)
    PreferenceFactory(customer=customer, opted_in=False)
    rows = scan(at(2026, 12, 5), ReminderKind.REORDER)
    assert [r.audience for r in rows] == [Audience.STAFF]
    lapsed = CustomerFactory(status="active")
    for d in (dt.date(2025, 8, 11), dt.date(2025, 9, 21)):
        purchase(lapsed, product, d)
    assert not Reminder.objects.filter(customer=lapsed).exists()


def test_daily_report_missing_at_end_of_working_day():
    late = SalespersonFactory()
    diligent = SalespersonFactory()
    draft_only = SalespersonFactory()
    day = dt.date(2026, 4, 15)  # a Wednesday
    DailyReport.objects.create(author=diligent, unit=diligent.unit, date=day, submitted_at=at(2026, 4, 15, 17))
    DailyReport.objects.create(author=draft_only, unit=draft_only.unit, date=day)
    assert scan(at(2026, 4, 15, 17, 59), ReminderKind.DAILY_REPORT) == []
    rows = scan(at(2026, 4, 15, 18, 0), ReminderKind.DAILY_REPORT)
    assert {r.owner for r in rows} == {late, draft_only}
    assert scan(at(2026, 4, 18, 18, 30), ReminderKind.DAILY_REPORT) == rows  # Saturday: nothing new


def test_daily_report_follows_the_reports_calendar_holidays_and_make_up_days():
    from reports.models import CalendarDay

    person = SalespersonFactory()
    CalendarDay.objects.create(date=dt.date(2026, 4, 15), is_working=False, name="holiday")  # a Wednesday
    CalendarDay.objects.create(date=dt.date(2026, 4, 18), is_working=True, name="make-up day")  # a Saturday
    assert scan(at(2026, 4, 15, 18, 30), ReminderKind.DAILY_REPORT) == []
    [r] = scan(at(2026, 4, 18, 18, 30), ReminderKind.DAILY_REPORT)
    assert r.owner == person and r.due_on == dt.date(2026, 4, 18)
    assert r.params["deadline"].startswith("2026-04-19T10:00")  # reports.calendar.report_deadline


def test_daily_report_reminder_comes_before_the_reports_deadline_never_after():
    from reports.models import ReportPolicy

    person = SalespersonFactory()
    # same-day cut-off at 17:00: reminded an hour before, i.e. 16:00, not at 18:00
    ReportPolicy.objects.create(
        effective_from=dt.date(2026, 1, 1), cutoff_days=0, cutoff_time=dt.time(17, 0), working_weekdays="01234"
    )
    assert scan(at(2026, 4, 15, 15, 59), ReminderKind.DAILY_REPORT) == []
    [r] = scan(at(2026, 4, 15, 16, 0), ReminderKind.DAILY_REPORT)
    assert r.owner == person
    # a scan that first runs after the deadline (outage) does not remind: the report is locked
    assert scan(at(2026, 4, 16, 17, 0), ReminderKind.DAILY_REPORT) == [r]


def test_daily_report_of_friday_is_still_reminded_saturday_morning_before_the_cut_off():
    person = SalespersonFactory()
    [r] = scan(at(2026, 4, 18, 9, 0), ReminderKind.DAILY_REPORT)  # default cut-off: next day 10:00
    assert r.owner == person and r.due_on == dt.date(2026, 4, 17)
    assert scan(at(2026, 4, 18, 10, 0), ReminderKind.DAILY_REPORT) == [r]


def test_daily_report_reminder_not_sent_after_the_deadline():
    from reminders.services import reminders_send_due

    SalespersonFactory()
    scan(at(2026, 4, 15, 18, 0), ReminderKind.DAILY_REPORT)
    with time_machine.travel(at(2026, 4, 16, 10, 1), tick=False):
        assert reminders_send_due() == {"cancelled": 1}


def test_contract_not_filed_within_three_days():
    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 6, 1))
    assert scan(at(2026, 6, 4), ReminderKind.CONTRACT_FILING) == []
    [r] = scan(at(2026, 6, 5), ReminderKind.CONTRACT_FILING)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 6, 4)


def test_contract_filing_follows_the_sales_deadline_not_a_fixed_three_days():
    # The sales app owns the deadline (filing_due_on, from the sales policy when signed): a 5-day deadline
    # is not overdue on day 4, and a reminders setting of 3 days changes nothing.
    cfg = ReminderSettings.load()
    cfg.contract_filing_days = 3
    cfg.save()
    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 6)
    )
    assert scan(at(2026, 6, 5), ReminderKind.CONTRACT_FILING) == []
    assert scan(at(2026, 6, 6), ReminderKind.CONTRACT_FILING) == []  # due today: not yet overdue
    [r] = scan(at(2026, 6, 7), ReminderKind.CONTRACT_FILING)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 6, 6)
    assert r.params["filing_due_on"] == "2026-06-06"
    assert r.params["days"] == 5


def test_contract_signed_through_the_sales_service_gets_the_reminder(salesperson):
    from sales.selectors import contracts_filing_overdue
    from sales.services import contract_sign

    contract = ContractFactory(customer=CustomerFactory(owner=salesperson), status=ContractStatus.APPROVED)
    with time_machine.travel(at(2026, 6, 1), tick=False):
        contract_sign(actor=salesperson, contract=contract)
    contract.refresh_from_db()
    due = contract.filing_due_on
    assert due is not None and due > dt.date(2026, 6, 1)
    assert scan(at(due.year, due.month, due.day), ReminderKind.CONTRACT_FILING) == []
    later = due + dt.timedelta(days=1)
    [r] = scan(at(later.year, later.month, later.day), ReminderKind.CONTRACT_FILING)
    assert list(contracts_filing_overdue(today=later)) == [contract]
    assert r.due_on == due and r.owner == salesperson


def test_receivable_turning_overdue():
    cfg = ReminderSettings.load()
    cfg.receivable_terms_days = 30
    cfg.save()
    owing = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=owing, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=owing, amount=Decimal("500.00"))
    paid = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=paid, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=paid, amount=Decimal("900.00"))
    assert scan(at(2026, 6, 9), ReminderKind.RECEIVABLE_OVERDUE) == []  # due on 6-9, not yet overdue
    [r] = scan(at(2026, 6, 10), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.subject_id == owing.pk
    assert r.params["outstanding"] == "400.00"
    assert r.due_on == dt.date(2026, 6, 9)


def test_receivable_overdue_follows_the_sales_aging_per_shipment():
    # sales.selectors: each shipment's value less its retention share is due from its shipment date, payments
    # clear the oldest shipment first, and it is overdue once out of the 0-30 day bucket.
    contract = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10), amount=Decimal("500.00"))  # 450 due
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 20), amount=Decimal("500.00"))  # 450 due
    PaymentFactory(contract=contract, amount=Decimal("450.00"))  # clears the first shipment only
    assert scan(at(2026, 6, 10), ReminderKind.RECEIVABLE_OVERDUE) == []  # the paid shipment is not overdue
    assert scan(at(2026, 6, 19), ReminderKind.RECEIVABLE_OVERDUE) == []  # second shipment: day 30, 0-30 bucket
    [r] = scan(at(2026, 6, 20), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 6, 19)
    assert r.params["outstanding"] == "450.00"
    assert scan(at(2026, 6, 21), ReminderKind.RECEIVABLE_OVERDUE) == [r]  # once


def test_receivable_overdue_ignores_the_reminders_terms_setting_and_reminds_overdue_retention():
    cfg = ReminderSettings.load()
    cfg.receivable_terms_days = 5  # no longer read: the sales app's aging decides
    cfg.save()
    contract = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
        retention_due_on=dt.date(2026, 6, 30),
    )
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=contract, amount=Decimal("900.00"))  # everything but the retention
    assert scan(at(2026, 5, 20), ReminderKind.RECEIVABLE_OVERDUE) == []
    assert scan(at(2026, 6, 30), ReminderKind.RECEIVABLE_OVERDUE) == []  # retention due today
    [r] = scan(at(2026, 7, 1), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.due_on == dt.date(2026, 6, 30)
    assert r.params["outstanding"] == "100.00" and r.params["retention"] is True


def test_receivable_reminder_closes_when_the_overdue_part_is_paid_even_if_newer_value_is_open():
    from reminders.models import ReminderState
    from reminders.services import reminders_send_due

    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 5, 1), amount=Decimal("1000.00"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10), amount=Decimal("400.00"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 6, 5), amount=Decimal("600.00"))
    [r] = scan(at(2026, 6, 10), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.params["outstanding"] == "400.00"
    PaymentFactory(contract=contract, amount=Decimal("400.00"))  # the 600 shipped on 6-5 is not yet overdue
    with time_machine.travel(at(2026, 6, 11), tick=False):
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.RECEIVABLE_OVERDUE])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE


def test_monthly_card_filing_before_the_tenth():
    manager = ManagerFactory()
    assert scan(at(2026, 7, 6), ReminderKind.CARD_FILING) == []
    [r] = scan(at(2026, 7, 7), ReminderKind.CARD_FILING)
    assert r.owner == manager
    assert r.due_on == dt.date(2026, 7, 10)
    assert scan(at(2026, 7, 9), ReminderKind.CARD_FILING) == [r]
    assert len(scan(at(2026, 8, 8), ReminderKind.CARD_FILING)) == 2
    assert len(scan(at(2026, 8, 11), ReminderKind.CARD_FILING)) == 2


def test_card_filing_reminds_only_units_that_have_not_filed():
    from customers.services import monthly_filing_file

    diligent_mgr = ManagerFactory()
    late_mgr = ManagerFactory()
    with time_machine.travel(at(2026, 7, 3), tick=False):
        monthly_filing_file(unit=diligent_mgr.unit, month=dt.date(2026, 6, 1), actor=diligent_mgr)
    [r] = scan(at(2026, 7, 7), ReminderKind.CARD_FILING)
    assert r.owner == late_mgr
    assert r.params["month"] == "2026-06"
    assert r.due_on == dt.date(2026, 7, 10)  # customers.selectors.filing_due_date: the first day it is late


def test_card_filing_reminder_closes_when_the_unit_files_and_is_not_sent():
    from customers.services import monthly_filing_file
    from reminders.models import ReminderState
    from reminders.services import reminders_send_due

    manager = ManagerFactory()
    [r] = scan(at(2026, 7, 8), ReminderKind.CARD_FILING)
    with time_machine.travel(at(2026, 7, 8, 11), tick=False):
        monthly_filing_file(unit=manager.unit, month=dt.date(2026, 6, 1), actor=manager)
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.CARD_FILING])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE


def test_card_filing_overdue_unit_missed_before_the_deadline_is_reminded_once():
    manager = ManagerFactory()
    assert scan(at(2026, 7, 6), ReminderKind.CARD_FILING) == []  # before the lead window
    # first scan after the deadline (e.g. an outage): the unit is overdue (customers.selectors.overdue_filings)
    [r] = scan(at(2026, 7, 12), ReminderKind.CARD_FILING)
    assert r.owner == manager and r.due_on == dt.date(2026, 7, 10)
    assert scan(at(2026, 7, 13), ReminderKind.CARD_FILING) == [r]


def _idle_customer(owner, *, since):
    from customers.models import Customer

    customer = CustomerFactory(owner=owner, status="active")
    Customer.objects.filter(pk=customer.pk).update(owned_since=since)
    return customer


def test_pool_release_warning_notifies_the_owner_once_with_the_release_date(salesperson):
    from customers.services import pool_sweep
    from reminders.models import Notification
    from reminders.services import reminders_send_due

    customer = _idle_customer(salesperson, since=at(2026, 1, 1))
    # customers app: warned after idle - warning days (90 - 7), released warning_days (7) later
    with time_machine.travel(at(2026, 3, 26, 2, 30), tick=False):
        assert pool_sweep().warned == 1
    [r] = scan(at(2026, 3, 26, 3, 0), ReminderKind.POOL_RELEASE)
    assert r.owner == salesperson and r.customer == customer
    assert r.params["release_on"] == "2026-04-02"
    assert r.due_on == dt.date(2026, 4, 2)
    with time_machine.travel(at(2026, 3, 26, 9, 0), tick=False):
        assert reminders_send_due() == {"sent": 1}
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
        assert reminders_send_due() == {}
        pool_sweep()  # the nightly sweep again: still warned, no second warning
    assert scan(at(2026, 3, 30), ReminderKind.POOL_RELEASE) == [r]
    [note] = Notification.objects.filter(user=salesperson)
    assert "2026-04-02" in note.title


def test_pool_release_reminder_closes_when_the_owner_logs_a_contact(salesperson):
    from customers.services import pool_sweep
    from reminders.models import ReminderState
    from reminders.services import reminders_send_due

    customer = _idle_customer(salesperson, since=at(2026, 1, 1))
    with time_machine.travel(at(2026, 3, 26, 2, 30), tick=False):
        pool_sweep()
    [r] = scan(at(2026, 3, 26, 3, 0), ReminderKind.POOL_RELEASE)
    ContactLogFactory(customer=customer, author=salesperson, happened_at=at(2026, 3, 26, 8))
    with time_machine.travel(at(2026, 3, 27, 2, 30), tick=False):
        pool_sweep()  # clears the warning
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE
    assert Reminder.objects.filter(kind=ReminderKind.POOL_RELEASE).count() == 1


def test_pool_release_warnings_of_other_owners_and_old_warnings_are_not_reminded(salesperson, other_salesperson):
    from customers.models import OwnershipEvent, OwnershipEventKind

    mine = _idle_customer(salesperson, since=at(2026, 1, 1))
    OwnershipEvent.objects.create(
        customer=mine,
        kind=OwnershipEventKind.WARN,
        from_owner=other_salesperson,
        to_owner=other_salesperson,  # warned while someone else owned it
        created_at=at(2026, 3, 26, 2, 30),
    )
    assert scan(at(2026, 3, 26, 3), ReminderKind.POOL_RELEASE) == []  # no current warning on the card either


def test_two_scans_at_once_create_each_reminder_once():
    for _ in range(5):
        ContractFactory(status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4))
    with time_machine.travel(at(2026, 6, 10), tick=False):
        reminders_scan()
        reminders_scan()
    assert Reminder.objects.filter(kind=ReminderKind.CONTRACT_FILING).count() == 5


def test_open_reminders_close_themselves_when_the_cause_goes_away():
    from reminders.models import ReminderState

    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    still = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    owing = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 5, 1), amount=Decimal("1000.00"))
    ShipmentFactory(contract=owing, shipped_on=dt.date(2026, 5, 10))
    late = SalespersonFactory()
    with time_machine.travel(at(2026, 6, 10, 18, 30), tick=False):
        reminders_scan()
    assert Reminder.objects.filter(state=ReminderState.OPEN, kind=ReminderKind.CONTRACT_FILING).count() == 2
    contract.status = ContractStatus.FILED
    contract.save()
    DailyReport.objects.create(author=late, unit=late.unit, date=dt.date(2026, 6, 10), submitted_at=at(2026, 6, 10, 19))
    PaymentFactory(contract=owing, amount=Decimal("1000.00"))
    with time_machine.travel(at(2026, 6, 10, 19, 30), tick=False):
        result = reminders_scan()
    assert result["resolved"] == 3
    open_filing = Reminder.objects.filter(state=ReminderState.OPEN, kind=ReminderKind.CONTRACT_FILING)
    assert [r.subject_id for r in open_filing] == [still.pk]
    assert Reminder.objects.get(kind=ReminderKind.DAILY_REPORT, owner=late).state == ReminderState.DONE
    assert Reminder.objects.get(kind=ReminderKind.RECEIVABLE_OVERDUE).state == ReminderState.DONE
