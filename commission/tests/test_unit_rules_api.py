"""/api/v1/unit-commission-policies/: the units' own commission rates through the API, with the page's people
(accounts.unit_policy): a unit's manager or an admin proposes (a new row each time, the history stays), the GM office
approves or rejects; managers read their units', admins and the GM office every unit's; anyone else 403; another
unit's row 404 as a missing id; bad input 400 naming the field, nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from commission import services
from commission.models import UnitCommissionPolicy

pytestmark = pytest.mark.django_db
URL = "/api/v1/unit-commission-policies/"
MISSING = 987_654_321
JAN = dt.date(2026, 1, 1)


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_units_row(other_unit):
    """A proposal of another unit, by its own manager."""
    return services.unit_commission_policy_propose(
        actor=ManagerFactory(unit=other_unit), unit=other_unit, effective_from=JAN, commission_percent="58"
    )


def test_manager_proposes_the_gm_office_decides_and_the_history_stays(manager, gm):
    api = _as(manager)
    first = api.post(
        URL,
        {"unit": manager.unit_id, "effective_from": "2026-01-01", "commission_percent": "55"},
        format="json",
    )
    assert first.status_code == 201, first.data
    assert first.data["state"] == "proposed" and first.data["commission_percent"] == "55.000"
    assert first.data["retention_hold_percent"] is None  # left empty: the company's rule set
    assert first.data["set_by"] == manager.pk and first.data["unit_name"] == manager.unit.name
    assert first.data["actions"] == []  # a manager never decides
    second = api.post(
        URL,
        {"unit": manager.unit_id, "effective_from": "2026-03-01", "expense_high_margin_percent": "2.5"},
        format="json",
    )
    assert second.status_code == 201
    assert [r["id"] for r in api.get(URL).data["results"]] == [second.data["id"], first.data["id"]]
    assert api.post(f"{URL}{first.data['id']}/approve/").status_code == 403  # not the GM office

    office = _as(gm)
    assert office.get(f"{URL}{first.data['id']}/").data["actions"] == ["approve", "reject"]
    approved = office.post(f"{URL}{first.data['id']}/approve/")
    assert approved.status_code == 200
    assert approved.data["state"] == "approved" and approved.data["approved_by"] == gm.pk
    again = office.post(f"{URL}{first.data['id']}/approve/")
    assert again.status_code == 400 and again.data["code"] == "decided"
    blank = office.post(f"{URL}{second.data['id']}/reject/", {"reason": "  "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.data
    rejected = office.post(f"{URL}{second.data['id']}/reject/", {"reason": "Above the group's rate"}, format="json")
    assert rejected.status_code == 200
    assert (rejected.data["state"], rejected.data["rejection_reason"]) == ("rejected", "Above the group's rate")

    row = UnitCommissionPolicy.objects.get(pk=first.data["id"])
    assert row.commission_percent == Decimal("55") and row.approved_by_id == gm.pk
    # A row is history: no edit, no delete (a new proposal replaces it from its date).
    for method in ("put", "patch", "delete"):
        assert getattr(office, method)(f"{URL}{row.pk}/", {}, format="json").status_code == 405
    assert UnitCommissionPolicy.objects.count() == 2


def test_another_units_rules_answer_as_missing(manager, other_units_row, other_unit):
    api = _as(manager)
    assert api.get(URL).data["results"] == []
    assert api.get(URL, {"unit": other_unit.pk}).data["results"] == []
    for suffix in ("", "approve/", "reject/"):
        method = api.get if suffix == "" else api.post
        hidden = method(f"{URL}{other_units_row.pk}/{suffix}", {"reason": "x"}, format="json")
        missing = method(f"{URL}{MISSING}/{suffix}", {"reason": "x"}, format="json")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.data == missing.data
    # Proposing for another unit is refused as a unit that does not exist: 400 naming `unit`, nothing saved.
    other = api.post(URL, {"unit": other_unit.pk, "effective_from": "2026-01-01"}, format="json")
    nowhere = api.post(URL, {"unit": MISSING, "effective_from": "2026-01-01"}, format="json")
    assert other.status_code == nowhere.status_code == 400
    assert list(other.data) == list(nowhere.data) == ["unit"]
    assert UnitCommissionPolicy.objects.count() == 1
    # The other unit's own manager, an admin and the GM office see it.
    for viewer in (ManagerFactory(unit=other_unit), AdminFactory()):
        assert _as(viewer).get(f"{URL}{other_units_row.pk}/").status_code == 200


def test_only_the_pages_people_read_and_only_proposers_write(
    salesperson, finance, gm, admin_user, other_unit, other_units_row
):
    for user in (salesperson, finance, UserFactory(role=Role.STAFF)):
        api = _as(user)
        assert api.get(URL).status_code == 403
        assert api.get(f"{URL}{other_units_row.pk}/").status_code == 403
        assert api.post(URL, {"unit": other_unit.pk, "effective_from": "2026-01-01"}, format="json").status_code == 403
    assert [r["id"] for r in _as(gm).get(URL).data["results"]] == [other_units_row.pk]
    # The GM office decides but never proposes; an admin proposes for any unit.
    assert _as(gm).post(URL, {"unit": other_unit.pk, "effective_from": "2026-01-01"}, format="json").status_code == 403
    r = _as(admin_user).post(URL, {"unit": other_unit.pk, "effective_from": "2026-02-01"}, format="json")
    assert r.status_code == 201 and r.data["set_by"] == admin_user.pk
    assert UnitCommissionPolicy.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"commission_percent": "101"}, "commission_percent"),
        ({"retention_hold_percent": "-1"}, "retention_hold_percent"),
        ({"expense_low_margin_percent": "abc"}, "expense_low_margin_percent"),
        ({"expense_high_margin_percent": "1.2345"}, "expense_high_margin_percent"),
        ({"effective_from": "2026-13-01"}, "effective_from"),
        ({"effective_from": None}, "effective_from"),
        ({"unit": "x"}, "unit"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(manager, payload, field):
    body = {"unit": manager.unit_id, "effective_from": "2026-01-01", **payload}
    r = _as(manager).post(URL, body, format="json")
    assert r.status_code == 400 and field in r.data, r.data
    assert not UnitCommissionPolicy.objects.exists()


def test_refusals_in_zh_hant_and_english(salesperson, manager):
    api = _as(salesperson)
    assert api.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hant").data["detail"] == "只有主管、管理員與總經辦可查看單位實施細則。"
    assert api.get(URL, HTTP_ACCEPT_LANGUAGE="en").data["detail"] == (
        "Only managers, admins and the GM office see the units' rules."
    )
    row = services.unit_commission_policy_propose(actor=manager, unit=manager.unit, effective_from=JAN)
    mine = _as(manager)
    zh = mine.post(f"{URL}{row.pk}/approve/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    en = mine.post(f"{URL}{row.pk}/approve/", HTTP_ACCEPT_LANGUAGE="en")
    assert (zh.status_code, zh.data["detail"]) == (403, "只有總經辦可核准單位實施細則。")
    assert (en.status_code, en.data["detail"]) == (403, "Only the GM office approves a unit's rules.")


def test_list_queries_do_not_grow_with_rows(manager, gm, django_assert_max_num_queries):
    for month in range(1, 13):
        services.unit_commission_policy_propose(
            actor=manager, unit=manager.unit, effective_from=dt.date(2026, month, 1), commission_percent="55"
        )
    api = _as(gm)
    with django_assert_max_num_queries(4):
        r = api.get(URL)
    assert r.status_code == 200 and len(r.data["results"]) == 12
