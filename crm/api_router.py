"""/api/v1/: each app registers its viewsets through its api.register(router)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

import commission.api
import customers.api
import documents.api
import receivables.api
import reminders.api
import reports.api
import sales.api
from accounts.api import LogoutView, MeView, ObtainAuthTokenView, SalesUnitViewSet

router = DefaultRouter()
router.register("units", SalesUnitViewSet, basename="unit")
customers.api.register(router)
sales.api.register(router)
reports.api.register(router)
commission.api.register(router)
reminders.api.register(router)
receivables.api.register(router)
documents.api.register(router)

urlpatterns = [
    path("auth/token/", ObtainAuthTokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
