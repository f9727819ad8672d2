"""Targets, their splits and the workbook import (services.targets)."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook

from accounts.tests.factories import ManagerFactory, SalespersonFactory
from core.exceptions import ApplicationError
from reports.models import Dimension, Target, TargetLine
from reports.selectors.targets import target_splits
from reports.services.targets import LineInput, target_save, target_set_split, targets_import_xlsx

from ..factories import TargetFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- targets
def test_split_may_not_exceed_the_target_and_shows_the_remainder(manager, salesperson, teammate):
    target = target_save(
        actor=manager,
        unit=manager.unit,
        period_type="month",
        period_start=dt.date(2026, 11, 17),
        amount=Decimal("1000000"),
    )
    assert target.period_start == dt.date(2026, 11, 1)
    target_set_split(
        actor=manager,
        target=target,
        dimension=Dimension.SALESPERSON,
        lines=[
            LineInput(key=salesperson.pk, amount=Decimal("600000")),
            LineInput(key=teammate.username, amount=Decimal("300000")),
        ],
    )
    view = next(v for v in target_splits(target=target) if v.dimension == Dimension.SALESPERSON)
    assert view.assigned == Decimal("900000") and view.unassigned == Decimal("100000")
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[
                LineInput(key=salesperson.pk, amount=Decimal("700000")),
                LineInput(key=teammate.pk, amount=Decimal("300000.01")),
            ],
        )
    assert err.value.code == "over_target"
    assert TargetLine.objects.filter(target=target).count() == 2  # the old split stands
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[
                LineInput(key=salesperson.pk, amount=Decimal("1")),
                LineInput(key=salesperson.pk, amount=Decimal("1")),
            ],
        )
    assert err.value.code == "duplicate"
    with pytest.raises(ApplicationError) as err:
        target_save(
            actor=manager,
            unit=manager.unit,
            period_type="month",
            period_start=dt.date(2026, 11, 1),
            amount=Decimal("800000"),
        )
    assert err.value.code == "below_split"


def test_split_keys_must_belong_to_the_unit_and_only_its_manager_sets_them(manager, other_salesperson):
    target = TargetFactory(created_by=manager)
    with pytest.raises(ApplicationError):
        target_set_split(
            actor=manager,
            target=target,
            dimension=Dimension.SALESPERSON,
            lines=[LineInput(key=other_salesperson.pk, amount=Decimal("1"))],
        )
    other_manager = ManagerFactory(unit=other_salesperson.unit)
    with pytest.raises(ApplicationError) as err:
        target_set_split(
            actor=other_manager,
            target=target,
            dimension=Dimension.REGION,
            lines=[LineInput(key="北區", amount=Decimal("1"))],
        )
    assert err.value.code == "forbidden"
    with pytest.raises(ApplicationError):
        target_save(
            actor=SalespersonFactory(unit=manager.unit),
            unit=manager.unit,
            period_type="year",
            period_start=dt.date(2026, 1, 1),
            amount=Decimal("1"),
        )


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["period_type", "period_start", "unit", "dimension", "key", "amount", "quantity"])
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_xlsx_import_is_all_or_nothing(admin_user, salesperson):
    code = salesperson.unit.code
    good = _xlsx(
        [
            ["year", "2026-01-01", code, "total", None, 12000000, None],
            ["year", "2026-01-01", code, "salesperson", salesperson.username, 5000000, None],
            ["year", "2026-01-01", code, "region", "北區", 3000000, None],
            ["month", "2026-11-01", "", "total", None, 2000000, None],
        ]
    )
    assert targets_import_xlsx(actor=admin_user, file=good) == {"targets": 2, "lines": 2}
    assert Target.objects.get(unit=None).amount == Decimal("2000000")
    bad = _xlsx(
        [
            ["quarter", "2026-10-01", code, "total", None, 100, None],
            ["quarter", "2026-10-01", code, "salesperson", salesperson.username, 200, None],  # exceeds the whole
            ["decade", "2026-10-01", code, "total", None, 100, None],
        ]
    )
    with pytest.raises(ApplicationError) as err:
        targets_import_xlsx(actor=admin_user, file=bad)
    assert "Row 4" in err.value.message
    bad_split = _xlsx(
        [
            ["quarter", "2026-10-01", code, "total", None, 100, None],
            ["quarter", "2026-10-01", code, "salesperson", salesperson.username, 200, None],
        ]
    )
    with pytest.raises(ApplicationError):
        targets_import_xlsx(actor=admin_user, file=bad_split)
    assert not Target.objects.filter(period_type="quarter").exists()
    with pytest.raises(ApplicationError):
        targets_import_xlsx(actor=admin_user, file=BytesIO(b"not a workbook"))
