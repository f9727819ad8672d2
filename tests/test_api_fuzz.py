"""Fuzz the whole /api/v1/ API in-process with schemathesis: no server error, responses as documented.

The schema is the one /api/schema/ serves; schemathesis generates requests from it (valid and invalid bodies,
query strings and path ids) and sends them through Django's WSGI handler to the test PostgreSQL database, seeded
with the demo company (once), as a salesperson and as an admin. A small fixed number of examples per operation
keeps the file near a minute of CPU. Every operation is fuzzed (EXCLUDED is empty; put a path regex there only
while an app is being built). Error answers are checked against the schema too: core/openapi.py documents them.
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User

EXCLUDED = r"^$"
MAX_EXAMPLES = 2
CALLERS = {"salesperson": "sales01", "admin": "admin"}

APP = get_wsgi_application()


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's handler closes the connection after each request: keep it, as django.test.Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers_headers(db, wsgi_in_test_transaction):
    """The demo company, seeded once (it is the slow part), and a token per caller."""
    call_command("seed_demo", stdout=io.StringIO())
    headers = {}
    for caller, username in CALLERS.items():
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        headers[caller] = {"Authorization": f"Token {token.key}"}
    return headers


def api_operations(headers):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, headers=headers)
    operations = [result.ok() for result in schema.exclude(path_regex=EXCLUDED).get_all_operations()]
    assert len(operations) > 50  # customers, sales, commission, accounts
    return operations


def fuzz(operation, headers, mode: GenerationMode) -> str | None:
    """Run MAX_EXAMPLES generated requests of one operation; the first failure's report, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # Each request in its own savepoint, as if it were its own transaction: a database error in one request
        # (a 500 reported below) cannot poison the next, and no example sees another's writes.
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance], headers=headers)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (e.g. GET /me/ has no parameters)
        return None
    except (AssertionError, BaseExceptionGroup) as exc:  # every failure of every operation is reported together
        return f"{operation.method.upper()} {operation.path} ({mode}): {exc}"
    return None


def test_api_answers_without_server_errors_and_as_documented(callers_headers):
    failures = [
        f"{caller}: {failure}"
        for caller, headers in callers_headers.items()
        for operation in api_operations(headers)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := fuzz(operation, headers, mode))
    ]
    assert not failures, "\n\n".join(failures)


def test_every_operation_documents_its_error_answers():
    """400, 401, 403, 404 and 429 are in the schema for every operation (core/openapi.py), shaped as answered."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"Error", "ValidationError"} <= set(schema["components"]["schemas"])
    missing = [
        (method.upper(), path, code)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
        for code in ("400", "401", "403", "404", "429")
        if code not in operation["responses"]
    ]
    assert not missing
    assert len(schema["paths"]) > 50
