"""Several independent read queries in one round trip to the database.

Each query is still one statement (and one entry in the connection's query log, so query-count assertions see
it), but they are sent together in psycopg's pipeline mode and their results read back together: a page that needs
six small independent reads waits for the database once, not six times. Without psycopg 3 (or across database
aliases) the queries simply run one after the other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

Query = QuerySet | tuple[str, Sequence[Any]]


def fetch_together(*queries: Query, using: str | None = None) -> list[list[tuple]]:
    """The rows of each query, in order: a `values_list()` queryset gives the tuples it would give when iterated
    (the ORM's converters applied), `(sql, params)` the raw rows. `using`: the database alias of raw queries (the
    querysets' own alias by default; all must be the same)."""
    aliases = {q.db for q in queries if isinstance(q, QuerySet)} | ({using} if using else set())
    alias = aliases.pop() if len(aliases) == 1 else None
    connection = connections[alias] if alias else None
    if alias is None or connection is None or connection.vendor != "postgresql" or not _has_pipeline(connection):
        return [_fetch_one(q, using=using) for q in queries]
    prepared = [_prepare(q, alias) for q in queries]
    connection.ensure_connection()
    cursors: list[Any] = []
    try:
        with connection.connection.pipeline():
            for _finish, sql, params in prepared:
                if sql is None:
                    cursors.append(None)
                    continue
                cursor = connection.cursor()
                cursors.append(cursor)
                cursor.execute(sql, params)
            fetched = [cursor.fetchall() if cursor is not None else [] for cursor in cursors]
    finally:
        for cursor in cursors:
            if cursor is not None:
                cursor.close()
    return [finish(rows) for (finish, _sql, _params), rows in zip(prepared, fetched, strict=True)]


def _has_pipeline(connection) -> bool:
    connection.ensure_connection()
    return hasattr(connection.connection, "pipeline")


def _fetch_one(query: Query, *, using: str | None) -> list[tuple]:
    if isinstance(query, QuerySet):
        return list(query)
    with connections[using or "default"].cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


def _prepare(query: Query, alias: str):
    """(turn the fetched rows into the query's rows, sql, params); sql None for a query that can match nothing."""
    if not isinstance(query, QuerySet):
        sql, params = query
        return list, sql, params
    if query._iterable_class.__name__ != "ValuesListIterable":
        raise TypeError("fetch_together takes values_list() querysets")
    compiler = query.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return (lambda rows: []), None, None

    def finish(rows: list[tuple]) -> list[tuple]:  # as ValuesListIterable (the select is in the asked order)
        return list(compiler.results_iter(results=[rows], tuple_expected=True))

    return finish, sql, params
