"""Evaluation feedback (services.evaluation)."""

import datetime as dt

import pytest

from core.exceptions import ApplicationError
from reports.services.evaluation import evaluation_give_feedback

pytestmark = pytest.mark.django_db


def test_feedback_freezes_the_figures(book, manager, salesperson):
    ev = evaluation_give_feedback(
        actor=manager, salesperson=book, period_type="month", period_start=dt.date(2026, 11, 20), feedback="很好"
    )
    assert ev.period_start == dt.date(2026, 11, 1)
    assert ev.figures["salesperson_id"] == book.pk and "sales_amount" in ev.figures

    with pytest.raises(ApplicationError):
        evaluation_give_feedback(
            actor=salesperson, salesperson=book, period_type="month", period_start=dt.date(2026, 11, 1), feedback="me"
        )
