from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .rules import token_is_expired


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
        return user, token
