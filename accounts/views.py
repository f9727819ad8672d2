import time
from base64 import b32encode

import qrcode
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from qrcode.image.svg import SvgPathImage

from core.exceptions import ApplicationError
from core.forms import apply_service_error

from .forms import EnrolmentForm, LocalizedPasswordResetForm, PasswordConfirmForm, SecondFactorForm
from .models import User
from .services import (
    SecondFactorRefused,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
    two_factor_disable,
    two_factor_required_for,
    user_set_language,
)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE) for the login page and the admin login: 429."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


@require_POST
def set_language(request):
    """Switch language; for a signed-in user the choice is saved as their preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mailed link also lifts a login lockout on that username.

    The API tokens are revoked by accounts.signals (as on every password change) and other sessions end
    because their stored password hash no longer matches.
    """

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


# --- two-factor authentication -----------------------------------------------------------------------------------

PENDING = "two_factor_pending"


class LoginView(auth_views.LoginView):
    """Django's login page (also at /admin/login/). For a user with two-factor on, the right password only opens
    the second step: nobody is signed in until the code is right (accounts/README.md)."""

    def form_valid(self, form):
        user = form.get_user()
        if not user.two_factor_enabled:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login_verify")


@never_cache
def login_verify(request):
    """The second step of signing in: the authenticator app's code or a recovery code."""
    pending = request.session.get(PENDING)
    fresh = pending is not None and time.time() - pending["at"] <= settings.TWO_FACTOR_PENDING_SECONDS
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if fresh else None
    if user is None or not user.two_factor_enabled:
        if pending is not None:
            del request.session[PENDING]
            messages.info(request, _("Sign in again: the time for entering the code ran out."))
        return redirect("login")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=user, code=form.cleaned_data["code"])
        except SecondFactorRefused as exc:
            apply_service_error(form, exc)
            status = 429 if exc.code == "otp_throttled" else 200
        else:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(pending["next"])
    return render(request, "registration/login_verify.html", {"form": form, "person": user}, status=status)


def _qr_svg(data: str) -> str:
    """The enrolment QR code as inline SVG (paths only, drawn from our own otpauth:// URL)."""
    return qrcode.make(data, image_factory=SvgPathImage, box_size=8, border=2).to_string(encoding="unicode")


def _grouped(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _two_factor_on_page(request, *, disable_form=None, regen_form=None, status=200):
    user = request.user
    context = {
        "codes_left": recovery_codes_left(user=user),
        "required": two_factor_required_for(user),
        "disable_form": disable_form or PasswordConfirmForm(prefix="disable"),
        "regen_form": regen_form or PasswordConfirmForm(prefix="regen"),
    }
    return render(request, "accounts/two_factor_on.html", context, status=status)


@never_cache
@login_required
def two_factor(request):
    """Two-factor authentication: enrol (QR code and key, confirmed with a code), or its state when on."""
    user = request.user
    if user.two_factor_enabled:
        return _two_factor_on_page(request)
    device = totp_device_start(user=user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_device_confirm(user=user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "key": _grouped(b32encode(device.bin_key).decode()),
        "required": two_factor_required_for(user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once; asks for the password."""
    form = PasswordConfirmForm(request.POST, prefix="regen")
    if form.is_valid():
        try:
            codes = recovery_codes_regenerate(user=request.user, password=form.cleaned_data["password"])
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    return _two_factor_on_page(request, regen_form=form, status=400)


@login_required
@require_POST
def two_factor_disable_view(request):
    form = PasswordConfirmForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            two_factor_disable(user=request.user, password=form.cleaned_data["password"])
        except ApplicationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two_factor")
    return _two_factor_on_page(request, disable_form=form, status=400)
