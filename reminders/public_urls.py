from django.urls import path

from . import public_views

urlpatterns = [
    path("u/<str:token>/", public_views.opt_out, name="opt_out"),
    path("sms/report/<str:token>/", public_views.sms_report, name="sms_report"),
    path("sms/reply/<str:token>/", public_views.sms_reply, name="sms_reply"),
]
