"""API of the sales app. register() adds its viewsets to the /api/v1/ router.

Input and output serializers are separate; views only translate HTTP to service calls. Cost and margin are in
separate output serializers that salespeople never get (not even as null fields). One module per resource.
"""

from .authority import (
    DiscountAuthorityViewSet,
    SalesPolicyViewSet,
    UnitAuthorityCeilingViewSet,
    UnitSalesPolicyViewSet,
)
from .catalogue import PriceListViewSet, ProductViewSet
from .contracts import ContractViewSet, HiddenRuleTripViewSet
from .fulfilment import InvoiceViewSet, PaymentViewSet, ShipmentViewSet
from .quotes import QuoteViewSet
from .returns import SalesReturnViewSet


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("price-lists", PriceListViewSet, basename="price-list")
    router.register("discount-authorities", DiscountAuthorityViewSet, basename="discount-authority")
    router.register("sales-policies", SalesPolicyViewSet, basename="sales-policy")
    router.register("unit-sales-policies", UnitSalesPolicyViewSet, basename="unit-sales-policy")
    router.register("authority-ceilings", UnitAuthorityCeilingViewSet, basename="authority-ceiling")
    router.register("quotes", QuoteViewSet, basename="quote")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("hidden-rule-trips", HiddenRuleTripViewSet, basename="hidden-rule-trip")
    router.register("shipments", ShipmentViewSet, basename="shipment")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("returns", SalesReturnViewSet, basename="sales-return")
