"""Who sees which reports and targets (querysets.visible_to)."""

from decimal import Decimal

import pytest

from reports.models import DailyReport, Dimension, Target, TargetLine
from reports.services.targets import LineInput, target_set_split

from .factories import DailyReportFactory, TargetFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- visibility
def test_report_and_target_visibility_per_role(salesperson, teammate, manager, other_salesperson, gm, finance):
    mine = DailyReportFactory(author=salesperson)
    theirs = DailyReportFactory(author=teammate)
    foreign = DailyReportFactory(author=other_salesperson)
    assert set(DailyReport.objects.visible_to(salesperson)) == {mine}
    assert set(DailyReport.objects.visible_to(manager)) == {mine, theirs}
    assert set(DailyReport.objects.visible_to(gm)) == {mine, theirs, foreign}
    assert set(DailyReport.objects.visible_to(finance)) == {mine, theirs, foreign}
    target = TargetFactory(created_by=manager)
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALESPERSON,
        lines=[LineInput(key=salesperson.pk, amount=Decimal("10")), LineInput(key=teammate.pk, amount=Decimal("20"))],
    )
    assert list(Target.objects.visible_to(salesperson)) == [target]
    assert [ln.salesperson for ln in TargetLine.objects.visible_to(salesperson)] == [salesperson]
    assert not Target.objects.visible_to(other_salesperson).exists()
    assert TargetLine.objects.visible_to(manager).count() == 2
