from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import (
    LoginView,
    PasswordResetConfirmView,
    PasswordResetView,
    login_verify,
    set_language,
    two_factor,
    two_factor_disable_view,
    two_factor_recovery_codes,
)
from core import health

urlpatterns = [
    path("", include("workspace.urls")),
    path("healthz", health.ready, name="healthz"),  # readiness, for older probes
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/login/code/", login_verify, name="login_verify"),
    path("accounts/two-factor/", two_factor, name="two_factor"),
    path("accounts/two-factor/recovery-codes/", two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("accounts/two-factor/disable/", two_factor_disable_view, name="two_factor_disable"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("customers/", include("customers.urls")),
    path("sales/", include("sales.urls")),
    path("reports/", include("reports.urls")),
    path("commission/", include("commission.urls")),
    path("reminders/", include("reminders.urls")),
    path("receivables/", include("receivables.urls")),
    path("documents/", include("documents.urls")),
    path("field/", include("field.urls")),
    path("care/", include("care.urls")),
    path("m/", include("reminders.public_urls")),  # customers' opt-out link, SMS provider webhooks
    # The admin signs in through the same two-step login (password, then the code), with the same lockout.
    path("admin/login/", LoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crm.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
