from django.urls import path

from . import views

app_name = "commission"
urlpatterns = [
    path("", views.statement_list, name="statements"),
    path("statements/<int:user_id>/<str:month>/", views.statement_detail, name="statement"),
    path("statements/<int:user_id>/<str:month>/print/", views.statement_print, name="statement_print"),
    path("export/<str:month>.xlsx", views.export_xlsx, name="export"),
    path("close/", views.month_close, name="close"),
    path("months/", views.month_list, name="months"),
    path("rules/", views.rule_set_list, name="rule_sets"),
    path("rules/<int:pk>/", views.rule_set_edit, name="rule_set_edit"),
    path("unit-rules/", views.unit_rules, name="unit_rules"),
    path("unit-rules/<int:pk>/<slug:verb>/", views.unit_rules_decide, name="unit_rules_decide"),
    path("summary/", views.summary, name="summary"),
    path("expenses/", views.expense_list, name="expenses"),
    path("expenses/<int:pk>/decide/", views.expense_decide, name="expense_decide"),
    path("contracts/<int:pk>/", views.contract_commission, name="contract"),
    path("market-fund/", views.market_fund, name="market_fund"),
    path("profit/", views.profit, name="profit"),
    path("market-fund/<int:pk>/decide/", views.market_fund_decide, name="market_fund_decide"),
]
