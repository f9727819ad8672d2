"""The year-end bonus worksheet (年終獎勵) by hand: measured and judged factors, weights, the pool and its shares."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import AdminFactory, SalespersonFactory
from commission.models import MarketFundEntry
from core.exceptions import ApplicationError, PermissionDenied
from customers.tests.factories import CustomerFactory
from reports.models import BonusScore, BonusWeights, Dimension, Target, TargetLine
from reports.selectors.bonus import bonus_worksheet
from reports.services.bonus import bonus_score_save, bonus_weights_set
from sales.tests.factories import ContractFactory, ProductFactory

from ..clock import NOW

pytestmark = pytest.mark.django_db
Y = dt.date(2025, 1, 1)


def _sold(person, amount, on=dt.date(2025, 6, 1)):
    ContractFactory(customer=CustomerFactory(owner=person), status="signed", signed_on=on, amount=Decimal(amount))


@pytest.fixture
def year_2025(manager, gm, salesperson, teammate, other_salesperson):
    """2025: targets 100,000 for the salesperson (none for the others) and 500,000 for the company; sales 80,000,
    60,000 and 120,000; 1,234.57 accrued in the market service fund."""
    unit_target = Target.objects.create(
        unit=manager.unit, period_type="year", period_start=Y, amount=Decimal("300000"), created_by=manager
    )
    TargetLine.objects.create(
        target=unit_target, dimension=Dimension.SALESPERSON, salesperson=salesperson, amount=Decimal("100000")
    )
    Target.objects.create(unit=None, period_type="year", period_start=Y, amount=Decimal("500000"), created_by=gm)
    _sold(salesperson, "80000")
    _sold(teammate, "60000")
    _sold(other_salesperson, "120000")
    _sold(salesperson, "999999", on=dt.date(2026, 1, 5))  # another year
    MarketFundEntry.objects.create(
        unit=salesperson.unit, month=dt.date(2025, 3, 1), kind="accrual", amount=Decimal("1000.00")
    )
    MarketFundEntry.objects.create(
        unit=other_salesperson.unit, month=dt.date(2025, 6, 1), kind="accrual", amount=Decimal("234.57")
    )
    bonus_score_save(
        actor=manager, salesperson=salesperson, year=2025, quality="90", satisfaction="80", market_share="70"
    )
    bonus_score_save(actor=gm, salesperson=other_salesperson, year=2025, quality="50")


def test_the_worksheet_by_hand(gm, salesperson, teammate, other_salesperson, year_2025):
    sheet = bonus_worksheet(viewer=gm, year=2025, now=NOW)
    rows = {r.person.pk: r for r in sheet.rows}
    assert sheet.company_score == Decimal("52.00")  # 260,000 ÷ 500,000
    me, mate, other = rows[salesperson.pk], rows[teammate.pk], rows[other_salesperson.pk]
    assert me.scores["sales"] == Decimal("80.00") and me.sales_measured_by == "target"
    assert mate.scores["sales"] == Decimal("50.00") and mate.sales_measured_by == "best"  # 60,000 ÷ 120,000
    assert other.scores["sales"] == Decimal("100.00")
    # 0.4 × 80 + 0.15 × (90 + 80 + 70 + 52) = 32 + 43.8 = 75.80; 0.4 × 50 + 0.15 × 52 = 27.80;
    # 0.4 × 100 + 0.15 × (50 + 52) = 55.30.
    assert (me.score, mate.score, other.score) == (Decimal("75.80"), Decimal("27.80"), Decimal("55.30"))
    assert mate.missing == ["quality", "satisfaction", "market_share"]
    # Pool: 50 % of 1,234.57 = 617.285 → 617.29. Exact shares 294.4656, 107.9966, 214.8278 → floors 294.46 +
    # 107.99 + 214.82 = 617.27; the two cents go to the largest fractions (0.0078 and 0.0066).
    assert sheet.accrued == Decimal("1234.57") and sheet.pool == Decimal("617.29")
    assert (me.share.amount, mate.share.amount, other.share.amount) == (
        Decimal("294.46"),
        Decimal("108.00"),
        Decimal("214.83"),
    )
    assert sheet.distributed == sheet.pool and sheet.extra_cents == 2


def test_the_admins_weights_change_the_scores_and_must_add_up_to_100(gm, salesperson, year_2025):
    admin = AdminFactory()
    with pytest.raises(ApplicationError) as bad:
        bonus_weights_set(
            actor=admin,
            effective_from=Y,
            sales_weight="50",
            quality_weight="20",
            satisfaction_weight="10",
            market_share_weight="10",
            company_weight="5",
            fund_share_percent="100",
        )
    assert bad.value.code == "weights_total" and "95" in bad.value.message
    with pytest.raises(PermissionDenied):
        bonus_weights_set(
            actor=gm,
            effective_from=Y,
            sales_weight="100",
            quality_weight="0",
            satisfaction_weight="0",
            market_share_weight="0",
            company_weight="0",
            fund_share_percent="100",
        )
    bonus_weights_set(
        actor=admin,
        effective_from=Y,
        sales_weight="100",
        quality_weight="0",
        satisfaction_weight="0",
        market_share_weight="0",
        company_weight="0",
        fund_share_percent="100",
    )
    sheet = bonus_worksheet(viewer=gm, year=2025, now=NOW)
    me = next(r for r in sheet.rows if r.person.pk == salesperson.pk)
    assert me.score == Decimal("80.00") and sheet.pool == Decimal("1234.57")
    with pytest.raises(IntegrityError):  # the database refuses weights that do not add up to 100, too
        BonusWeights.objects.create(effective_from=dt.date(2024, 1, 1), sales_weight=Decimal("41"))


def test_scores_are_the_managers_for_their_people_only(manager, salesperson, other_salesperson, year_2025):
    with pytest.raises(PermissionDenied):
        bonus_score_save(actor=manager, salesperson=other_salesperson, year=2025, quality="1")
    with pytest.raises(PermissionDenied):
        bonus_score_save(actor=salesperson, salesperson=salesperson, year=2025, quality="100")
    with pytest.raises(ApplicationError) as out:
        bonus_score_save(actor=manager, salesperson=salesperson, year=2025, quality="101")
    assert out.value.field == "quality"
    assert BonusScore.objects.get(salesperson=salesperson).quality == Decimal("90.00")  # unchanged
    sheet = bonus_worksheet(viewer=manager, year=2025, now=NOW)
    assert other_salesperson.pk not in {r.person.pk for r in sheet.rows}  # not the manager's person to see
    assert sheet.pool == Decimal("617.29")  # still the company's pool, shared among everybody


def test_page_export_and_permissions(
    client, manager, gm, salesperson, finance, year_2025, django_assert_max_num_queries
):
    url = reverse("reports:year_end_bonus") + "?year=2025"
    client.force_login(salesperson)
    assert client.get(url).status_code == 404
    assert client.get(url + "&format=xlsx").status_code == 404
    client.force_login(finance)
    assert client.get(url).status_code == 200 and b'id="score-' not in client.get(url).content
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200 and f'id="score-{salesperson.pk}"'.encode() in page.content
    with django_assert_max_num_queries(17):  # + the year's approved returns (退貨), one query
        client.get(url)
    for _ in range(10):
        _sold(SalespersonFactory(unit=manager.unit), "10")
    with django_assert_max_num_queries(17):
        assert len(client.get(url).context["sheet"].rows) == 12
    saved = client.post(
        url, {"score": "1", "salesperson": salesperson.pk, "quality": "60", "satisfaction": "80", "market_share": "70"}
    )
    assert saved.status_code == 302 and BonusScore.objects.get(salesperson=salesperson).quality == Decimal("60")
    bad = client.post(url, {"score": "1", "salesperson": salesperson.pk, "quality": "abc"}, follow=True)
    assert bad.status_code == 200 and BonusScore.objects.get(salesperson=salesperson).quality == Decimal("60")
    client.force_login(gm)
    rows = list(load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Salesperson" and any(r and r[0] == "Distributed" and r[1] == 617.29 for r in rows)
    admin = AdminFactory()
    client.force_login(admin)
    weights = {
        "weights": "1",
        "effective_from": "2025-01-01",
        "sales_weight": "50",
        "quality_weight": "20",
        "satisfaction_weight": "10",
        "market_share_weight": "10",
        "company_weight": "5",
        "fund_share_percent": "50",
    }
    refused = client.post(url, weights)
    assert refused.status_code == 200 and "sales_weight" in refused.context["weights_form"].errors
    assert client.post(url, {**weights, "company_weight": "10"}).status_code == 302
    assert BonusWeights.objects.get().company_weight == Decimal("10")


def test_a_return_approved_in_the_year_lowers_the_years_sales(gm, salesperson, teammate, other_salesperson, year_2025):
    from sales.models import ContractLine, ReturnStatus, SalesReturn

    contract = salesperson.contracts.get(signed_on=dt.date(2025, 6, 1))
    line = ContractLine.objects.create(
        contract=contract, product=ProductFactory(), quantity=1, unit_price=Decimal("80000"), standard_price=1
    )
    SalesReturn.objects.create(
        contract=contract,
        contract_line=line,
        quantity=1,
        amount=Decimal("20000"),
        reason="退貨",
        returned_on=dt.date(2025, 9, 1),
        requested_by=salesperson,
        status=ReturnStatus.APPROVED,
        decided_on=dt.date(2025, 9, 2),
    )
    sheet = bonus_worksheet(viewer=gm, year=2025, now=NOW)
    me = {r.person.pk: r for r in sheet.rows}[salesperson.pk]
    assert me.scores["sales"] == Decimal("60.00")  # (80,000 − 20,000) ÷ the target 100,000
    assert sheet.company_score == Decimal("48.00")  # (260,000 − 20,000) ÷ 500,000


def _review(manager, person, period_type, start, obedience, planning, progress, service, profit):
    from reports.services.evaluation import evaluation_review

    scores = dict(obedience=obedience, planning=planning, progress=progress, service=service, profit=profit)
    evaluation_review(
        actor=manager, salesperson=person, period_type=period_type, period_start=start, scores=scores, summary="-"
    )


def test_the_units_ranking_of_the_reviews_feeds_the_worksheet(
    manager, gm, salesperson, teammate, other_salesperson, year_2025
):
    """Review score = average of the year's monthly reviews, the judged items except the profit contribution
    weighted 20 % each (the defaults) scaled to 100 %; it ranks the unit and is the professional quality unless
    the manager scored that factor on the worksheet."""
    _review(manager, teammate, "month", dt.date(2025, 3, 1), 80, 60, 70, 90, 10)  # (80+60+70+90) ÷ 4 = 75
    _review(manager, teammate, "month", dt.date(2025, 4, 1), 100, 100, 100, 100, 0)  # 100
    _review(manager, teammate, "year", Y, 0, 0, 0, 0, 0)  # coarser than the months: not counted
    _review(manager, salesperson, "month", dt.date(2025, 5, 1), 60, 60, 60, 60, 100)  # 60, profit left out
    _review(manager, salesperson, "month", dt.date(2026, 1, 1), 100, 100, 100, 100, 100)  # another year
    sheet = bonus_worksheet(viewer=gm, year=2025, now=NOW)
    rows = {r.person.pk: r for r in sheet.rows}
    me, mate, other = rows[salesperson.pk], rows[teammate.pk], rows[other_salesperson.pk]
    assert (mate.review, me.review, other.review) == (Decimal("87.50"), Decimal("60.00"), None)
    assert (mate.unit_rank, me.unit_rank, other.unit_rank) == ((1, 2), (2, 2), None)
    # The teammate's quality comes from the reviews: 0.4 × 50 + 0.15 × (87.50 + 52) = 40.925 → 40.93.
    assert mate.scores["quality"] == Decimal("87.50") and mate.quality_from == "reviews"
    assert mate.score == Decimal("40.93")
    # The manager's own score wins over the reviews: the salesperson keeps 90 and 75.80.
    assert me.scores["quality"] == Decimal("90") and me.quality_from == "manager" and me.score == Decimal("75.80")
    assert other.quality_from == "manager"
    # The pool is still shared to the cent among the new scores (largest remainder).
    assert sheet.distributed == sheet.pool
    assert mate.share.amount > Decimal("108.00")


def test_the_worksheet_page_shows_the_place_in_the_unit(client, manager, salesperson, teammate, year_2025):
    _review(manager, teammate, "month", dt.date(2025, 3, 1), 80, 80, 80, 80, 0)
    client.force_login(manager)
    page = client.get(reverse("reports:year_end_bonus"), {"year": 2025})
    html = page.content.decode()
    assert f'id="review-{teammate.pk}">80.00' in html and "1 of 1" in html
    xlsx = client.get(reverse("reports:year_end_bonus"), {"year": 2025, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    mate = next(r for r in rows if r and r[0] == teammate.get_full_name())
    assert mate[2] == 80 and mate[3] == "1/1"
