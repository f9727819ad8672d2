"""The market intelligence XLSX lists every sales lead of the period (one line of a market report's leads) and
whether it was turned into a prospect customer (field.LeadConversion), with the page's permissions: managers their
team's reports, company-wide roles every unit's, salespeople nothing (404); in the reader's language."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers.tests.factories import CustomerFactory
from field.models import LeadConversion, MarketReport

pytestmark = pytest.mark.django_db

LEADS = '大成五金，0912-345-678 想換濾水器\n\n林記商行：老闆想看型錄\n=HYPERLINK("http://x")'


def _report(author, leads=LEADS) -> MarketReport:
    return MarketReport.objects.create(
        author=author, unit=author.unit, date=timezone.localdate(), place="台中第二市場", region="台中", leads=leads
    )


def _export(client, lang="en", **params):
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("field:intelligence"),
        {"start": today, "end": today, "format": "xlsx", **params},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    return response


def _leads(response) -> list[tuple]:
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["prices", "leads"]
    return list(workbook["leads"].iter_rows(values_only=True))


@pytest.fixture
def reports(salesperson, other_salesperson):
    mine = _report(salesperson)
    customer = CustomerFactory(owner=salesperson, name="大成五金")
    conversion = LeadConversion.objects.create(
        report=mine, line=1, lead="大成五金", customer=customer, converted_by=salesperson
    )
    theirs = _report(other_salesperson, leads="丙公司 想看展示機")
    return mine, theirs, conversion


def test_every_lead_with_whether_it_became_a_prospect(client, salesperson, manager, reports):
    _mine, _theirs, conversion = reports
    client.force_login(manager)
    header, *rows = _leads(_export(client))
    assert header == (
        "Date",
        "Salesperson",
        "Sales unit",
        "Lead number",
        "Sales lead",
        "Turned into a prospect",
        "Prospect",
        "Converted on",
    )
    today = timezone.localdate().isoformat()
    person, unit = salesperson.get_full_name(), salesperson.unit.name
    converted_on = timezone.localdate(conversion.created_at).isoformat()
    assert rows == [
        (today, person, unit, 1, "大成五金，0912-345-678 想換濾水器", "Yes", "大成五金", converted_on),
        (today, person, unit, 2, "林記商行：老闆想看型錄", "No", None, None),
        (today, person, unit, 3, '\'=HYPERLINK("http://x")', "No", None, None),  # never a formula
    ]


def test_the_pages_permissions(client, salesperson, manager, other_salesperson, gm, reports):
    _mine, theirs, _conversion = reports
    client.force_login(salesperson)
    assert _export(client).status_code == 404
    client.force_login(manager)
    # another unit's id is not a filter the manager may use: their own team's leads only
    assert {row[3:5] for row in _leads(_export(client, unit=other_salesperson.unit_id))[1:]} == {
        (1, "大成五金，0912-345-678 想換濾水器"),
        (2, "林記商行：老闆想看型錄"),
        (3, '\'=HYPERLINK("http://x")'),
    }
    client.force_login(gm)
    assert len(_leads(_export(client))) == 1 + 4
    only = _leads(_export(client, unit=other_salesperson.unit_id))[1:]
    assert only == [
        (
            theirs.date.isoformat(),
            other_salesperson.get_full_name(),
            theirs.unit.name,
            1,
            "丙公司 想看展示機",
            "No",
            None,
            None,
        )
    ]


def test_in_zh_hant(client, manager, reports):
    manager.language = "zh-hant"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    header, first, second, _third = _leads(_export(client, lang="zh-hant"))
    assert header[5] == "已轉為潛在客戶" and header[4] == "銷售線索" and header[3] == "線索編號"
    assert (first[5], second[5]) == ("是", "否")


def test_export_queries_do_not_grow_with_reports(client, salesperson, manager, reports, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(30) as few:
        _export(client)
    for _ in range(5):
        _report(salesperson)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = _leads(_export(client))
    assert len(rows) == 1 + 3 * 6
