"""Daily report pre-fill from the contact log and the route (selectors.prefill)."""

import datetime as dt

import pytest

from customers.models import ContactKind
from customers.tests.factories import ContactLogFactory, CustomerFactory
from reports.selectors.prefill import daily_report_prefill
from reports.services.plans import visit_route_set_day

from ..clock import at

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- pre-fill
def test_prefill_lists_the_days_contacts_and_tomorrows_route(salesperson, other_salesperson):
    mine = CustomerFactory(owner=salesperson, short_name="台北機械")
    other = CustomerFactory(owner=other_salesperson, short_name="別人的客戶")
    ContactLogFactory(
        customer=mine,
        kind=ContactKind.VISIT,
        happened_at=at(2026, 11, 16, 10),
        purpose="報價",
        outcome="要求降價 3%",
        next_step="送樣品",
        next_step_date=dt.date(2026, 11, 17),
    )
    ContactLogFactory(customer=other, kind=ContactKind.CALL, happened_at=at(2026, 11, 16, 11))
    routed = CustomerFactory(owner=salesperson, short_name="新竹電子")
    visit_route_set_day(owner=salesperson, weekday=1, customer_ids=[routed.pk], actor=salesperson)  # Tuesday
    pre = daily_report_prefill(author=salesperson, day=dt.date(2026, 11, 16))
    assert pre.visits == 1 and pre.calls == 0
    assert "台北機械" in pre.activities and "要求降價 3%" in pre.activities and "送樣品" in pre.activities
    assert "別人的客戶" not in pre.activities
    assert "新竹電子" in pre.plan_tomorrow and "台北機械: 送樣品" in pre.plan_tomorrow
