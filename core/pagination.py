"""Pagination without an exact COUNT(*) over big tables.

- ``KeysetPagination`` (the API's default): a cursor that holds the sort key of the last row seen, so every page,
  the thousandth as the first, is an index range scan of ``page_size`` rows. The ordering is the queryset's own
  (the view's ``order_by`` or the ``ordering`` query parameter), always ended by the primary key so ties (rows
  created in one bulk import share a timestamp) are cut cleanly. A page of ``.values()`` rows (dicts) works the same:
  the cursor reads the sort keys from the row's columns, which must include every sort term (core.api's
  ValuesListMixin adds them). NULLs sort as PostgreSQL sorts them (last when ascending, first when descending).
  Orderings on expressions (search similarity) and plain lists fall back to an offset kept in the cursor. The
  response is DRF's cursor shape: ``{"next", "previous", "results"}``.
- ``EstimatedPaginator`` (the pages): page numbers with "previous/next", a count capped at ``cap`` rows (a COUNT
  over ``LIMIT cap + 1``), and beyond the cap the planner's row estimate shown as "about N".
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from typing import Any
from urllib import parse

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

# --- API: keyset cursor ------------------------------------------------------------------------------------------


def _value_at(obj: Any, path: str) -> Any:
    if isinstance(obj, dict):  # a row of .values(): the sort key is one of its columns
        return obj[path]
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    if hasattr(obj, "pk") and not isinstance(obj, (str, int, float)):  # a related object: its key
        return obj.pk
    return obj


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _field_nullable(model: Any, path: str) -> bool:
    """Whether a sort path can be NULL (unknown names — annotations — are treated as nullable)."""
    opts = model._meta
    nullable = False
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except Exception:  # noqa: BLE001 - an annotation, not a field
            return True
        nullable = nullable or getattr(field, "null", False)
        if field.is_relation and field.related_model is not None and part != path.split("__")[-1]:
            opts = field.related_model._meta
    return nullable


def _unique_not_null(model: Any, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - an annotation or a path
        return False
    return bool(getattr(field, "unique", False)) and not getattr(field, "null", True)


def keyset_after(ordering: Sequence[str], values: Sequence[Any], *, nullable: Sequence[bool]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (each term "field" or "-field"), PostgreSQL NULL order.

    Besides the lexicographic OR chain, the first term gets a plain range condition (``created_at <= v``) the
    planner can use as an index bound, so a deep page starts where it should instead of filtering from the top.
    """
    result: Q | None = None
    for term, value, can_be_null in reversed(list(zip(ordering, values, nullable, strict=True))):
        desc = term.startswith("-")
        name = term.lstrip("-")
        if value is None:
            # ASC: NULLs are last, nothing is after them but other NULLs; DESC: NULLs first, every value follows.
            greater = Q(pk__in=[]) if not desc else Q(**{f"{name}__isnull": False})
            equal = Q(**{f"{name}__isnull": True})
        else:
            greater = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            if can_be_null and not desc:
                greater |= Q(**{f"{name}__isnull": True})
            equal = Q(**{name: value})
        result = greater if result is None else greater | (equal & result)
    assert result is not None
    first, first_value = ordering[0], values[0]
    if first_value is not None and not (nullable[0] and not first.startswith("-")):
        result &= Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": first_value})
    return result


