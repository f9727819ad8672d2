"""The inbox: each kind of item for the user it waits for and nobody else, oldest first, bounded queries."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import ManagerFactory
from commission.models import ExpenseStatus
from commission.tests.factories import ExpenseClaimFactory
from customers import services as customer_services
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reminders.tests.factories import ReminderFactory
from reports.tests.factories import DailyReportFactory
from sales import services
from sales.services import LineInput
from sales.tests.factories import ContractFactory, authority, priced_product
from workspace.inbox import inbox_count, inbox_items, navbar_counts

pytestmark = pytest.mark.django_db


def _kinds(user):
    return [i.kind for i in inbox_items(user=user)]


def _quote_in_review(salesperson):
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    quote = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )
    return services.quote_submit(actor=salesperson, quote=quote)


def _contract_in_review(salesperson):
    authority(salesperson, "10")
    customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
    product = priced_product(standard="1000.00", cost="500.00")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=product, quantity=D("1"), discount_percent=D("12"))],
    )
    return services.contract_submit(actor=salesperson, contract=contract)


def test_quote_approval_waits_for_the_units_manager_only(salesperson, teammate, manager, other_unit, gm):
    _quote_in_review(salesperson)
    other_manager = ManagerFactory(unit=other_unit)
    assert _kinds(manager) == ["quote"]
    item = inbox_items(user=manager)[0]
    assert item.action_url.endswith("/approve/")
    for user in (salesperson, teammate, other_manager, gm):
        assert "quote" not in _kinds(user)


def test_contract_review_waits_for_manager_and_gm(salesperson, teammate, manager, gm):
    _contract_in_review(salesperson)
    assert "contract" in _kinds(manager)
    assert "contract" not in _kinds(salesperson) and "contract" not in _kinds(teammate)
    assert inbox_count(user=manager) == len(inbox_items(user=manager))


def test_conflicts_wait_for_the_gm_office(salesperson, other_salesperson, gm, manager):
    customer_services.customer_register(actor=salesperson, data={"name": "Inbox Clash"})
    with pytest.raises(customer_services.RegistrationRefused):
        customer_services.customer_register(actor=other_salesperson, data={"name": "Inbox Clash"})
    assert _kinds(gm) == ["conflict"]
    assert "conflict" not in _kinds(manager) and "conflict" not in _kinds(salesperson)


def test_filed_reports_wait_for_the_manager_until_reviewed(salesperson, manager, other_unit):
    report = DailyReportFactory(author=salesperson, date=timezone.localdate() - dt.timedelta(days=1))
    assert _kinds(manager) == ["daily_report"]
    assert _kinds(ManagerFactory(unit=other_unit)) == []
    from reports.services.daily_reports import daily_report_review

    daily_report_review(report=report, actor=manager)
    assert _kinds(manager) == []


def test_pending_expense_claims_wait_for_the_manager(salesperson, manager, teammate):
    claim = ExpenseClaimFactory(
        contract=ContractFactory(owner=salesperson, unit=salesperson.unit), status=ExpenseStatus.PENDING
    )
    [item] = inbox_items(user=manager)
    assert item.kind == "expense" and item.action_fields == (("decision", "approve"),)
    assert item.action_url == reverse("commission:expense_decide", args=[claim.pk])
    assert _kinds(salesperson) == [] and _kinds(teammate) == []


def test_card_filing_shows_from_three_days_before_the_deadline(manager, salesperson):
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)):
        assert _kinds(manager) == []
    with time_machine.travel(dt.datetime(2026, 3, 7, 9, tzinfo=dt.UTC)):
        assert _kinds(manager) == ["filing"]
        assert _kinds(salesperson) == []
        # Due the 10th: that day is still on time (the rule book's 次月10日前).
        with translation.override("en"):
            assert [i.detail for i in inbox_items(user=manager)] == ["Due 2026-03-10"]


def test_card_filing_lead_is_the_reminder_settings_value(manager, salesperson, django_assert_max_num_queries):
    from reminders.models import ReminderSettings

    cfg = ReminderSettings.load()
    cfg.card_filing_lead_days = 5
    cfg.save()
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)):
        assert _kinds(manager) == []  # six days before the 10th
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC)):
        assert _kinds(manager) == ["filing"]  # five days before
        with django_assert_max_num_queries(3):  # the lead is read inside the badge's one statement
            assert navbar_counts(user=manager)[0] == 1


def test_next_steps_and_reminders_due_use_the_one_definition_of_due(salesperson, teammate):
    today = timezone.localdate()
    customer = CustomerFactory(owner=salesperson)
    ContactLogFactory(customer=customer, author=salesperson, next_step="Call back", next_step_date=today)
    later = CustomerFactory(owner=salesperson)
    ContactLogFactory(
        customer=later, author=salesperson, next_step="Visit", next_step_date=today + dt.timedelta(days=1)
    )
    ReminderFactory(owner=salesperson, kind="follow_up", due_on=today - dt.timedelta(days=2))
    ReminderFactory(owner=salesperson, kind="follow_up", due_on=today + dt.timedelta(days=2))
    kinds = _kinds(salesperson)
    assert kinds == ["reminder", "next_step"]  # oldest first; tomorrow's is upcoming, not due
    assert _kinds(teammate) == []


def test_inbox_page_and_badge_with_bounded_queries(client, salesperson, manager, django_assert_max_num_queries):
    for _ in range(5):
        _quote_in_review(salesperson)
        _contract_in_review(salesperson)
        DailyReportFactory(author=salesperson, date=timezone.localdate() - dt.timedelta(days=_ + 1))
    client.force_login(manager)
    with django_assert_max_num_queries(3):  # badges, the unit ids, the filing policy in force (the filing day)
        inbox, _unread = navbar_counts(user=manager)
    assert inbox == 15
    # one query per kind of item (the list of each kind is its own statement), whatever the number of items
    with django_assert_max_num_queries(24):  # +1: contract originals to confirm (one query); -1: no badge statement
        resp = client.get(reverse("inbox"))
    assert resp.content.decode().count("data-inbox-kind=") == 15
    with django_assert_max_num_queries(6):
        badge = client.get(reverse("inbox_badge")).content.decode()
    assert 'id="inbox-count">15<' in badge
    assert 'hx-trigger="every' in badge
    home = client.get(reverse("home")).content.decode()
    assert 'hx-get="/inbox/?fragment=1"' in home  # the inbox is the home page's first section
    assert home.index('id="inbox"') < home.index('id="attention"') if 'id="attention"' in home else True


def test_inbox_queries_do_not_grow_with_items(client, salesperson, manager, django_assert_max_num_queries):
    client.force_login(manager)
    _quote_in_review(salesperson)
    # +3: marketing plans, market and daily reports' urgent problems; +1: contract originals to confirm
    with django_assert_max_num_queries(23) as few:  # -1: no badge statement on the page
        client.get(reverse("inbox"))
    for _ in range(6):
        _quote_in_review(salesperson)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("inbox"))


def test_bell_endpoint_returns_the_badge(client, salesperson, manager):
    _quote_in_review(salesperson)
    client.force_login(manager)
    body = client.get(reverse("reminders:bell")).content.decode()
    assert 'id="unread-count">1<' in body and "hx-trigger" in body


def test_badge_statement_is_built_once_per_user_and_day_and_counts_stay_exact(
    salesperson, manager, django_assert_max_num_queries, monkeypatch
):
    from workspace import inbox

    built = []
    quotes = inbox._quotes
    monkeypatch.setattr(inbox, "_quotes", lambda user: built.append(user.pk) or quotes(user))
    monkeypatch.setattr(inbox, "_STATEMENTS", type(inbox._STATEMENTS)())
    before = navbar_counts(user=manager)[0]
    _quote_in_review(salesperson)  # a handoff after the statement was built: the next count sees it
    with django_assert_max_num_queries(2):  # the statement and the filing policy, nothing else
        assert navbar_counts(user=manager)[0] == before + 1
    assert built == [manager.pk]  # built once, run twice
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):  # another day: another statement
        assert navbar_counts(user=manager)[0] == len(inbox_items(user=manager))
    assert built.count(manager.pk) >= 2
    navbar_counts(user=salesperson)  # another user: another statement
    assert salesperson.pk in built
    assert inbox_count(user=manager) == len(inbox_items(user=manager))


def test_badge_counts_each_kind_up_to_what_the_inbox_lists(salesperson, manager, monkeypatch):
    from workspace import inbox

    monkeypatch.setattr(inbox, "_STATEMENTS", type(inbox._STATEMENTS)())
    before = navbar_counts(user=manager)[0]
    monkeypatch.setattr(inbox, "LIMIT", 2)
    monkeypatch.setattr(inbox, "_STATEMENTS", type(inbox._STATEMENTS)())
    for _ in range(3):
        _quote_in_review(salesperson)
    assert navbar_counts(user=manager)[0] == min(before, 2) + 2  # no further than the inbox lists of a kind
    assert navbar_counts(user=manager)[0] == len(inbox_items(user=manager))


def test_a_submitted_marketing_plan_and_an_open_urgent_problem_wait_in_the_managers_inbox_until_handled(
    client, salesperson, manager, other_salesperson, gm, django_assert_max_num_queries
):
    from field import services as field_services
    from sales.tests.factories import ProductFactory

    plan = field_services.plan_save(
        actor=salesperson,
        year=timezone.localdate().year,
        activities="每月拜訪",
        budget="1000",
        goals=[field_services.GoalInput("product", "濾水器", D("100000"))],
    )
    field_services.plan_act(plan=plan, actor=salesperson, action="submit")
    report = field_services.market_report_create(
        actor=salesperson,
        data={"kind": "patrol", "date": timezone.localdate(), "place": "台中", "urgent_problem": "低價竄貨"},
        prices=[field_services.PriceInput(ProductFactory().pk, "大華", "", "retail", D("10"))],
    )
    assert sorted(_kinds(manager)) == ["escalation", "marketing_plan"]
    assert _kinds(salesperson) == [] and _kinds(ManagerFactory(unit=other_salesperson.unit)) == []
    assert _kinds(gm) == []  # the unit has a manager: theirs to handle
    with django_assert_max_num_queries(3):
        assert navbar_counts(user=manager)[0] == 2
    client.force_login(manager)
    with django_assert_max_num_queries(23):  # the plans, the urgent problems, the originals: one query each kind
        page = client.get(reverse("inbox")).content.decode()
    assert 'data-inbox-kind="marketing_plan"' in page and 'data-inbox-kind="escalation"' in page
    assert client.post(reverse("field:plan_action", args=[plan.pk, "approve"])).status_code == 302
    assert _kinds(manager) == ["escalation"]  # still open until answered
    field_services.escalation_answer(report=report, actor=manager, answer="明天去")
    assert _kinds(manager) == [] and inbox_count(user=manager) == 0


def test_the_gm_office_is_waited_for_by_a_managers_plan_and_urgent_problem(manager, gm):
    from field import services as field_services

    plan = field_services.plan_save(
        actor=manager,
        year=timezone.localdate().year,
        activities="x",
        budget="0",
        goals=[field_services.GoalInput("region", "台中", D("1"))],
    )
    field_services.plan_act(plan=plan, actor=manager, action="submit")
    field_services.market_report_create(
        actor=manager, data={"kind": "registry", "date": timezone.localdate(), "place": "x", "urgent_problem": "!"},
        prices=[],
    )  # fmt: skip
    assert sorted(_kinds(gm)) == ["escalation", "marketing_plan"]
    assert _kinds(manager) == []


def test_inbox_page_reads_fresh_rows_through_its_compiled_statements_and_no_badge_statement(
    client, salesperson, manager, django_assert_max_num_queries
):
    """The lists' statements are compiled once per user and day, the rows read at each call: an item handled after
    the statement was compiled is gone from the next page, a new one is there. The page's bell count is read with the
    lists (no badge statement) and is the badge's."""
    first = _quote_in_review(salesperson)
    client.force_login(manager)
    assert 'data-inbox-kind="quote"' in client.get(reverse("inbox")).content.decode()
    services.quote_approve(actor=manager, quote=first)
    second = _quote_in_review(salesperson)
    with django_assert_max_num_queries(25) as page:
        body = client.get(reverse("inbox")).content.decode()
    assert not any("cardinality(ARRAY" in q["sql"] for q in page.captured_queries)  # no badge statement
    assert body.count('data-inbox-kind="quote"') == 1
    assert reverse("sales:quote_detail", args=[second.pk]) in body
    assert reverse("sales:quote_detail", args=[first.pk]) not in body
    unread = navbar_counts(user=manager)[1]
    assert unread >= 1
    assert f'id="unread-count">{unread}<' in body
    assert inbox_count(user=manager) == len(inbox_items(user=manager)) == 1
