from django.urls import path

from . import views

app_name = "receivables"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("export.xlsx", views.workbench_export, name="workbench_export"),
    path("customers/<int:pk>/", views.statement, name="statement"),
    path("contracts/<int:pk>/", views.contract_panel, name="contract_panel"),
    path("contracts/<int:pk>/write-off/", views.write_off_propose, name="write_off_propose"),
    path("write-offs/<int:pk>/<slug:action>/", views.write_off_decide, name="write_off_decide"),
]
