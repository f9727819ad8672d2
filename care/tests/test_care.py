"""After-sale care: check-up cadence per tier and category, low scores opening cases, cases with one owner,
hand-over to a named colleague, escalation by time, the lifecycle that updates itself, referrals, suggestions."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from care import rules, services
from care.models import Case, CaseStatus, Checkup, CheckupCadence, CustomerLifecycle, LifecycleTransition
from care.selectors import related_products
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from reminders.models import Notification
from sales.models import ContractStatus, Shipment, ShipmentLine
from sales.tests.factories import ContractFactory, ContractLineFactory, ProductFactory

pytestmark = pytest.mark.django_db
TPE = zoneinfo.ZoneInfo("Asia/Taipei")


def deliver(customer, *, on: dt.date, category="濾水器", product=None):
    contract = ContractFactory(customer=customer, status=ContractStatus.FILED, signed_on=on)
    line = ContractLineFactory(contract=contract, product=product or ProductFactory(category=category))
    shipment = Shipment.objects.create(contract=contract, shipped_on=on, amount=line.quantity * line.unit_price)
    ShipmentLine.objects.create(shipment=shipment, contract_line=line, quantity=line.quantity)
    return shipment


# --- rules ------------------------------------------------------------------------------------------------------


def test_cadence_by_tier_with_category_override():
    defaults = dict(member_days=[7, 30, 90], ordinary_days=[14])
    assert rules.checkup_offsets(tier="member", categories={"x"}, cadences={}, **defaults) == [7, 30, 90]
    assert rules.checkup_offsets(tier="ordinary", categories={"x"}, cadences={}, **defaults) == [14]
    cadences = {("儀器", "ordinary"): [3, 60], ("耗材", "ordinary"): [60, 180]}
    assert rules.checkup_offsets(tier="ordinary", categories={"儀器", "耗材"}, cadences=cadences, **defaults) == [
        3,
        60,
        180,
    ]


@pytest.mark.parametrize(
    "first, last, expected, today, stage",
    [
        (None, None, None, "2027-01-01", "prospect"),
        ("2026-01-01", "2026-01-01", None, "2027-01-01", "active"),  # one sale: no rhythm yet, still active
        ("2026-01-01", "2026-06-01", "2026-11-01", "2026-12-01", "active"),  # 30 days late: within the margin
        ("2026-01-01", "2026-06-01", "2026-11-01", "2026-12-02", "lapsed"),  # 31 days late
        ("2026-01-01", "2026-06-01", "2026-11-01", "2027-05-30", "lapsed"),  # lapsed 2026-12-01 + 180 days
        ("2026-01-01", "2026-06-01", "2026-11-01", "2027-05-31", "dormant"),  # more than 180 days after lapsing
    ],
)
def test_lifecycle_stage_boundaries(first, last, expected, today, stage):
    d = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    got, _since = rules.lifecycle_stage(
        first_sale_on=d(first),
        last_sale_on=d(last),
        expected_reorder_on=d(expected),
        today=d(today),
        lapse_margin_days=30,
        dormant_after_days=180,
    )
    assert got == stage


# --- check-ups --------------------------------------------------------------------------------------------------


def test_member_gets_three_checkups_ordinary_one_and_scheduling_is_idempotent():
    today = timezone.localdate()
    member = CustomerFactory(tier="member", member_level="gold")
    ordinary = CustomerFactory()
    deliver(member, on=today - dt.timedelta(days=1))
    deliver(ordinary, on=today - dt.timedelta(days=1))
    assert services.checkups_schedule(today=today) == 4
    services.checkups_schedule(today=today)
    assert sorted(Checkup.objects.filter(customer=member).values_list("offset_days", flat=True)) == [7, 30, 90]
    [only] = Checkup.objects.filter(customer=ordinary)
    assert only.offset_days == 14 and only.due_on == today + dt.timedelta(days=13)
    assert only.owner == ordinary.owner


def test_category_cadence_overrides_the_tier_default():
    today = timezone.localdate()
    CheckupCadence.objects.create(category="精密儀器", tier="ordinary", days=[3, 45])
    customer = CustomerFactory()
    deliver(customer, on=today, category="精密儀器")
    services.checkups_schedule(today=today)
    assert sorted(Checkup.objects.values_list("offset_days", flat=True)) == [3, 45]


def test_low_score_opens_a_case_for_the_owner_notified_once_in_their_language(manager):
    owner = SalespersonFactory(unit=manager.unit, language="en")
    customer = CustomerFactory(owner=owner, unit=owner.unit)
    deliver(customer, on=timezone.localdate() - dt.timedelta(days=20))
    services.checkups_schedule()
    checkup = Checkup.objects.get()
    services.checkup_record(checkup=checkup, actor=manager, score=2, usage_notes="漏水")
    case = Case.objects.get()
    assert case.owner == owner and case.severity == "high" and case.checkup == checkup
    [note] = Notification.objects.filter(user=owner)
    assert note.title.startswith("New case") and case.number in note.title


def test_a_good_score_opens_nothing_and_a_score_out_of_range_is_refused(salesperson):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    deliver(customer, on=timezone.localdate() - dt.timedelta(days=20))
    services.checkups_schedule()
    checkup = Checkup.objects.get()
    with pytest.raises(Exception) as err:
        services.checkup_record(checkup=checkup, actor=salesperson, score=6)
    assert getattr(err.value, "field", None) == "score"
    services.checkup_record(checkup=checkup, actor=salesperson, score=4)
    assert not Case.objects.exists()


# --- cases ------------------------------------------------------------------------------------------------------


def test_overdue_case_is_escalated_to_the_manager_once_by_time(salesperson, manager):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    manager.language = "zh-hant"
    manager.save()
    start = dt.datetime(2027, 3, 1, 9, 0, tzinfo=TPE)
    with time_machine.travel(start, tick=False):
        case = services.case_open(
            customer=customer, actor=salesperson, kind="complaint", severity="urgent", subject="異音"
        )
    assert case.due_at == start + dt.timedelta(hours=24)
    with time_machine.travel(start + dt.timedelta(hours=23, minutes=59), tick=False):
        assert services.cases_escalate() == 0
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=1), tick=False):
        assert services.cases_escalate() == 1
        assert services.cases_escalate() == 0
    [note] = Notification.objects.filter(user=manager)
    assert "逾期" in note.title or "overdue" in note.title.lower()
    case.refresh_from_db()
    assert case.escalated_at is not None


def test_hand_over_needs_a_named_colleague_and_a_reason_and_tells_them(client, salesperson, teammate):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    case = services.case_open(customer=customer, actor=salesperson, kind="question", severity="normal", subject="操作")
    client.force_login(salesperson)
    url = reverse("care:case_reassign", args=[case.pk])
    assert client.post(url, {"to": teammate.pk, "note": ""}).status_code == 400
    assert Case.objects.get().owner == salesperson
    assert client.post(url, {"to": teammate.pk, "note": "你熟這台機器,請直接聯絡王先生"}).status_code == 302
    case.refresh_from_db()
    assert case.owner == teammate
    assert Notification.objects.filter(user=teammate, activity__action="reassigned").count() == 1


def test_resolve_needs_what_was_done_confirm_closes(client, salesperson):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    case = services.case_open(customer=customer, actor=salesperson, kind="complaint", severity="low", subject="刮傷")
    client.force_login(salesperson)
    assert client.post(reverse("care:case_action", args=[case.pk, "resolve"]), {"note": ""}).status_code == 400
    assert client.post(reverse("care:case_action", args=[case.pk, "resolve"]), {"note": "換新外殼"}).status_code == 302
    assert client.post(reverse("care:case_action", args=[case.pk, "confirm"]), {}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.resolution == "換新外殼" and case.confirmed_at


def test_another_units_salesperson_gets_404_everywhere(client, salesperson, other_salesperson):
    customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    case = services.case_open(customer=customer, actor=salesperson, kind="complaint", severity="low", subject="x")
    client.force_login(other_salesperson)
    for url in [
        reverse("care:case", args=[case.pk]),
        reverse("care:customer", args=[customer.pk]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("care:case_action", args=[case.pk, "start"])).status_code == 404
    assert (
        client.post(
            reverse("care:case_reassign", args=[case.pk]), {"to": other_salesperson.pk, "note": "x"}
        ).status_code
        == 404
    )
    page = client.post(
        reverse("care:case_new"), {"customer": customer.pk, "kind": "question", "severity": "low", "subject": "x"}
    )
    assert page.status_code == 400 and Case.objects.count() == 1


# --- lifecycle, referrals, suggestions ------------------------------------------------------------------------


def test_lifecycle_updates_itself_and_logs_transitions():
    today = timezone.localdate()
    prospect = CustomerFactory()
    lapsing = CustomerFactory(status="active")
    lost = CustomerFactory(status="lost")
    for months in (12, 9, 6):  # every ~3 months, last 6 months ago: expected 3 months ago, missed by > 30 days
        deliver(lapsing, on=today - dt.timedelta(days=months * 30))
        deliver(lost, on=today - dt.timedelta(days=months * 30))
    changes = services.lifecycle_refresh(today=today)
    assert changes.get("lapsed") == 2 and changes.get("prospect", 0) >= 1
    assert CustomerLifecycle.objects.get(customer=prospect).stage == "prospect"
    assert Customer.objects.get(pk=lapsing.pk).status == "lapsed"
    assert Customer.objects.get(pk=lost.pk).status == "lost"  # marked lost by hand: kept
    assert services.lifecycle_refresh(today=today) == {}  # no change, no new transition
    deliver(lapsing, on=today)
    services.lifecycle_refresh(today=today)
    assert list(
        LifecycleTransition.objects.filter(customer=lapsing).order_by("id").values_list("from_stage", "to_stage")
    ) == [("", "lapsed"), ("lapsed", "active")]


def test_related_products_come_from_the_companys_own_sales():
    filter_, cartridge, pump = ProductFactory(code="F1"), ProductFactory(code="C1"), ProductFactory(code="P1")
    me, a, b = CustomerFactory(), CustomerFactory(), CustomerFactory()
    today = timezone.localdate()
    deliver(me, on=today, product=filter_)
    for peer in (a, b):
        deliver(peer, on=today, product=filter_)
        deliver(peer, on=today, product=cartridge)
    deliver(a, on=today, product=pump)
    assert [(code, n) for code, _name, n in related_products(me)] == [("C1", 2), ("P1", 1)]


def test_referral_page_counts_referrals_and_their_sales(client, salesperson):
    referrer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    new = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    client.force_login(salesperson)
    assert client.post(reverse("care:customer", args=[new.pk]), {"referrer": new.pk}).status_code == 400
    assert client.post(reverse("care:customer", args=[new.pk]), {"referrer": referrer.pk}).status_code == 302
    deliver(new, on=timezone.localdate())
    page = client.get(reverse("care:referrals"))
    assert page.status_code == 200
    assert page.context["rows"][0].referrals == 1 and page.context["rows"][0].value == Decimal("12000.00")


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_care_pages_render_with_bounded_queries(client, salesperson, django_assert_max_num_queries, lang):
    salesperson.language = lang
    salesperson.save()
    for _i in range(5):
        customer = CustomerFactory(owner=salesperson, unit=salesperson.unit)
        deliver(customer, on=timezone.localdate() - dt.timedelta(days=30))
        services.case_open(customer=customer, actor=salesperson, kind="complaint", severity="low", subject="x")
    services.checkups_schedule()
    services.lifecycle_refresh()
    client.force_login(salesperson)
    for name in ["care:board", "care:cases", "care:winback", "care:referrals", "care:case_new"]:
        with django_assert_max_num_queries(15):
            assert client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("care:customer", args=[customer.pk])).status_code == 200


def test_gathering_attendance_feeds_the_contact_log_and_tells_the_salesperson_once(client, salesperson, manager):
    from customers.models import ContactLog

    came = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    absent = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    client.force_login(manager)
    today = timezone.localdate()
    page = client.post(
        reverse("care:gatherings"),
        {"title": "年終茶會", "held_on": today.isoformat(), "place": "台北", "customers": [came.pk, absent.pk]},
    )
    assert page.status_code == 302, page.context["form"].errors
    from care.models import Gathering

    gathering = Gathering.objects.get()
    url = reverse("care:gathering", args=[gathering.pk])
    for _i in range(2):  # saving twice logs one visit and one notification
        assert (
            client.post(
                url, {"attended": [came.pk], "outcome": "兩家談到擴產", f"notes-{came.pk}": "想看新型號"}
            ).status_code
            == 302
        )
    [log] = ContactLog.objects.filter(customer=came)
    assert log.kind == "visit" and "年終茶會" in log.purpose and log.author == manager
    assert not ContactLog.objects.filter(customer=absent).exists()
    assert Notification.objects.filter(user=salesperson, activity__document="care.gathering").count() == 1
    client.force_login(SalespersonFactory())
    assert client.get(url).status_code == 404


def test_gathering_refuses_customers_one_does_not_look_after(client, salesperson, other_salesperson):
    theirs = CustomerFactory(owner=other_salesperson, unit=other_salesperson.unit)
    client.force_login(salesperson)
    page = client.post(
        reverse("care:gatherings"),
        {"title": "x", "held_on": timezone.localdate().isoformat(), "place": "y", "customers": [theirs.pk]},
    )
    assert page.status_code == 400


# --- member levels ------------------------------------------------------------------------------------------------


def test_a_member_levels_cadence_replaces_the_member_default_category_cadence_still_wins():
    from customers.models import MemberLevel

    today = timezone.localdate()
    MemberLevel.objects.create(name="鑽石", checkup_days=[3, 60])
    MemberLevel.objects.create(name="銀卡")  # no cadence of its own: the policy's member days
    CheckupCadence.objects.create(category="精密儀器", tier="member", days=[5])
    diamond = CustomerFactory(tier="member", member_level="鑽石")
    silver = CustomerFactory(tier="member", member_level="銀卡")
    precise = CustomerFactory(tier="member", member_level="鑽石")
    for customer in (diamond, silver):
        deliver(customer, on=today)
    deliver(precise, on=today, category="精密儀器")
    services.checkups_schedule(today=today)

    def offsets(c):
        return sorted(Checkup.objects.filter(customer=c).values_list("offset_days", flat=True))

    assert offsets(diamond) == [3, 60]
    assert offsets(silver) == [7, 30, 90]
    assert offsets(precise) == [5]


def test_a_member_levels_case_priority_shortens_the_due_time(salesperson):
    from customers.models import MemberLevel

    MemberLevel.objects.create(name="金卡", case_due_percent=50)
    member = CustomerFactory(owner=salesperson, unit=salesperson.unit, tier="member", member_level="金卡")
    ordinary = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    start = dt.datetime(2027, 3, 1, 9, 0, tzinfo=TPE)
    with time_machine.travel(start, tick=False):
        fast = services.case_open(customer=member, actor=salesperson, kind="complaint", severity="high", subject="a")
        slow = services.case_open(customer=ordinary, actor=salesperson, kind="complaint", severity="high", subject="b")
    assert slow.due_at == start + dt.timedelta(hours=72)
    assert fast.due_at == start + dt.timedelta(hours=36)


def test_case_due_rule_with_priority():
    opened = dt.datetime(2027, 3, 1, 9, 0, tzinfo=TPE)
    hours = rules.DEFAULT_HOURS
    assert rules.case_due_at(opened, severity="urgent", hours=hours) == opened + dt.timedelta(hours=24)
    assert rules.case_due_at(opened, severity="urgent", hours=hours, due_percent=25) == opened + dt.timedelta(hours=6)
    assert rules.case_due_at(opened, severity="low", hours=hours, due_percent=33) == opened + dt.timedelta(
        minutes=round(336 * 60 * 0.33)
    )


def test_member_statistics_by_hand_and_only_what_the_user_sees(
    client, salesperson, other_salesperson, django_assert_max_num_queries
):
    from customers.models import MemberLevel

    today = timezone.localdate()
    MemberLevel.objects.create(name="金卡")
    m1 = CustomerFactory(owner=salesperson, unit=salesperson.unit, tier="member", member_level="金卡")
    m2 = CustomerFactory(owner=salesperson, unit=salesperson.unit, tier="member", member_level="金卡")
    o1 = CustomerFactory(owner=salesperson, unit=salesperson.unit)
    theirs = CustomerFactory(owner=other_salesperson, unit=other_salesperson.unit, tier="member")
    recent = today - dt.timedelta(days=10)
    for customer, amount in ((m1, "1000"), (m1, "500"), (m2, "300"), (o1, "2000"), (theirs, "99999")):
        ContractFactory(customer=customer, status=ContractStatus.FILED, signed_on=recent, amount=Decimal(amount))
    ContractFactory(customer=o1, status=ContractStatus.FILED, signed_on=today - dt.timedelta(days=400), amount=5)
    for customer, stage in ((m1, "active"), (m2, "lapsed"), (o1, "dormant"), (theirs, "lapsed")):
        CustomerLifecycle.objects.create(customer=customer, stage=stage, since=recent)
    shipment = deliver(m1, on=recent)
    for days, score in ((7, 5), (30, 4)):
        Checkup.objects.create(
            customer=m1,
            shipment=shipment,
            offset_days=days,
            due_on=recent,
            owner=salesperson,
            done_at=timezone.now(),
            score=score,
        )
    ship_o = deliver(o1, on=recent)
    Checkup.objects.create(
        customer=o1, shipment=ship_o, offset_days=14, due_on=recent, owner=salesperson, done_at=timezone.now(), score=2
    )
    from care.selectors import member_statistics

    with django_assert_max_num_queries(5):  # customers, sales, returns, scores, churn
        member, ordinary = member_statistics(salesperson, since=today - dt.timedelta(days=364), until=today)
    # members: 1000 + 500 + 300 (+ the deliver() contract of m1); 3 + 1 orders by 2 buyers; scores 5, 4; 1 of 2 lapsed
    deliver_m1 = shipment.contract.amount
    assert member.customers == 2
    assert member.sales == Decimal("1800") + deliver_m1
    assert (member.orders, member.buyers, member.orders_per_buyer) == (4, 2, Decimal("2.00"))
    assert member.satisfaction == Decimal("4.50")
    assert (member.churned, member.tracked, member.churn_percent) == (1, 2, Decimal("50.0"))
    assert ordinary.sales == Decimal("2000") + ship_o.contract.amount  # the 400-day-old contract is outside
    assert (ordinary.orders, ordinary.buyers, ordinary.satisfaction, ordinary.churn_percent) == (
        2,
        1,
        Decimal("2.00"),
        Decimal("100.0"),
    )
    client.force_login(salesperson)
    with django_assert_max_num_queries(12):
        resp = client.get(reverse("care:members"))
    assert resp.status_code == 200 and "99,999" not in resp.content.decode()
    client.force_login(other_salesperson)
    other_member, _ = member_statistics(other_salesperson, since=today - dt.timedelta(days=364), until=today)
    assert other_member.sales == Decimal("99999") and other_member.churn_percent == Decimal("100.0")


def test_member_statistics_set_lapsed_members_apart_and_count_returns_in_their_month(salesperson, manager):
    from care.selectors import member_statistics
    from sales.services import return_decide, return_record

    today = timezone.localdate()
    recent = today - dt.timedelta(days=10)
    current = CustomerFactory(owner=salesperson, tier="member", member_level="金卡")
    lapsed = CustomerFactory(
        owner=salesperson, tier="member", member_level="金卡", member_renews_on=today - dt.timedelta(days=1)
    )
    shipment = deliver(current, on=recent)  # 10 × 1,200
    lapsed_shipment = deliver(lapsed, on=recent)
    from sales.models import Contract

    Contract.objects.filter(pk__in=[shipment.contract_id, lapsed_shipment.contract_id]).update(amount=Decimal("12000"))
    line = shipment.lines.get().contract_line
    ret = return_record(
        actor=salesperson,
        contract=shipment.contract,
        contract_line=line,
        quantity="2",
        reason="不合規格",
        returned_on=today,
    )
    return_decide(actor=manager, sales_return=ret, action="approve")
    rows = {r.tier: r for r in member_statistics(salesperson, since=today - dt.timedelta(days=364), until=today)}
    assert list(rows) == ["member", "lapsed_member", "ordinary"]
    assert (rows["member"].customers, rows["lapsed_member"].customers) == (1, 1)
    assert rows["member"].sales == Decimal("12000.00") - Decimal("2400.00")
    assert rows["lapsed_member"].sales == Decimal("12000.00")


def test_member_benefits_on_the_care_card_count_visits_this_year(client, salesperson, other_salesperson):
    from customers.models import MemberLevel

    MemberLevel.objects.create(name="金卡", discount_percent=Decimal("5"), free_service_visits=3, case_due_percent=50)
    member = CustomerFactory(owner=salesperson, unit=salesperson.unit, tier="member", member_level="金卡")
    services.case_open(customer=member, actor=salesperson, kind="question", severity="low", subject="怎麼用")
    client.force_login(salesperson)
    body = client.get(reverse("care:customer", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="member-benefits"' in body and "1 used of 3, 2 left" in body and "−5%" in body
    salesperson.language = "zh-hant"
    salesperson.save()
    body = client.get(reverse("care:customer", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "已用 1 次,共 3 次,剩 2 次" in body and "一般的 50%" in body
    stats = client.get(reverse("care:members"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "會員與一般客戶比較" in stats and "流失率" in stats
    client.force_login(other_salesperson)
    assert client.get(reverse("care:customer", args=[member.pk])).status_code == 404
