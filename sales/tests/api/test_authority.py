import datetime as dt
from decimal import Decimal as D

import pytest

from sales.models import DiscountAuthority

from ._helpers import login

pytestmark = pytest.mark.django_db


class TestDiscountAuthorityApi:
    def test_salesperson_cannot_raise_own_authority(self, api_client, salesperson):
        client = login(api_client, salesperson)
        response = client.post(
            "/api/v1/discount-authorities/", {"user": salesperson.pk, "max_discount_percent": "50"}, format="json"
        )
        assert response.status_code == 403
        assert DiscountAuthority.objects.count() == 0

    # A unit's manager may now set their own salespeople's authority within a ceiling: test_authority_by_manager.py.
    @pytest.mark.parametrize("role", ["gm", "finance"])
    def test_only_admins_change_it(self, request, api_client, role, salesperson):
        response = login(api_client, request.getfixturevalue(role)).post(
            "/api/v1/discount-authorities/", {"user": salesperson.pk, "max_discount_percent": "50"}, format="json"
        )
        assert response.status_code == 403

    def test_admin_sets_with_history(self, api_client, admin_user, salesperson, teammate):
        client = login(api_client, admin_user)
        for pct, day in (("10", "2026-01-01"), ("12", "2026-02-01")):
            response = client.post(
                "/api/v1/discount-authorities/",
                {"user": salesperson.pk, "max_discount_percent": pct, "effective_from": day},
                format="json",
            )
            assert response.status_code == 201
        assert len(client.get("/api/v1/discount-authorities/").json()["results"]) == 2
        bad = client.post(
            "/api/v1/discount-authorities/", {"user": salesperson.pk, "max_discount_percent": "120"}, format="json"
        )
        assert bad.status_code == 400 and "max_discount_percent" in bad.json()
        from sales.selectors import discount_authority_for

        assert discount_authority_for(user=salesperson, on=dt.date(2026, 1, 15)).percent == D("10")
        assert discount_authority_for(user=salesperson, on=dt.date(2026, 2, 15)).percent == D("12")
        # Others see only their own rows.
        assert len(login(api_client, teammate).get("/api/v1/discount-authorities/").json()["results"]) == 0
        assert len(login(api_client, salesperson).get("/api/v1/discount-authorities/").json()["results"]) == 2
