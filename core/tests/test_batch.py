"""core.batch.fetch_together: several independent reads in one round trip give what each would give alone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DataError, connection, transaction
from django.db.models import Sum, Value
from django.test.utils import CaptureQueriesContext

from core.batch import fetch_together
from core.models import TaskHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def beats():
    TaskHeartbeat.objects.all().delete()
    for name in ("a", "b", "c"):
        TaskHeartbeat.objects.create(token=name)
    return TaskHeartbeat.objects.order_by("token")


def test_querysets_and_raw_sql_give_what_each_gives_alone(beats):
    names = beats.values_list("token")
    annotated = beats.annotate(one=Value(1)).values_list("one", "token")  # select order differs from the asked one
    grouped = beats.values("token").annotate(n=Sum(Value(2))).values_list("token", "n").order_by("token")
    nothing = beats.filter(pk__in=[]).values_list("token")
    raw = ("SELECT %s::numeric, %s::date", [Decimal("1.50"), dt.date(2026, 1, 2)])
    with CaptureQueriesContext(connection) as queries:
        got = fetch_together(names, annotated, grouped, nothing, raw)
    assert got == [list(names), list(annotated), list(grouped), [], [(Decimal("1.50"), dt.date(2026, 1, 2))]]
    assert got[1][0] == (1, "a")
    assert len(queries.captured_queries) == 4  # each still a query of its own (the empty one is never sent)


def test_a_failing_query_raises_and_the_connection_stays_usable(beats):
    with pytest.raises(DataError), transaction.atomic():
        fetch_together(beats.values_list("token"), ("SELECT 1 / 0", []))
    assert list(beats.values_list("token", flat=True)) == ["a", "b", "c"]


def test_only_values_list_querysets(beats):
    with pytest.raises(TypeError):
        fetch_together(beats)
