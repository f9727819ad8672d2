"""API of the customers app. register() adds its viewsets to the /api/v1/ router.

Separate input and output serializers; the views call services and selectors only. Every queryset goes through
visible_to(user), so another salesperson's customer is a 404 and never appears in a list.
"""

from __future__ import annotations

import functools

import django_filters
from django.db.models import CharField, ExpressionWrapper, F
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from phonenumber_field.phonenumber import to_python as phone_to_python
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from core.api import (
    CommentInputSerializer,
    CommentOutputSerializer,
    TimelineEntryOutputSerializer,
    ValuesListMixin,
    comment_response,
    date_formatter,
    datetime_formatter,
    money_formatter,
    timeline_response,
)
from core.datetimes import DbIsoDateTimeFilter
from core.filters import FilterBackend

from . import rules as customer_rules
from . import selectors, services
from .fields import CARD_FACT_FIELDS, CONTACT_LOG_NOTE_FIELDS
from .models import (
    ContactKind,
    ContactLog,
    Customer,
    CustomerConflict,
    CustomerStatus,
    CustomerTier,
    MemberLevel,
    ObjectionTag,
    SignalTag,
)
from .timeline import customer_timeline

# --- serializers -----------------------------------------------------------------------------------------------


class CustomerOutputSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="phone.as_e164", default="", read_only=True)
    email = serializers.CharField(read_only=True, help_text="May be empty.")  # blank is not format=email
    owner_name = serializers.CharField(source="owner.get_full_name", default=None, allow_null=True, read_only=True)
    unit_name = serializers.CharField(source="unit.name", default=None, allow_null=True, read_only=True)
    member_level = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    membership = serializers.SerializerMethodField(
        help_text="null (ordinary customer), active, renewal_due (within 30 days) or lapsed (renewal date passed)."
    )

    def get_membership(self, obj) -> str | None:
        return selectors.membership_state(obj)

    class Meta:
        model = Customer
        fields = [
            "id",
            *CARD_FACT_FIELDS,
            "owner",
            "owner_name",
            "unit",
            "unit_name",
            "membership",
            "registered_at",
            "owned_since",
            "release_warned_at",
            "last_contact_at",
            "notes",
        ]
        read_only_fields = fields


# The columns a list row is written from (CustomerViewSet.list reads them with .values(): no model instances).
LIST_VALUES = (
    "id",
    *(f if f != "phone" else "phone_stored" for f in CARD_FACT_FIELDS if f != "member_level"),
    "member_level",
    "member_level__name",
    "owner",
    "owner__full_name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "unit",
    "unit__name",
    "registered_at",
    "owned_since",
    "release_warned_at",
    "last_contact_at",
    "notes",
)


@functools.lru_cache(maxsize=8192)
def phone_e164(stored: str | None) -> str:
    """What the output's ``phone`` (source phone.as_e164, default "") is for a phone column as stored: the model
    field's reading of it, as E.164. A pure function of the stored text, memoised (parsing a number is a
    tenth of a list row's cost, and lists show the same customers again and again)."""
    field = Customer._meta.get_field("phone")
    value = phone_to_python(field.from_db_value(stored, None, None), region=field.region)
    try:
        out = value.as_e164
    except AttributeError:
        return ""
    return out


