from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/<slug:action>/", views.plan_action, name="plan_action"),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/leads/<int:line>/prospect/", views.lead_convert, name="lead_convert"),
    path("reports/<int:pk>/leads/<int:line>/link/", views.lead_link, name="lead_link"),
    path("intelligence/", views.intelligence, name="intelligence"),
]
