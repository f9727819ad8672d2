"""/api/v1/: each app registers its viewsets through its api.register(router)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

import customers.api
import reminders.api
import reports.api
import sales.api
from accounts.api import MeView, SalesUnitViewSet

router = DefaultRouter()
router.register("units", SalesUnitViewSet, basename="unit")
customers.api.register(router)
sales.api.register(router)
reports.api.register(router)
reminders.api.register(router)

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