def list_row_writer(fields):
    """A function LIST_VALUES row -> the list's output row, for the current request (today).

    ``fields`` are the output serializer's bound fields: they format the decimal and the dates and times exactly as
    the schema says. The row is what DRF's generic walk over CustomerOutputSerializer gives (test_customer_list_rows).
    """
    money = money_formatter(fields["credit_limit"])
    day = date_formatter(fields["member_since"])
    stamp = datetime_formatter(fields["registered_at"])
    status_choices = fields["status"].to_representation
    tier_choices = fields["tier"].to_representation
    today = timezone.localdate()
    lead_days = selectors.MEMBERSHIP_REMINDER_DAYS

    def maybe(value, fmt):
        return None if value is None else fmt(value)

    def write(r: dict) -> dict:
        owner = r["owner"]
        return {
            "id": r["id"],
            "name": r["name"],
            "short_name": r["short_name"],
            "tax_id": r["tax_id"],
            "phone": phone_e164(r["phone_stored"]),
            "email": r["email"],
            "address": r["address"],
            "delivery_address": r["delivery_address"],
            "region": r["region"],
            "industry": r["industry"],
            "source": r["source"],
            "status": maybe(r["status"], status_choices),
            "tier": maybe(r["tier"], tier_choices),
            "member_level": None if r["member_level"] is None else r["member_level__name"],
            "member_since": maybe(r["member_since"], day),
            "member_renews_on": maybe(r["member_renews_on"], day),
            "member_benefits": r["member_benefits"],
            "credit_rating": r["credit_rating"],
            "credit_limit": maybe(r["credit_limit"], money),
            "is_trusted": r["is_trusted"],
            "owner": owner,
            "owner_name": None
            if owner is None
            else (
                r["owner__full_name"]
                or f"{r['owner__first_name']} {r['owner__last_name']}".strip()
                or r["owner__username"]
            ),
            "unit": r["unit"],
            "unit_name": None if r["unit"] is None else r["unit__name"],
            "membership": customer_rules.membership_state(
                tier=r["tier"], renews_on=r["member_renews_on"], today=today, lead_days=lead_days
            ),
            "registered_at": maybe(r["registered_at"], stamp),
            "owned_since": maybe(r["owned_since"], stamp),
            "release_warned_at": maybe(r["release_warned_at"], stamp),
            "last_contact_at": maybe(r["last_contact_at"], stamp),
            "notes": r["notes"],
        }

    return write


@functools.cache
def _list_fields():
    """The output serializer's fields, built once: only their formatting (to_representation) is used."""
    return CustomerOutputSerializer().fields


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=32, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    delivery_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    region = serializers.CharField(max_length=60, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=60, required=False, allow_blank=True)
    source = serializers.CharField(max_length=60, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CustomerStatus.choices, required=False)
    tier = serializers.ChoiceField(choices=CustomerTier.choices, required=False)
    member_level = serializers.SlugRelatedField(
        slug_field="name",
        queryset=MemberLevel.objects.all(),
        required=False,
        allow_null=True,
        help_text="The member level's name (members only).",
    )
    member_since = serializers.DateField(required=False, allow_null=True)
    member_renews_on = serializers.DateField(required=False, allow_null=True)
    member_benefits = serializers.CharField(required=False, allow_blank=True)
    credit_rating = serializers.CharField(max_length=10, required=False, allow_blank=True)
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    is_trusted = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


# The schema keeps the name it had before the Input/Output naming.
@extend_schema_serializer(component_name="CustomerCreate")
class CustomerCreateInputSerializer(CustomerInputSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    to_pool = serializers.BooleanField(required=False, default=False)


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField(source="phone.as_e164", default="")
    email = serializers.CharField()
    is_primary = serializers.BooleanField()
    notes = serializers.CharField()


class ContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(max_length=255, required=False, allow_blank=True)


class ContactLogOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = ContactLog
        fields = [
            "id",
            "customer",
            "customer_name",
            "author",
            "author_name",
            "contact",
            "kind",
            "happened_at",
            *CONTACT_LOG_NOTE_FIELDS,
            "created_at",
        ]
        read_only_fields = fields


class ContactLogInputSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    contact = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ContactKind.choices, default=ContactKind.VISIT)
    happened_at = serializers.DateTimeField(required=False)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    buying_signals = serializers.CharField(required=False, allow_blank=True)
    signal_tags = serializers.ListField(child=serializers.ChoiceField(choices=SignalTag.choices), required=False)
    objections = serializers.CharField(required=False, allow_blank=True)
    objection_tags = serializers.ListField(child=serializers.ChoiceField(choices=ObjectionTag.choices), required=False)
    next_step = serializers.CharField(max_length=200, required=False, allow_blank=True)
    next_step_date = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)


class ConflictOutputSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    claimant_name = serializers.CharField(source="claimant.get_full_name", read_only=True)
    owner_name = serializers.CharField(
        source="owner_at_claim.get_full_name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = CustomerConflict
        fields = [
            "id",
            "customer",
            "customer_name",
            "claimant",
            "claimant_name",
            "claimant_unit",
            "owner_at_claim",
            "owner_name",
            "owner_unit_at_claim",
            "matched_on",
            "claimed_name",
            "claimed_tax_id",
            "claimed_phone",
            "source",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]
        read_only_fields = fields


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- filters ---------------------------------------------------------------------------------------------------


class CustomerFilter(django_filters.FilterSet):
    owner = django_filters.NumberFilter(field_name="owner_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    region = django_filters.CharFilter()
    tier = django_filters.ChoiceFilter(choices=CustomerTier.choices)
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices)
    release_warned = django_filters.BooleanFilter(field_name="release_warned_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Customer
        fields = ["owner", "unit", "region", "tier", "status"]


class TrigramSearchFilter(filters.BaseFilterBackend):
    """`search`: typo-tolerant trigram search on name and short name, plus phone digits and tax number."""

    def filter_queryset(self, request, queryset, view):
        query = request.query_params.get("search", "").strip()
        if not query:
            return queryset
        qs = selectors.search_customers(queryset, query)
        if not request.query_params.get("ordering") and "similarity" in qs.query.annotations:
            qs = qs.order_by("-similarity", "name", "pk")
        return qs

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "search",
                "required": False,
                "in": "query",
                "description": "Typo-tolerant search: name, short name, phone or tax number.",
                "schema": {"type": "string"},
            }
        ]


class ContactLogFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    author = django_filters.NumberFilter(field_name="author_id")
    kind = django_filters.ChoiceFilter(choices=ContactKind.choices)
    happened_after = DbIsoDateTimeFilter(field_name="happened_at", lookup_expr="gte")
    happened_before = DbIsoDateTimeFilter(field_name="happened_at", lookup_expr="lt")
    next_step_from = django_filters.DateFilter(field_name="next_step_date", lookup_expr="gte")
    next_step_to = django_filters.DateFilter(field_name="next_step_date", lookup_expr="lte")

    class Meta:
        model = ContactLog
        fields = ["customer", "author", "kind"]


