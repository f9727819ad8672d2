import io
from contextlib import contextmanager
from unittest import mock

import openpyxl
import pytest

from core.exceptions import ApplicationError
from customers.imports import import_apply, import_preview
from customers.models import Customer, CustomerConflict, ImportBatch, MemberLevel
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CSV = """客戶名稱,統一編號,電話,狀態,客戶等級,會員等級,信用額度,業務員
新竹精密機械股份有限公司,53212539,03-555-1234,往來中,會員,金卡,,
Acme Trading Co. Ltd.,,02-2700-0001,active,ordinary,,,
,12345678,,,,,,
ACME TRADING,,,,,,,
Bad Phone Co,,12,,,,,
Someone Elses Customer Ltd,,,,,,,
Pool Customer Ltd,,,,,,,
Unknown Status Co,,,weird,,,,
Credit Co,,,,,,500000,
Foreign Owner Co,,,,,,,nobody
Ordinary With Level Co,,,,ordinary,銀卡,,
"""


@pytest.fixture
def setup_existing(other_salesperson):
    MemberLevel.objects.create(name="金卡")
    CustomerFactory(owner=other_salesperson, name="Someone Else's Customer", tax_id="", phone="")
    CustomerFactory(owner=None, unit=None, name="Pool Customer", tax_id="", phone="")


@contextmanager
def run_tasks_inline():
    """The page enqueues the apply step with delay_on_commit; run the committed task here, in this process."""
    from django.test import TestCase

    from customers import tasks

    with (
        mock.patch.object(tasks.import_apply, "delay", side_effect=lambda *a: tasks.import_apply(*a)),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        yield


def reasons_by_row(batch):
    return {r["row"]: (r["ok"], " | ".join(r["reasons"])) for r in batch.report}


def test_dry_run_reports_every_rejected_row_and_why_and_writes_nothing(salesperson, setup_existing):
    before = Customer.objects.count()
    batch = import_preview(actor=salesperson, filename="book.csv", content=CSV.encode("utf-8-sig"))
    assert Customer.objects.count() == before and not CustomerConflict.objects.exists()
    report = reasons_by_row(batch)
    assert report[2] == (True, "")
    assert report[3] == (True, "")
    assert report[4][0] is False and "name is missing" in report[4][1]
    assert report[5][0] is False and "Same customer as row 3" in report[5][1]
    assert report[6][0] is False and "Invalid phone" in report[6][1]
    assert report[7][0] is False and "Already registered by" in report[7][1] and "conflict" in report[7][1]
    assert report[8][0] is False and "pool" in report[8][1]
    assert report[9][0] is False and "Unknown status" in report[9][1]
    assert report[10][0] is False and "credit" in report[10][1]
    assert report[11][0] is False and "Unknown owner" in report[11][1]
    assert report[12][0] is False and "member level" in report[12][1]


def test_apply_creates_accepted_rows_and_records_conflicts_never_merges(salesperson, other_salesperson, setup_existing):
    batch = import_preview(actor=salesperson, filename="book.csv", content=CSV.encode("utf-8"))
    batch = import_apply(batch_id=batch.pk, actor=salesperson)
    results = {r["row"]: r["result"] for r in batch.report}
    assert results[2] == "created" and results[3] == "created"
    assert results[7] == "conflict"
    assert results[4] == "skipped" and results[6] == "skipped"
    created = Customer.objects.filter(owner=salesperson)
    assert set(created.values_list("name", flat=True)) == {"新竹精密機械股份有限公司", "Acme Trading Co. Ltd."}
    member = created.get(tax_id="53212539")
    assert member.tier == "member" and member.member_level.name == "金卡" and member.status == "active"
    conflict = CustomerConflict.objects.get()
    assert (
        conflict.claimant == salesperson
        and conflict.owner_at_claim == other_salesperson
        and conflict.source == "import"
    )
    assert Customer.objects.get(name="Someone Else's Customer").owner == other_salesperson
    with pytest.raises(ApplicationError):
        import_apply(batch_id=batch.pk, actor=salesperson)


def test_xlsx_import_and_exported_file_reimports_as_duplicates(client, salesperson):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "phone", "region"])
    ws.append(["Harbor Logistics", "04-2325-6789", "中區"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_preview(actor=salesperson, filename="x.xlsx", content=buf.getvalue())
    import_apply(batch_id=batch.pk, actor=salesperson)
    assert Customer.objects.get().region == "中區"
    client.force_login(salesperson)
    exported = client.get("/customers/export.xlsx").content
    again = import_preview(actor=salesperson, filename="again.xlsx", content=exported)
    assert [r["ok"] for r in again.report] == [False]
    assert "Already registered by you" in again.report[0]["reasons"][0]


def test_unreadable_file_and_missing_name_column(salesperson):
    with pytest.raises(ApplicationError) as err:
        import_preview(actor=salesperson, filename="x.csv", content=b"phone,region\n123,north\n")
    assert err.value.field == "file"
    with pytest.raises(ApplicationError):
        import_preview(actor=salesperson, filename="x.xlsx", content=b"not a zip")


def test_import_pages_preview_then_apply(client, salesperson, other_salesperson):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(salesperson)
    upload = SimpleUploadedFile("c.csv", b"name,phone\nPage Import Co,02-2700-9999\n,\n")
    response = client.post("/customers/import/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/customers/import/{batch.pk}/")
    assert "Page Import Co" in client.get(response["Location"]).content.decode()
    client.force_login(other_salesperson)  # another user's batch is not theirs to see or apply
    assert client.get(f"/customers/import/{batch.pk}/").status_code == 404
    assert client.post(f"/customers/import/{batch.pk}/apply/").status_code == 404
    client.force_login(salesperson)
    with run_tasks_inline():
        client.post(f"/customers/import/{batch.pk}/apply/")
    assert Customer.objects.get().owner == salesperson
