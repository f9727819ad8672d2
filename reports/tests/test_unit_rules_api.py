"""/api/v1/unit-report-policies/: a unit's own daily-report cut-off through the API, with the page's people
(accounts.unit_policy): the unit's manager or an admin proposes (a new row each time), the GM office approves or
rejects; managers read their units', admins and the GM office every unit's; anyone else 403; another unit's row 404
as a missing id; bad input 400 naming the field, nothing saved."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import ManagerFactory
from reports.models import UnitReportPolicy
from reports.services import unit_report_policy_propose

pytestmark = pytest.mark.django_db
URL = "/api/v1/unit-report-policies/"
MISSING = 987_654_321


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_manager_proposes_the_gm_office_approves_and_rejects(manager, gm):
    api = _as(manager)
    r = api.post(URL, {"unit": manager.unit_id, "effective_from": "2026-11-01", "cutoff_days": 2}, format="json")
    assert r.status_code == 201, r.data
    assert (r.data["cutoff_days"], r.data["cutoff_time"], r.data["state"]) == (2, None, "proposed")
    later = api.post(URL, {"unit": manager.unit_id, "effective_from": "2026-12-01", "cutoff_time": "18:30"})
    assert later.status_code == 201 and later.data["cutoff_time"] == "18:30:00"
    assert api.post(f"{URL}{r.data['id']}/approve/").status_code == 403
    office = _as(gm)
    approved = office.post(f"{URL}{r.data['id']}/approve/")
    assert approved.status_code == 200 and approved.data["state"] == "approved"
    rejected = office.post(f"{URL}{later.data['id']}/reject/", {"reason": "Too late for the team"})
    assert rejected.status_code == 200 and rejected.data["state"] == "rejected"
    assert [row["id"] for row in api.get(URL).data["results"]] == [later.data["id"], r.data["id"]]
    assert UnitReportPolicy.objects.approved().get().cutoff_days == 2
    assert office.delete(f"{URL}{r.data['id']}/").status_code == 405


def test_scope_roles_and_bad_input(manager, salesperson, finance, other_unit):
    hidden = unit_report_policy_propose(
        actor=ManagerFactory(unit=other_unit), unit=other_unit, effective_from=dt.date(2026, 11, 1), cutoff_days=1
    )
    api = _as(manager)
    assert api.get(URL).data["results"] == []
    assert api.get(f"{URL}{hidden.pk}/").status_code == api.get(f"{URL}{MISSING}/").status_code == 404
    assert api.post(f"{URL}{hidden.pk}/reject/", {"reason": "x"}).status_code == 404
    for user in (salesperson, finance):
        assert _as(user).get(URL).status_code == 403
        assert _as(user).get(f"{URL}{hidden.pk}/").status_code == 403
    for payload, field in (
        ({"unit": other_unit.pk}, "unit"),
        ({"cutoff_days": 32}, "cutoff_days"),
        ({"cutoff_days": -1}, "cutoff_days"),
        ({"cutoff_time": "25:00"}, "cutoff_time"),
        ({"effective_from": "soon"}, "effective_from"),
    ):
        body = {"unit": manager.unit_id, "effective_from": "2026-11-01", **payload}
        r = api.post(URL, body, format="json")
        assert r.status_code == 400 and field in r.data, (payload, r.data)
    assert UnitReportPolicy.objects.count() == 1


def test_refusal_in_zh_hant_and_english(salesperson):
    api = _as(salesperson)
    assert api.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hant").data["detail"] == "只有主管、管理員與總經辦可查看單位實施細則。"
    assert api.get(URL, HTTP_ACCEPT_LANGUAGE="en").data["detail"] == (
        "Only managers, admins and the GM office see the units' rules."
    )
