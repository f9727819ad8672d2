from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/export.csv", views.product_export, name="product_export"),
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("discount-authority/", views.authority_page, name="authority"),
    path("settings/", views.policy_page, name="policy"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/new/engineering/", views.quote_create, {"kind": "engineering"}, name="quote_create_engineering"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path("quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/<slug:verb>/", views.quote_action, name="quote_action"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/export.csv", views.contract_export, name="contract_export"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/preview/", views.contract_preview, name="contract_preview"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/print/", views.contract_print, name="contract_print"),
    path("contracts/<int:pk>/<slug:verb>/", views.contract_action, name="contract_action"),
    path("receivables/", views.receivables, name="receivables"),
    path("confidential-checks/", views.hidden_rule_trips, name="hidden_rule_trips"),
]
