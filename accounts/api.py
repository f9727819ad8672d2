from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import SalesUnit, User


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


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainAuthTokenView(ObtainAuthToken):
    """Exchange a username and password for the API token (send it as `Authorization: Token <token>`)."""

    @extend_schema(responses=TokenOutputSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
