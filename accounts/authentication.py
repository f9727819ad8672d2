from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .rules import token_is_expired, two_factor_required


class TokenRefused(exceptions.APIException):
    """401 with `WWW-Authenticate: Token` for a token that was sent but is expired, revoked or unknown.

    Not an AuthenticationFailed: DRF turns those into 403 when the first authenticator (the session) has no
    challenge to offer. A request without any credentials still gets the project's usual 403.
    """

    status_code = 401
    auth_header = "Token"
    default_detail = _("Invalid token.")
    default_code = "token_invalid"


class ExpiredToken(TokenRefused):
    default_detail = _("The API token has expired. Ask for a new one at /api/v1/auth/token/.")
    default_code = "token_expired"


class TwoFactorRequired(exceptions.APIException):
    """403 for a token of someone whose role requires two-factor authentication and who has not set it up (a token
    issued before the requirement): the token endpoint issues no new one either."""

    status_code = 403
    default_detail = _("Your role requires two-factor authentication: set it up on the site first.")
    default_code = "two_factor_required"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than settings.API_TOKEN_LIFETIME with a 401."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            raise TokenRefused(exc.detail) from None

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(created=token.created, now=timezone.now()):
            raise ExpiredToken()
        if not user.two_factor_enabled and two_factor_required(
            role=user.role, is_superuser=user.is_superuser, required_roles=settings.TWO_FACTOR_REQUIRED_ROLES
        ):
            raise TwoFactorRequired({"detail": str(TwoFactorRequired.default_detail), "code": "two_factor_required"})
        return user, token
