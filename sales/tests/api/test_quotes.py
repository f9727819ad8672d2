from decimal import Decimal as D

import pytest

from customers.tests.factories import CustomerFactory
from documents.tests.factories import file_by_receipts
from sales.models import Contract

from ..factories import priced_product, seed_methods
from ._helpers import keys_deep, login

pytestmark = pytest.mark.django_db


class TestQuotesApi:
    def test_engineering_quote_components(self, api_client, salesperson, manager):
        customer = CustomerFactory(owner=salesperson)
        client = login(api_client, salesperson)
        response = client.post(
            "/api/v1/quotes/",
            {"customer": customer.pk, "kind": "engineering", "equipment_cost": "100000"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        # The customer's price is the external line (by default the internal price); the settlement and sales methods
        # are the lists' defaults (an engineering quote: project).
        assert data["amount"] == "170000.00"
        assert [(ln["list_price"], ln["unit_price"]) for ln in data["lines"]] == [("170000.00", "170000.00")]
        assert (data["settlement_method"], data["sales_method"]) == ("transfer", "project")
        # The internal sheet (C, the components, the internal price) is for cost viewers only.
        assert set(keys_deep(data)) & {"components", "equipment_cost", "internal_price", "cost_total"} == set()
        data = login(api_client, manager).get(f"/api/v1/quotes/{data['id']}/").json()
        assert [c["amount"] for c in data["components"]] == ["8000.00", "30000.00", "7000.00", "5000.00", "20000.00"]
        assert (data["equipment_cost"], data["internal_price"]) == ("100000.00", "170000.00")
        # Salespeople cannot change the rates.
        client = login(api_client, salesperson)
        response = client.post(
            "/api/v1/quotes/",
            {"customer": customer.pk, "kind": "engineering", "equipment_cost": "100", "rates": {"design_rate": "1"}},
            format="json",
        )
        assert response.status_code == 403

    def test_engineering_customer_price_is_judged_like_any_line(self, api_client, salesperson, manager):
        """The unit's price to the customer: below the internal price (its standard) the manager approves."""
        seed_methods()
        customer = CustomerFactory(owner=salesperson)
        client = login(api_client, salesperson)
        body = {
            "customer": customer.pk,
            "kind": "engineering",
            "equipment_cost": "100000",
            "customer_price": "169999.99",
            "settlement_method": "lc",
        }
        data = client.post("/api/v1/quotes/", body, format="json").json()
        assert data["amount"] == "169999.99" and data["settlement_method"] == "lc"
        data = client.post(f"/api/v1/quotes/{data['id']}/submit/").json()
        assert data["status"] == "in_review"
        assert [r["code"] for r in data["approval_reasons"]] == ["price_below_standard"]
        # At the internal price exactly: no approval.
        data = client.post("/api/v1/quotes/", {**body, "customer_price": "170000.00"}, format="json").json()
        assert client.post(f"/api/v1/quotes/{data['id']}/submit/").json()["status"] == "approved"
        # An unknown method is a 400 naming the field.
        response = client.post("/api/v1/quotes/", {**body, "sales_method": "barter"}, format="json")
        assert response.status_code == 400 and "sales_method" in str(response.json())


class TestQuoteToContractApi:
    def test_quote_flow_partial_shipment_invoice_and_filing_selectors(
        self, api_client, salesperson, manager, finance, other_salesperson
    ):
        import time_machine

        from sales import selectors

        product = priced_product(standard="1000", cost="100")
        customer = CustomerFactory(owner=salesperson, credit_limit=D("10000000"))
        client = login(api_client, salesperson)
        quote = client.post(
            "/api/v1/quotes/",
            {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "10"}]},
            format="json",
        ).json()
        assert quote["status"] == "draft" and quote["amount"] == "10000.00"
        assert login(api_client, other_salesperson).get(f"/api/v1/quotes/{quote['id']}/").status_code == 404
        client = login(api_client, salesperson)
        assert client.post(f"/api/v1/quotes/{quote['id']}/submit/").json()["status"] == "approved"
        made = client.post(f"/api/v1/quotes/{quote['id']}/make-contract/", {"title": "from quote"}, format="json")
        assert made.status_code == 201
        cid = made.json()["id"]
        # 契約評審: the unit's department manager reviews every contract.
        assert client.post(f"/api/v1/contracts/{cid}/submit/").json()["status"] == "in_review"
        assert login(api_client, manager).post(f"/api/v1/contracts/{cid}/approve/").json()["status"] == "approved"
        client = login(api_client, salesperson)
        with time_machine.travel("2026-05-04 10:00 +0800"):
            assert client.post(f"/api/v1/contracts/{cid}/sign/", {}, format="json").json()["filing_due_on"] == (
                "2026-05-07"
            )
        with time_machine.travel("2026-05-08 10:00 +0800"):
            assert [c.pk for c in selectors.contracts_filing_overdue()] == [cid]
            listed = client.get("/api/v1/contracts/").json()["results"][0]
            assert listed["filing_overdue"] is True
            line_id = client.get(f"/api/v1/contracts/{cid}/").json()["lines"][0]["id"]
            ship = client.post(
                "/api/v1/shipments/",
                {"contract": cid, "shipped_on": "2026-05-08", "lines": [{"contract_line": line_id, "quantity": "4"}]},
                format="json",
            )
            assert ship.status_code == 201 and ship.json()["amount"] == "4000.00"
            too_many = client.post(
                "/api/v1/shipments/",
                {"contract": cid, "shipped_on": "2026-05-08", "lines": [{"contract_line": line_id, "quantity": "7"}]},
                format="json",
            )
            assert too_many.status_code == 400 and "lines" in too_many.json()
            fin = login(api_client, finance)
            invoice = fin.post(
                "/api/v1/invoices/",
                {"contract": cid, "number": "AB-12345678", "issued_on": "2026-05-08", "amount": "4000"},
                format="json",
            )
            assert invoice.status_code == 201
            again = fin.post(
                "/api/v1/invoices/",
                {"contract": cid, "number": "AB-12345679", "issued_on": "2026-05-08", "amount": "6000.01"},
                format="json",
            )
            assert again.status_code == 400 and "amount" in again.json()
            client = login(api_client, salesperson)
            assert file_by_receipts(Contract.objects.get(pk=cid)).status == "filed"
            assert list(selectors.contracts_filing_overdue()) == []
