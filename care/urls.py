from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.board, name="board"),
    path("checkups/<int:pk>/", views.checkup, name="checkup"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("customers/<int:pk>/", views.customer_care, name="customer"),
    path("winback/", views.winback, name="winback"),
    path("referrals/", views.referrals, name="referrals"),
    path("members/", views.members, name="members"),
    path("gatherings/", views.gatherings, name="gatherings"),
    path("gatherings/<int:pk>/", views.gathering, name="gathering"),
]
