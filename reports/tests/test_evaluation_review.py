"""Evaluation as a review: admin weights summing to 100 %, the weighted score, improvement points tracked to
closure (overdue ones in the inbox), the salesperson's acknowledgement and who may see what."""

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDenied
from reminders.models import Notification
from reports.models import Evaluation, ImprovementPoint, ReviewWeights
from reports.rules import review_weighted_score as weighted_score
from reports.rules import review_weights_error as weights_error
from reports.services.evaluation import (
    evaluation_acknowledge,
    evaluation_review,
    improvement_add,
    improvement_close,
)
from workspace.inbox import inbox_items, navbar_counts

pytestmark = pytest.mark.django_db

SCORES = {"obedience": 90, "planning": 70, "progress": 85, "service": 60, "profit": 75}


@pytest.fixture
def weights():
    """The admin's weights from the start of this year: 15 + 25 + 10 + 20 + 30 = 100."""
    start = timezone.localdate().replace(month=1, day=1)
    return ReviewWeights.objects.create(
        effective_from=start, obedience=D("15"), planning=D("25"), progress=D("10"), service=D("20"), profit=D("30")
    )


def _month():
    return timezone.localdate().replace(day=1)


def _review(manager, salesperson, **kw):
    return evaluation_review(
        actor=manager,
        salesperson=salesperson,
        period_type="month",
        period_start=_month(),
        scores=kw.pop("scores", SCORES),
        summary=kw.pop("summary", "拜訪量穩定，報價跟進慢"),
    )


def test_weights_must_sum_to_100():
    assert weights_error({"a": D("40"), "b": D("60")}) == ""
    assert "100" in weights_error({"a": D("40"), "b": D("50")})
    assert weights_error({"a": D("-10"), "b": D("110")})
    bad = ReviewWeights(
        effective_from=dt.date(2030, 1, 1), obedience=20, planning=20, progress=20, service=20, profit=10
    )
    with pytest.raises(ValidationError):
        bad.full_clean()
    # the weights the migration seeds sum to 100 %
    ReviewWeights.objects.all().delete()
    importlib.import_module("reports.migrations.0006_evaluation_review").default_weights(django_apps, None)
    seeded = ReviewWeights.objects.in_force(dt.date(2001, 1, 1))
    assert seeded is not None and sum(seeded.as_dict().values()) == D("100") and not weights_error(seeded.as_dict())


def test_weighted_score_by_hand():
    # 90×15 + 70×25 + 85×10 + 60×20 + 75×30 = 1350 + 1750 + 850 + 1200 + 2250 = 7400 → 74.00
    w = {"obedience": D("15"), "planning": D("25"), "progress": D("10"), "service": D("20"), "profit": D("30")}
    assert weighted_score(SCORES, w) == D("74.00")
    # 33×33.33 + 67×66.67 = 1099.89 + 4466.89 = 5566.78 → 55.6678 → 55.67 (half up)
    assert weighted_score({"a": 33, "b": 67}, {"a": D("33.33"), "b": D("66.67")}) == D("55.67")
    assert weighted_score({"a": 33}, {"a": D("50"), "b": D("50")}) is None


def test_review_scores_with_weights_and_notifies_once_in_the_salespersons_language(weights, manager, salesperson):
    salesperson.language = "en"
    salesperson.save()
    ev = _review(manager, salesperson)
    assert {s.item: (s.score, s.weight) for s in ev.scores.all()}["profit"] == (75, D("30"))
    _review(manager, salesperson, scores=SCORES | {"planning": 80}, summary="改過")
    notes = Notification.objects.filter(user=salesperson)
    assert notes.count() == 1
    assert "evaluation" in notes.get().title.lower()  # English, the recipient's language
    ev.refresh_from_db()
    assert ev.feedback == "改過" and ev.scores.get(item="planning").score == 80

    with pytest.raises(ApplicationError) as err:
        _review(manager, salesperson, scores=SCORES | {"service": 101})
    assert err.value.field == "service"
    with pytest.raises(PermissionDenied):
        _review(salesperson, salesperson)


def test_acknowledgement_only_by_the_salesperson(weights, manager, salesperson, teammate):
    ev = _review(manager, salesperson)
    with pytest.raises(PermissionDenied):
        evaluation_acknowledge(actor=teammate, evaluation=ev)
    ev = evaluation_acknowledge(actor=salesperson, evaluation=ev)
    first = ev.acknowledged_at
    assert first is not None
    assert evaluation_acknowledge(actor=salesperson, evaluation=ev).acknowledged_at == first


