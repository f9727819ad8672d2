"""/api/v1/reminders/ and /api/v1/notifications/: reads via selectors, actions via services."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .messages import link, render
from .models import Notification, Reminder, ReminderKind, ReminderState


class ReminderOutputSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_display",
            "audience",
            "owner",
            "unit",
            "customer",
            "due_on",
            "title",
            "body",
            "url",
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "state",
            "snoozed_until",
            "done_at",
        ]

    def get_title(self, obj) -> str:
        return render(obj)[0]

    def get_body(self, obj) -> str:
        return render(obj)[1]

    def get_url(self, obj) -> str:
        return link(obj)


class SnoozeInputSerializer(serializers.Serializer):
    until = serializers.DateTimeField()


class ReminderFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ReminderKind.choices)
    state = filters.ChoiceFilter(choices=ReminderState.choices)
    mine = filters.BooleanFilter(method="filter_mine", label="only my own staff reminders")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Reminder
        fields = ["kind", "state", "status", "audience", "customer", "owner"]

    def filter_mine(self, queryset, name, value):
        return queryset.for_inbox(self.request.user) if value else queryset


class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reminders the caller may see (own; a manager's unit; everything for GM office, finance, admin)."""

    serializer_class = ReminderOutputSerializer
    filterset_class = ReminderFilter
    ordering_fields = ["due_on", "created_at", "id"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        return Reminder.objects.visible_to(self.request.user).order_by("due_on", "id")

    def _out(self, reminder) -> Response:
        return Response(ReminderOutputSerializer(reminder).data)

    @extend_schema(request=SnoozeInputSerializer, responses=ReminderOutputSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request, pk=None):
        reminder = self.get_object()
        data = SnoozeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.reminder_snooze(reminder_id=reminder.pk, actor=request.user, until=data.validated_data["until"])
        )

    @extend_schema(request=None, responses=ReminderOutputSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        reminder = self.get_object()
        return self._out(services.reminder_done(reminder_id=reminder.pk, actor=request.user))

    @extend_schema(request=None, responses=ReminderOutputSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        reminder = self.get_object()
        return self._out(services.reminder_reopen(reminder_id=reminder.pk, actor=request.user))

    @extend_schema(request=None, responses=ReminderOutputSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        reminder = self.get_object()
        return self._out(services.reminder_retry(reminder_id=reminder.pk, actor=request.user))


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "reminder", "created_at", "read_at"]


# The schema keeps the name it had before the Input/Output naming.
@extend_schema_serializer(component_name="UnreadCount")
class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own in-app notifications."""

    serializer_class = NotificationOutputSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationOutputSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification = services.notification_mark_read(notification_id=notification.pk, actor=request.user)
        return Response(NotificationOutputSerializer(notification).data)

    @extend_schema(request=None, responses=UnreadCountOutputSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_mark_all_read(actor=request.user)
        return Response({"unread": 0})

    @extend_schema(responses=UnreadCountOutputSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": self.get_queryset().unread().count()})


def register(router) -> None:
    router.register("reminders", ReminderViewSet, basename="reminder")
    router.register("notifications", NotificationViewSet, basename="notification")
