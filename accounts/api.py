from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.exceptions import ApplicationError, PermissionDenied

from .models import SalesUnit, User
from .rules import token_expires_at
from .services import (
    SecondFactorRefused,
    api_token_obtain,
    api_tokens_revoke,
    second_factor_verify,
    two_factor_required_for,
)


class SalesUnitOutputSerializer(serializers.ModelSerializer):
    manager = serializers.StringRelatedField()

    class Meta:
        model = SalesUnit
        fields = ["id", "code", "name", "name_en", "manager"]


class MeOutputSerializer(serializers.ModelSerializer):
    unit = SalesUnitOutputSerializer(allow_null=True)
    email = serializers.CharField(read_only=True, help_text="May be empty.")  # blank is not format=email

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "role", "unit", "language"]


class MeView(APIView):
    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)


class SalesUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Sales units the caller may see: their own (and the ones they manage); all for company-wide roles."""

    queryset = SalesUnit.objects.none()  # for the schema; get_queryset() decides what a caller sees
    serializer_class = SalesUnitOutputSerializer
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        user = self.request.user
        qs = SalesUnit.objects.select_related("manager").order_by("code")
        if user.is_company_wide:
            return qs
        return qs.filter(id__in=user.team_unit_ids)


class TokenInputSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        write_only=True,
        max_length=20,
        help_text="For a user with two-factor authentication: the authenticator app's 6-digit code (each is "
        "accepted once) or one of their recovery codes (used up).",
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="The token is refused from this moment on; ask for a new one.")


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins for this username from your address. Try again in %(minutes)s minutes.")
    default_code = "locked_out"


ErrorOutput = inline_serializer(
    "AuthErrorOutput",
    {"detail": serializers.CharField(), "code": serializers.CharField(required=False, help_text="`locked_out`")},
)


def _locked_out() -> LockedOut:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LockedOut({"detail": str(LockedOut.default_detail) % {"minutes": minutes}, "code": LockedOut.default_code})


class ObtainAuthTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as `Authorization: Token <token>`).

    The token expires at `expires` (a fixed lifetime from when it was issued); asking again before then returns
    the same token, afterwards a new one. Failed attempts are counted per username and IP address: after too many
    the pair is locked for a cool-off (429, code `locked_out`); requests from one address are also throttled
    (429, code `throttled`).
    """

    authentication_classes = ()  # a stale token in the header must not stop the caller from getting a new one
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"
    serializer_class = TokenInputSerializer

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(
                description="Wrong username or password, or a field missing; for a user with two-factor "
                "authentication, `otp` missing (code `otp_required`) or wrong (`otp_invalid`)."
            ),
            403: OpenApiResponse(
                ErrorOutput,
                description="The user's role requires two-factor authentication and they have not "
                "set it up yet (code `two_factor_required`).",
            ),
            429: OpenApiResponse(
                ErrorOutput,
                description="Locked out after repeated failures, throttled, or too many wrong codes (`otp_throttled`).",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            # django-axes flags the (DRF) request it was handed when this username + IP is locked out.
            if getattr(request, "axes_locked_out", False):
                raise _locked_out() from None
            raise
        user = serializer.validated_data["user"]
        self._second_factor(user, serializer.validated_data.get("otp", ""))
        token = api_token_obtain(user=user)
        return Response(
            TokenOutputSerializer({"token": token.key, "expires": token_expires_at(created=token.created)}).data
        )

    @staticmethod
    def _second_factor(user: User, code: str) -> None:
        """The password alone is not enough for a user with two-factor on; a role that requires two-factor gets no
        token before enrolling (on the site, where the QR code is)."""
        if not user.two_factor_enabled:
            if two_factor_required_for(user):
                raise PermissionDenied(
                    gettext("Your role requires two-factor authentication: set it up on the site first."),
                    code="two_factor_required",
                )
            return
        if not code:
            raise ApplicationError(
                gettext("This account uses two-factor authentication: send the app's code as otp."),
                field="otp",
                code="otp_required",
            )
        try:
            second_factor_verify(user=user, code=code)
        except SecondFactorRefused as exc:
            if exc.code == "otp_throttled":
                raise exceptions.Throttled(wait=exc.extra["wait_seconds"], detail=exc.message) from None
            raise ApplicationError(exc.message, field="otp", code=exc.code) from None


class LogoutView(APIView):
    """Revoke the caller's API token (every token of theirs); a later request with it is refused with 401."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, *args, **kwargs):
        api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
