from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from .rules import two_factor_required


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Paths that never need a signed-in user's second factor: health probes, static files, customers' public links.
UNGUARDED_PREFIXES = ("/healthz", "/static/", "/media/", "/m/")
# Where a user whose role requires two-factor may go before enrolling: the enrolment page itself, signing out,
# the password pages and the language switch.
ENROLMENT_PREFIXES = ("/accounts/", "/i18n/", "/jsi18n/")


class TwoFactorMiddleware:
    """Two-factor authentication on every page and API call signed in by session (after OTPMiddleware).

    - A user with two-factor on whose session did not pass the second step (a session from before they enrolled)
      is signed out: the request goes on as anonymous (login page, or the API's 403).
    - A user whose role requires two-factor (settings.TWO_FACTOR_REQUIRED_ROLES) and who has not enrolled is sent
      to the enrolment page; the API answers 403 with the code `two_factor_required`.
    Reads only the user row the session already loads (User.two_factor_enabled): no query of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(UNGUARDED_PREFIXES):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if user.two_factor_enabled:
            if not user.is_verified():
                logout(request)
            return self.get_response(request)
        required = two_factor_required(
            role=user.role, is_superuser=user.is_superuser, required_roles=settings.TWO_FACTOR_REQUIRED_ROLES
        )
        if not required or request.path.startswith(ENROLMENT_PREFIXES):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            message = _("Your role requires two-factor authentication: set it up before going on.")
            return JsonResponse({"detail": message, "code": "two_factor_required"}, status=403)
        return redirect("two_factor")  # the page says why
