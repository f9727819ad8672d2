from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("unit-rules/", views.unit_rules, name="unit_rules"),
    path("unit-rules/<int:pk>/<slug:verb>/", views.unit_rules_decide, name="unit_rules_decide"),
    path("dashboard/export/<slug:chart>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("daily/", views.daily_list, name="daily_list"),
    path("daily/write/", views.daily_edit, name="daily_today"),
    path("daily/write/<str:date>/", views.daily_edit, name="daily_edit"),
    path("daily/<int:pk>/", views.daily_detail, name="daily_detail"),
    path("daily/<int:pk>/review/", views.daily_review, name="daily_review"),
    path("daily/<int:pk>/comment/", views.daily_comment, name="daily_comment"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("routes/", views.routes, name="routes"),
    path("forecasts/", views.forecasts, name="forecasts"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_new, name="target_new"),
    path("targets/import/", views.target_import, name="target_import"),
    path("targets/import/template.xlsx", views.target_import_template, name="target_import_template"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:user_id>/", views.evaluation_detail, name="evaluation_detail"),
    path("year-end-bonus/", views.year_end_bonus, name="year_end_bonus"),
    path(
        "evaluations/review/<int:pk>/acknowledge/",
        views.evaluation_acknowledge_view,
        name="evaluation_acknowledge",
    ),
    path("evaluations/review/<int:pk>/improvements/", views.improvement_add_view, name="improvement_add"),
    path("lessons/", views.lesson_list, name="lesson_list"),
    path("lessons/new/", views.lesson_new, name="lesson_new"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("improvements/<int:pk>/close/", views.improvement_close_view, name="improvement_close"),
]
