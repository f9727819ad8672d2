from __future__ import annotations

import datetime as dt
import decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import ISO_8601, exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError, PermissionDenied

PG_INT_MAX = 2_147_483_647  # PostgreSQL integer: a bigger number is a 400 naming the field, not a 500


class StandardPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _django_error_detail(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """One place where service errors become 400s that name the field, and permission refusals 403s."""
    if isinstance(exc, PermissionDenied):
        data = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            data[exc.field] = [str(exc.message)]
        return Response(data, status=403)
    if isinstance(exc, ApplicationError):
        field = exc.field or "non_field_errors"
        data = {field: [exc.message], "code": exc.code}
        if exc.extra:
            data["detail"] = exc.extra
        return Response(data, status=400)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_error_detail(exc))
    return drf_exception_handler(exc, context)


def validated(serializer_class, data, *, partial: bool = False, **context) -> dict:
    """Validate request data with an input serializer; a bad field raises the usual 400 naming it."""
    serializer = serializer_class(data=data, partial=partial, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key limited to what the caller may see: ``queryset.visible_to(request.user)``.

    An existing id the caller may not see answers exactly like an id that does not exist (same 400, same message),
    so the API never tells whether another salesperson's customer or contract exists.
    """

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return super().get_queryset().visible_to(user)


# --- activity timelines and comments (customers, quotes, contracts) -------------------------------------------------


class TimelineEntryOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    text = serializers.CharField(help_text="A sentence in the reader's language.")
    note = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=["event", "comment", "note", "change"])
    details = serializers.ListField(child=serializers.CharField())


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000, help_text="Mention colleagues with @username or @name.")


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField(source="note")
    created_at = serializers.DateTimeField()
    mentions = serializers.ListField(child=serializers.IntegerField(), source="data.mentions")
    notified = serializers.ListField(child=serializers.IntegerField(), source="recipient_ids")


def timeline_response(entries) -> Response:
    return Response(TimelineEntryOutputSerializer([e.as_dict() for e in entries], many=True).data)


def comment_response(request, post) -> Response:
    """Validate the comment's input (400 naming `body`), call the app's service, answer 201 with what was told."""
    data = CommentInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    activity = post(data.validated_data["body"])
    return Response(CommentOutputSerializer(activity).data, status=201)


# list() over .values() rows instead of model instances (profiled on the contracts and customers API lists:
# building the page's model instances — the row and each select_related object, ~250 per 50-row page — and DRF's
# generic walk over the declared fields were most of a request's Python time).
#
# The view names the columns its rows are written from (``list_columns``) and writes each page's rows with
# ``list_row_writer()`` (a function dict → output dict, built once per request, so what is per request — the
# language, today — is read once). The sort keys of the queryset's ordering are added to the columns, so the keyset
# cursor reads them off the row. Filtering, ordering, the cursor and the response shape are the view's usual ones;
# the output serializer stays the schema, and a test per view proves its rows equal the serializer's. (A comment,
# not a docstring: drf-spectacular would publish a docstring here as every list operation's description.)
class ValuesListMixin:
    list_columns: tuple[str, ...] = ()

    def list_row_writer(self):  # pragma: no cover - each view writes its own rows
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        columns = list(self.list_columns)
        for term in (*(queryset.query.order_by or queryset.model._meta.ordering), "id"):
            name = term.lstrip("-") if isinstance(term, str) else None
            name = "id" if name == "pk" else name
            if name and name != "?" and name not in columns:
                columns.append(name)
        rows = queryset.values(*columns)
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        write = self.list_row_writer()
        if page is None:
            return Response([write(r) for r in rows])
        return self.get_paginated_response([write(r) for r in page])  # type: ignore[attr-defined]


# --- formatting a list's values as its output fields do, without their per-call lookups ----------------------------
# DRF's DecimalField copies the decimal context and builds its quantum on every call; DateTimeField looks the
# current time zone up on every call. Profiled on a 50-row page that was a seventh of a list request's Python time.
# Each function returns exactly what the field's to_representation returns for a value read from the database
# (anything else goes to the field), with the per-request state (context, time zone) read once: build them per
# request. The list-row tests compare the rows with DRF's generic walk.


def money_formatter(field: serializers.DecimalField):
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if not coerce or field.localize or field.normalize_output or field.decimal_places is None:
        return field.to_representation
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    quantum = decimal.Decimal(".1") ** field.decimal_places
    rounding, slow = field.rounding, field.to_representation

    def money(value):
        if type(value) is not decimal.Decimal:
            return slow(value)
        return f"{value.quantize(quantum, rounding=rounding, context=context):f}"

    return money


def date_formatter(field: serializers.DateField):
    output_format = getattr(field, "format", api_settings.DATE_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601:
        return field.to_representation
    slow = field.to_representation
    return lambda value: value.isoformat() if type(value) is dt.date else slow(value)


def datetime_formatter(field: serializers.DateTimeField):
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if output_format is None or output_format.lower() != ISO_8601 or zone is None:
        return field.to_representation
    slow = field.to_representation

    def stamp(value):
        if type(value) is not dt.datetime or value.utcoffset() is None:
            return slow(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return stamp