def test_overdue_improvement_shows_in_the_inbox_until_closed(weights, manager, salesperson, other_salesperson):
    ev = _review(manager, salesperson)
    today = timezone.localdate()
    with pytest.raises(ApplicationError):
        improvement_add(actor=manager, evaluation=ev, text="x", owner=other_salesperson, due_on=today)
    point = improvement_add(
        actor=manager, evaluation=ev, text="每週拜訪三家新客戶", owner=salesperson, due_on=today + dt.timedelta(days=7)
    )
    assert "improvement" not in [i.kind for i in inbox_items(user=salesperson)]
    before = navbar_counts(user=salesperson)[0]
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        items = [i for i in inbox_items(user=salesperson) if i.kind == "improvement"]
        assert [i.title for i in items] == ["每週拜訪三家新客戶"]
        assert navbar_counts(user=salesperson)[0] == before + 1
        assert "improvement" not in [i.kind for i in inbox_items(user=manager)]
        with pytest.raises(PermissionDenied):
            improvement_close(actor=other_salesperson, point=point)
        improvement_close(actor=salesperson, point=point)
        assert "improvement" not in [i.kind for i in inbox_items(user=salesperson)]


def test_navbar_badge_stays_one_statement_with_improvements(
    weights, manager, salesperson, django_assert_max_num_queries
):
    ev = _review(manager, salesperson)
    for n in range(3):
        ImprovementPoint.objects.create(
            evaluation=ev, text=f"p{n}", owner=salesperson, due_on=timezone.localdate() - dt.timedelta(days=n + 1)
        )
    navbar_counts(user=salesperson)  # warm the per-user caches
    with django_assert_max_num_queries(2):  # the badge statement + the filing policy in force
        assert navbar_counts(user=salesperson)[0] >= 3


@pytest.fixture
def as_user(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def test_review_page_permissions_and_profit_hidden_from_salespeople(
    weights, as_user, manager, salesperson, other_salesperson, django_assert_max_num_queries
):
    url = reverse("reports:evaluation_detail", args=[salesperson.pk]) + f"?period=month&start={_month()}"
    client = as_user(manager)
    assert client.post(url, SCORES | {"feedback": "總結"}).status_code == 302
    bad = client.post(url, SCORES | {"progress": "abc", "feedback": "x"})
    assert bad.status_code == 200 and "progress" in bad.context["form"].errors
    page = client.get(url)
    assert page.context["review"].weighted == D("74.00")
    assert "weighted" in page.content.decode() and 'id="score-profit"' in page.content.decode()
    ev = Evaluation.objects.get(salesperson=salesperson)
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    add = reverse("reports:improvement_add", args=[ev.pk])
    assert client.post(add, {"text": "準時交日報", "owner": salesperson.pk, "due_on": due}).status_code == 302
    assert client.post(add, {"text": "x", "owner": salesperson.pk, "due_on": "not-a-date"}).status_code == 302
    assert ImprovementPoint.objects.filter(evaluation=ev).count() == 1
    for n in range(5):
        ImprovementPoint.objects.create(evaluation=ev, text=f"p{n}", owner=salesperson, due_on=timezone.localdate())
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(10):
        ImprovementPoint.objects.create(evaluation=ev, text=f"q{n}", owner=salesperson, due_on=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):  # more points, no more queries
        client.get(url)

    own = as_user(salesperson).get(url)
    html = own.content.decode()
    assert own.status_code == 200 and own.context["form"] is None
    assert 'id="score-profit"' not in html and 'id="weighted"' not in html and own.context["review"].weighted is None
    assert [r.item for r in own.context["review"].rows] == ["obedience", "planning", "progress", "service"]
    assert "I have read this evaluation" in html or "我已閱讀" in html
    assert as_user(salesperson).post(reverse("reports:evaluation_acknowledge", args=[ev.pk])).status_code == 302
    ev.refresh_from_db()
    assert ev.acknowledged_at is not None

    point = ImprovementPoint.objects.filter(evaluation=ev).first()
    stranger = as_user(other_salesperson)
    assert stranger.get(url).status_code == 404
    assert stranger.post(reverse("reports:evaluation_acknowledge", args=[ev.pk])).status_code == 404
    assert stranger.post(add, {"text": "x", "owner": other_salesperson.pk, "due_on": due}).status_code == 404
    assert stranger.post(reverse("reports:improvement_close", args=[point.pk])).status_code == 404
    assert as_user(salesperson).post(reverse("reports:improvement_close", args=[point.pk])).status_code == 302
    point.refresh_from_db()
    assert point.closed_at is not None


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_the_review_page_charts_the_salesperson_over_time_with_a_table(
    weights, as_user, manager, salesperson, django_assert_max_num_queries, lang
):
    url = reverse("reports:evaluation_detail", args=[salesperson.pk]) + f"?period=month&start={_month()}"
    client = as_user(manager)
    assert client.post(url, SCORES | {"feedback": "總結"}).status_code == 302
    with django_assert_max_num_queries(40):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    html = page.content.decode()
    assert 'id="chart-history-money"' in html and 'id="history-table"' in html and 'id="history-data"' in html
    assert "echarts" in html
    assert len(page.context["history"]) == 12 and page.context["history"][-1].review == D("74.00")
    own = as_user(salesperson).get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert own.context["history"][-1].review is not None  # without the profit contribution
    assert own.context["history_chart"]["review"][-1] == str(own.context["history"][-1].review)