# --- views -----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Customers visible to you", responses=CustomerOutputSerializer(many=True)),
    retrieve=extend_schema(responses=CustomerOutputSerializer),
)
class CustomerViewSet(ValuesListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerOutputSerializer
    list_columns = LIST_VALUES
    filterset_class = CustomerFilter
    filter_backends = [
        FilterBackend,
        TrigramSearchFilter,
        filters.OrderingFilter,
    ]
    ordering_fields = ["name", "registered_at", "credit_limit", "last_contact_at", "region", "status"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        if self.action == "list":  # read as .values(LIST_VALUES) by list(): no model instances
            # The phone as stored (text): read as the model field it would be parsed into a number on every row.
            stored = ExpressionWrapper(F("phone"), output_field=CharField())
            return Customer.objects.visible_to(self.request.user).annotate(phone_stored=stored)
        return Customer.objects.visible_to(self.request.user).select_related("owner", "unit", "member_level")

    def list_row_writer(self):
        return list_row_writer(_list_fields())

    @extend_schema(request=CustomerCreateInputSerializer, responses={201: CustomerOutputSerializer})
    def create(self, request):
        """Register (備案) a customer. A customer someone else registered first is refused with 400 and recorded
        as a conflict for the GM office."""
        data = CustomerCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = dict(data.validated_data)
        owner = card.pop("owner", None)
        to_pool = card.pop("to_pool", False)
        customer = services.customer_register(actor=request.user, data=card, owner=owner, to_pool=to_pool)
        return Response(CustomerOutputSerializer(self.get_queryset().get(pk=customer.pk)).data, status=201)

    @extend_schema(request=CustomerInputSerializer, responses=CustomerOutputSerializer)
    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = CustomerInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.customer_update(customer=customer, actor=request.user, data=dict(data.validated_data))
        return Response(CustomerOutputSerializer(self.get_queryset().get(pk=customer.pk)).data)

    @extend_schema(methods=["GET"], responses=ContactOutputSerializer(many=True), summary="Contacts of the customer")
    @extend_schema(methods=["POST"], request=ContactInputSerializer, responses={201: ContactOutputSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def contacts(self, request, pk=None):
        customer = self.get_object()
        if request.method == "POST":
            data = ContactInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            contact = services.contact_create(customer=customer, actor=request.user, data=dict(data.validated_data))
            return Response(ContactOutputSerializer(contact).data, status=status.HTTP_201_CREATED)
        return Response(ContactOutputSerializer(customer.contacts.all(), many=True).data)

    @extend_schema(responses=TimelineEntryOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        """Everything that happened to the customer, newest first, as sentences in the reader's language."""
        return timeline_response(customer_timeline(customer=self.get_object()))

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def comments(self, request, pk=None):
        """Comment on the customer; the owner and the @mentioned who may see the customer are notified."""
        customer = self.get_object()
        return comment_response(
            request, lambda body: services.customer_comment(customer=customer, actor=request.user, body=body)
        )


@extend_schema_view(
    list=extend_schema(summary="Unowned customers in the pool (公海)"),
)
class CustomerPoolViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerOutputSerializer
    filter_backends = [TrigramSearchFilter]

    def get_queryset(self):
        return selectors.pool_list(user=self.request.user).select_related("owner", "unit", "member_level")

    @extend_schema(request=None, responses=CustomerOutputSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim a pool customer; the first claim wins."""
        if not str(pk).isdecimal() or not selectors.pool_claim_allowed(user=request.user, customer_id=int(pk)):
            raise Http404
        customer = services.customer_claim_from_pool(customer_id=int(pk), actor=request.user)
        return Response(CustomerOutputSerializer(customer).data)


@extend_schema_view(list=extend_schema(summary="Contact log (calls, visits, messages) visible to you"))
class ContactLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ContactLogOutputSerializer
    filterset_class = ContactLogFilter
    filter_backends = [FilterBackend, filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["customer__name", "customer__short_name", "purpose", "outcome", "next_step"]
    ordering_fields = ["happened_at", "next_step_date"]
    ordering = ["-happened_at", "-pk"]

    def get_queryset(self):
        return ContactLog.objects.visible_to(self.request.user).select_related("customer", "author")

    @extend_schema(request=ContactLogInputSerializer, responses={201: ContactLogOutputSerializer})
    def create(self, request):
        data = ContactLogInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = values.pop("customer")
        contact_id = values.pop("contact", None)
        contact = customer.contacts.filter(pk=contact_id).first() if contact_id else None
        if contact_id and contact is None:
            raise serializers.ValidationError({"contact": ["This contact person belongs to another customer."]})
        log = services.contact_log_create(customer=customer, actor=request.user, contact=contact, **values)
        return Response(ContactLogOutputSerializer(log).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="Ownership conflicts (碰車)",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "confirmed", "reassigned"])],
    )
)
class CustomerConflictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ConflictOutputSerializer
    filterset_fields = ["status", "customer", "claimant", "matched_on"]
    search_fields = ["claimed_name", "claimed_tax_id", "customer__name"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return CustomerConflict.objects.visible_to(self.request.user).select_related(
            "customer", "claimant", "owner_at_claim"
        )

    @extend_schema(request=DecisionInputSerializer, responses=ConflictOutputSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """GM office: keep the first owner (先入為主)."""
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = services.conflict_confirm_owner(
            conflict=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(ConflictOutputSerializer(self.get_queryset().get(pk=conflict.pk)).data)

    @extend_schema(request=DecisionInputSerializer, responses=ConflictOutputSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """GM office: give the customer to the claimant; a reason is required."""
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = services.conflict_reassign(
            conflict=self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(ConflictOutputSerializer(self.get_queryset().get(pk=conflict.pk)).data)


def register(router) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("customer-pool", CustomerPoolViewSet, basename="customer-pool")
    router.register("contact-logs", ContactLogViewSet, basename="contact-log")
    router.register("customer-conflicts", CustomerConflictViewSet, basename="customer-conflict")