def _reverse(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


class KeysetPagination(CursorPagination):
    """Keyset (seek) pagination for every API list; see the module docstring."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor."

    def _ordering_of(self, queryset: QuerySet) -> tuple[str, ...] | None:
        """The queryset's ordering as plain terms ending with the primary key, or None when it has expressions."""
        terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering) or ["-pk"]
        plain: list[str] = []
        for term in terms:
            if not isinstance(term, str) or term == "?":
                return None
            name = term.lstrip("-")
            plain.append(term.replace("pk", "id") if name == "pk" else term)
            if name in ("pk", "id") or _unique_not_null(queryset.model, name):
                return tuple(plain)
        last_desc = plain[0].startswith("-")
        return (*plain, "-id" if last_desc else "id")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        cursor = self._decode(request)
        self.ordering = self._ordering_of(queryset) if isinstance(queryset, QuerySet) else None
        self.reverse = bool(cursor.get("r"))
        if self.ordering is None:
            return self._offset_page(queryset, int(cursor.get("o", 0)))
        position = cursor.get("p")
        ordering = [_reverse(t) for t in self.ordering] if self.reverse else list(self.ordering)
        qs = queryset.order_by(*ordering)
        if position is not None:
            if not isinstance(position, list) or len(position) != len(ordering):
                raise NotFound(self.invalid_cursor_message)
            nullable = [_field_nullable(queryset.model, t.lstrip("-")) for t in ordering]
            qs = qs.filter(keyset_after(ordering, position, nullable=nullable))
        rows = list(qs[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self.reverse:
            rows.reverse()
            self.has_previous, self.has_next = more, position is not None
        else:
            self.has_next, self.has_previous = more, position is not None
        self.page = rows
        self.offset = None
        return rows

    def _offset_page(self, rows, offset: int):
        offset = max(offset, 0)
        chunk = list(rows[offset : offset + self.page_size + 1])
        self.has_next = len(chunk) > self.page_size
        self.has_previous = offset > 0
        self.page = chunk[: self.page_size]
        self.offset = offset
        return self.page

    def _position(self, row) -> list[Any]:
        assert self.ordering is not None
        return [_jsonable(_value_at(row, t.lstrip("-"))) for t in self.ordering]

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.offset is not None:
            return self._encode({"o": self.offset + self.page_size})
        return self._encode({"p": self._position(self.page[-1])})

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.offset is not None:
            back = self.offset - self.page_size
            return self._encode({"o": back}) if back > 0 else remove_query_param(self.base_url, self.cursor_query_param)
        if not self.page:
            return None
        return self._encode({"p": self._position(self.page[0]), "r": 1})

    def _encode(self, data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return replace_query_param(str(self.base_url), self.cursor_query_param, base64.urlsafe_b64encode(raw).decode())

    def _decode(self, request) -> dict[str, Any]:
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return {}
        try:
            data = json.loads(base64.urlsafe_b64decode(parse.unquote(encoded).encode()).decode())
        except (TypeError, ValueError, UnicodeDecodeError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        if not isinstance(data, dict) or not isinstance(data.get("o", 0), int):
            raise NotFound(self.invalid_cursor_message)
        return data

    def get_html_context(self):  # the browsable API's pager
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link()}


# --- pages: capped count ------------------------------------------------------------------------------------------


def planner_estimate(queryset: QuerySet) -> int:
    """The planner's estimate of how many rows the queryset returns (EXPLAIN, no execution)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next


class EstimatedPaginator(Paginator):
    """Page numbers without an exact COUNT(*): exact up to ``cap`` rows, the planner's estimate beyond.

    ``count`` is the capped count (at most cap + 1); ``exact`` says whether it is the true total;
    ``total_label`` is what a page shows ("1,234" or "≈ 250,000")."""

    cap = 1000

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return rows[: self.cap + 1].count()
        return len(rows)

    @property
    def exact(self) -> bool:
        return self.count <= self.cap

    @cached_property
    def estimated_total(self) -> int:
        if self.exact or not isinstance(self.object_list, QuerySet):
            return self.count
        try:
            return max(planner_estimate(self.object_list), self.count)
        except Exception:  # noqa: BLE001 - an estimate is decoration: never fail the page for it
            return self.count

    @property
    def total_label(self) -> str:
        from django.contrib.humanize.templatetags.humanize import intcomma

        if self.exact:
            return intcomma(self.count)
        return f"≈ {intcomma(self.estimated_total)}"

    @property
    def num_pages_label(self) -> str:
        if self.exact:
            return str(self.num_pages)
        return f"≈ {math.ceil(self.estimated_total / self.per_page):,}"

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if self.exact and number > self.num_pages:
            if number == 1 and self.allow_empty_first_page:
                return number
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return EstimatedPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            last = min(self.num_pages, math.ceil((self.cap + 1) / self.per_page))
            return self.page(max(last, 1))
