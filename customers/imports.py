"""Customer import (CSV/XLSX) with a dry-run preview that names every rejected row and why, and export.

Duplicates are never merged: a row whose customer is already registered by someone else is rejected, and
applying the import records it as a conflict (碰車) for the GM office, exactly like a registration by hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied
from core.exports import csv_bytes, safe_row, unescape_cell

from .fields import IMPORT_COPIED_FIELDS
from .identity import identity_keys
from .models import CustomerStatus, CustomerTier, IdentityKind, ImportBatch, MemberLevel
from .services import RegistrationRefused, _holder_of, _owner_label, customer_register

MAX_ROWS = 5000
MAX_PHYSICAL_ROWS = MAX_ROWS * 2  # blank lines count too, so a file of a million empty rows is refused early
MAX_COLUMNS = 60
MAX_BYTES = 10 * 1024 * 1024
KIND_LABELS = dict(IdentityKind.choices)

# Accepted headers (English field names, English labels, Traditional Chinese labels) → card field.
HEADERS = {
    "name": "name",
    "legal name": "name",
    "客戶名稱": "name",
    "公司名稱": "name",
    "名稱": "name",
    "short_name": "short_name",
    "short name": "short_name",
    "簡稱": "short_name",
    "tax_id": "tax_id",
    "tax id": "tax_id",
    "統一編號": "tax_id",
    "統編": "tax_id",
    "phone": "phone",
    "電話": "phone",
    "email": "email",
    "e-mail": "email",
    "電子郵件": "email",
    "address": "address",
    "地址": "address",
    "delivery_address": "delivery_address",
    "送貨地址": "delivery_address",
    "region": "region",
    "銷售區域": "region",
    "區域": "region",
    "industry": "industry",
    "行業": "industry",
    "產業": "industry",
    "source": "source",
    "來源": "source",
    "status": "status",
    "狀態": "status",
    "tier": "tier",
    "客戶等級": "tier",
    "member_level": "member_level",
    "會員等級": "member_level",
    "credit_rating": "credit_rating",
    "信用評等": "credit_rating",
    "credit_limit": "credit_limit",
    "信用額度": "credit_limit",
    "owner": "owner",
    "業務員": "owner",
    "負責業務": "owner",
    "notes": "notes",
    "備註": "notes",
}
STATUS_WORDS = {v: v for v in CustomerStatus.values} | {
    "潛在客戶": "prospect",
    "潛在": "prospect",
    "往來中": "active",
    "活躍": "active",
    "休眠": "dormant",
    "流失": "lost",
}
TIER_WORDS = {v: v for v in CustomerTier.values} | {
    "普通客戶": "ordinary",
    "普通": "ordinary",
    "會員客戶": "member",
    "會員": "member",
}

EXPORT_COLUMNS = [
    ("name", "客戶名稱 name"),
    ("short_name", "簡稱 short_name"),
    ("tax_id", "統一編號 tax_id"),
    ("phone", "電話 phone"),
    ("email", "email"),
    ("address", "地址 address"),
    ("region", "銷售區域 region"),
    ("industry", "行業 industry"),
    ("source", "來源 source"),
    ("status", "狀態 status"),
    ("tier", "客戶等級 tier"),
    ("member_level", "會員等級 member_level"),
    ("credit_rating", "信用評等 credit_rating"),
    ("credit_limit", "信用額度 credit_limit"),
    ("owner", "業務員 owner"),
    ("unit", "單位 unit"),
    ("registered_at", "備案日期 registered_at"),
]


def _header_field(header: str) -> str | None:
    text = (header or "").strip().lower()
    if text in HEADERS:
        return HEADERS[text]
    # Exported files carry "中文 english" headers: accept either half.
    for part in text.split():
        if part in HEADERS:
            return HEADERS[part]
    return None


def _limit_error(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, field="file", code=code)


def _csv_rows(stream: BinaryIO) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    finally:
        text.detach()  # leave the upload open: it belongs to the request


def _xlsx_rows(stream: BinaryIO) -> Iterator[list[Any]]:
    # read_only streams the sheet's XML row by row instead of building the whole workbook in memory.
    wb = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        yield from ([v for v in row] for row in wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def _trimmed(raw: list[Any]) -> list[Any]:
    end = len(raw)
    while end and (raw[end - 1] is None or str(raw[end - 1]).strip() == ""):
        end -= 1
    return raw[:end]


def _read_rows(filename: str, stream: BinaryIO) -> Iterator[list[Any]]:
    """The file's rows, refused as soon as a limit is passed (columns, rows, NUL bytes); never read whole first."""
    reader = _xlsx_rows(stream) if filename.lower().endswith(".xlsx") else _csv_rows(stream)
    physical = 0
    for raw in reader:
        physical += 1
        if physical > MAX_PHYSICAL_ROWS:
            raise _limit_error(_("At most %(n)s rows per file.") % {"n": MAX_ROWS}, "too_many")
        row = _trimmed(list(raw))
        if len(row) > MAX_COLUMNS:
            raise _limit_error(_("At most %(n)s columns per file.") % {"n": MAX_COLUMNS}, "too_many_columns")
        if any("\x00" in str(v) for v in row if v is not None):
            raise _limit_error(
                _("Row %(row)s contains a NUL byte: this is not a text CSV or XLSX file.") % {"row": physical}, "nul"
            )
        yield row


def parse_file(*, filename: str, content: bytes | BinaryIO) -> list[dict[str, str]]:
    """Rows as {field: text}. Raises ApplicationError (field "file") for an unreadable, oversized or hostile file.

    The limits are checked while the file streams: the size first, then columns and rows as they are read.
    """
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > MAX_BYTES:
        raise _limit_error(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, "too_large")
    rows: list[dict[str, str]] = []
    fields: list[str | None] | None = None
    try:
        for raw in _read_rows(filename, stream):
            if fields is None:
                fields = [_header_field(str(h or "")) for h in raw]
                if "name" not in fields:
                    break
                continue
            row = {}
            for field, value in zip(fields, raw, strict=False):
                if field and value is not None:
                    row[field] = unescape_cell(str(value).strip())
            if any(row.values()):
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise _limit_error(_("At most %(n)s rows per file.") % {"n": MAX_ROWS}, "too_many")
    except ApplicationError:
        raise
    except Exception as exc:  # whatever a broken CSV or XLSX raises (zip, XML, decoding) is the file's fault
        raise ApplicationError(_("The file could not be read: %(e)s") % {"e": exc}, field="file") from exc
    if not fields or "name" not in fields:
        raise ApplicationError(
            _("The file needs a name column (name / 客戶名稱)."), field="file", code="no_name_column"
        )
    return rows


def _check_row(
    row: dict[str, str], *, actor: User, owners: dict[str, User]
) -> tuple[dict[str, Any], User | None, list[str]]:
    """Validate one row without writing: (card data, owner, reasons it is rejected)."""
    reasons: list[str] = []
    data: dict[str, Any] = {}
    for key in IMPORT_COPIED_FIELDS:
        if row.get(key):
            data[key] = row[key]
    if not data.get("name"):
        reasons.append(_("The name is missing."))
    if row.get("phone"):
        from phonenumber_field.phonenumber import to_python

        parsed = to_python(row["phone"])
        if parsed is None or not parsed.is_valid():
            reasons.append(_("Invalid phone number: %(v)s") % {"v": row["phone"]})
        else:
            data["phone"] = parsed.as_e164
    if row.get("email"):
        try:
            validate_email(row["email"])
        except ValidationError:
            reasons.append(_("Invalid e-mail: %(v)s") % {"v": row["email"]})
    if row.get("status"):
        value = STATUS_WORDS.get(row["status"].strip().lower())
        if value is None:
            reasons.append(_("Unknown status: %(v)s") % {"v": row["status"]})
        else:
            data["status"] = value
    if row.get("tier"):
        value = TIER_WORDS.get(row["tier"].strip().lower())
        if value is None:
            reasons.append(_("Unknown tier: %(v)s") % {"v": row["tier"]})
        else:
            data["tier"] = value
    if row.get("member_level"):
        name = row["member_level"].strip()
        level = MemberLevel.objects.filter(name=name).first()
        if level is None:
            reasons.append(_("Unknown member level: %(v)s") % {"v": name})
        elif data.get("tier") != CustomerTier.MEMBER:
            reasons.append(_("A member level needs the member tier."))
        else:
            data["member_level"] = level
    credit_set = False
    if row.get("credit_limit"):
        try:
            value = Decimal(row["credit_limit"].replace(",", ""))
            if value < 0:
                raise InvalidOperation
            data["credit_limit"] = value
            credit_set = value > 0
        except InvalidOperation:
            reasons.append(_("Invalid credit limit: %(v)s") % {"v": row["credit_limit"]})
    if row.get("credit_rating"):
        data["credit_rating"] = row["credit_rating"]
        credit_set = True
    if credit_set and not (actor.is_company_wide or actor.is_manager):
        reasons.append(_("Only the department manager, the GM office or finance may set the credit terms."))
    owner = None
    if row.get("owner"):
        owner = owners.get(row["owner"].strip().lower())
        if owner is None:
            reasons.append(_("Unknown owner: %(v)s") % {"v": row["owner"]})
        elif (
            owner.pk != actor.pk
            and not actor.is_company_wide
            and not (actor.is_manager and owner.unit_id in actor.team_unit_ids)
        ):
            reasons.append(_("You may not register customers for %(v)s.") % {"v": owner.get_full_name()})
    return data, owner, reasons


def _owners_in(rows) -> dict[str, User]:
    names = {r["owner"].strip().lower() for r in rows if r.get("owner")}
    users = User.objects.filter(is_active=True)
    found = {}
    for u in users.filter(username__in=names):
        found[u.username.lower()] = u
    return found


def build_report(*, rows: list[dict[str, str]], actor: User) -> list[dict[str, Any]]:
    """The dry run: one entry per row with 'ok' or the reasons it is rejected. Writes nothing."""
    owners = _owners_in(rows)
    seen: dict[tuple[str, str], int] = {}
    report = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        data, owner, reasons = _check_row(row, actor=actor, owners=owners)
        conflict = False
        if data.get("name"):
            keys = identity_keys(name=data["name"], tax_id=data.get("tax_id", ""), phone=data.get("phone", ""))
            for kind, key in keys.items():
                if (kind, key) in seen:
                    reasons.append(
                        _("Same customer as row %(row)s (same %(kind)s).")
                        % {"row": seen[(kind, key)], "kind": KIND_LABELS[kind]}
                    )
                    break
            for kind, key in keys.items():
                seen.setdefault((kind, key), number)
            held = _holder_of(keys)
            if held is not None:
                kind, holder = held
                who, unit, since = _owner_label(holder)
                claimant = owner or actor
                if holder.owner_id is None:
                    reasons.append(_("Already in the customer pool: %(name)s; claim it there.") % {"name": holder.name})
                elif holder.owner_id == claimant.pk:
                    reasons.append(_("Already registered by you: %(name)s.") % {"name": holder.name})
                else:
                    conflict = True
                    reasons.append(
                        _("Already registered by %(owner)s, %(unit)s, on %(date)s (will be recorded as a conflict).")
                        % {"owner": who, "unit": unit, "date": since}
                    )
        report.append(
            {
                "row": number,
                "name": row.get("name", ""),
                "tax_id": row.get("tax_id", ""),
                "phone": row.get("phone", ""),
                "owner": owner.get_full_name() if owner else (row.get("owner") or actor.get_full_name()),
                "ok": not reasons,
                "conflict": conflict,
                "reasons": reasons,
            }
        )
    return report


def import_preview(*, actor: User, filename: str, content: bytes | BinaryIO) -> ImportBatch:
    rows = parse_file(filename=filename, content=content)
    report = build_report(rows=rows, actor=actor)
    return ImportBatch.objects.create(created_by=actor, filename=filename[:255], rows=rows, report=report)


def import_start(*, batch_id: int, actor: User) -> ImportBatch:
    """Claim a previewed batch for applying (once: a second click or a second tab is refused)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id, created_by=actor)
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ApplicationError(_("This import has already been applied."), code="applied")
        batch.status = ImportBatch.Status.APPLYING
        batch.applied_at = timezone.now()
        batch.progress = 0
        batch.save(update_fields=["status", "applied_at", "progress"])
    return batch


def import_queue(*, batch_id: int, actor: User) -> ImportBatch:
    """Claim the batch and hand the apply step to a Celery worker once this transaction commits."""
    from .tasks import import_apply as apply_task

    batch = import_start(batch_id=batch_id, actor=actor)
    apply_task.delay_on_commit(batch.pk)
    return batch


PROGRESS_EVERY = 25


def import_run(*, batch_id: int) -> ImportBatch:
    """Register every row that passed the dry run; rows clashing with another owner become conflicts.

    Each row is registered in its own transaction (registration's first-come rule applies row by row, and a
    customer registered by someone else since the preview is refused and recorded, not merged). Progress is saved
    every few rows so the page can show it; a batch not in "applying" (already run) is left alone.
    """
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.APPLYING:
        return batch
    actor = batch.created_by
    owners = _owners_in(batch.rows)
    results = []
    for done, (row, entry) in enumerate(zip(batch.rows, batch.report, strict=False), start=1):
        results.append(_apply_row(row, entry, actor=actor, owners=owners))
        if done % PROGRESS_EVERY == 0:
            ImportBatch.objects.filter(pk=batch.pk).update(progress=done)
    batch.report = results
    batch.progress = len(batch.rows)
    batch.status = ImportBatch.Status.APPLIED
    batch.finished_at = timezone.now()
    batch.save(update_fields=["report", "progress", "status", "finished_at"])
    return batch


def _apply_row(row: dict[str, str], entry: dict[str, Any], *, actor: User, owners: dict[str, User]) -> dict:
    if not entry["ok"] and not (entry.get("conflict") and len(entry["reasons"]) == 1):
        return {**entry, "result": "skipped"}
    data, owner, reasons = _check_row(row, actor=actor, owners=owners)
    if reasons:
        return {**entry, "ok": False, "reasons": reasons, "result": "skipped"}
    try:
        customer = customer_register(actor=actor, owner=owner, data=data, source="import")
    except RegistrationRefused as exc:
        return {**entry, "ok": False, "reasons": [exc.message], "result": "conflict" if exc.conflict else "refused"}
    except (ApplicationError, PermissionDenied) as exc:  # a row refused for its owner is reported, not a 403
        return {**entry, "ok": False, "reasons": [exc.message], "result": "refused"}
    return {**entry, "result": "created", "customer_id": customer.pk}


def import_apply(*, batch_id: int, actor: User) -> ImportBatch:
    """Claim and apply in this process (the shell, tests); pages use ``import_queue``."""
    import_start(batch_id=batch_id, actor=actor)
    return import_run(batch_id=batch_id)


# --- export --------------------------------------------------------------------------------------------------


def _export_value(customer, field):
    if field == "owner":
        return customer.owner.username if customer.owner else ""
    if field == "unit":
        return customer.unit.name if customer.unit else ""
    if field == "phone":
        return str(customer.phone or "")
    if field == "registered_at":
        return timezone.localtime(customer.registered_at).strftime("%Y-%m-%d")
    if field == "credit_limit":
        return str(customer.credit_limit)
    return getattr(customer, field) or ""


def export_dataset(customers) -> tablib.Dataset:
    data = tablib.Dataset(headers=[label for _f, label in EXPORT_COLUMNS])
    for customer in customers.iterator(chunk_size=2000):
        data.append(safe_row(_export_value(customer, f) for f, _l in EXPORT_COLUMNS))
    return data


def export_csv(customers) -> bytes:
    rows = ([_export_value(c, f) for f, _l in EXPORT_COLUMNS] for c in customers.iterator(chunk_size=2000))
    return csv_bytes([label for _f, label in EXPORT_COLUMNS], rows)


def export_xlsx(customers) -> bytes:
    return export_dataset(customers).export("xlsx")


def filing_xlsx(*, cards, unit, month) -> bytes:
    """The unit's customer cards for a month (monthly filing), one row per customer."""
    headers = [
        "客戶名稱 name",
        "簡稱 short name",
        "統一編號 tax id",
        "業務員 owner",
        "狀態 status",
        "客戶等級 tier",
        "會員等級 member level",
        "信用評等 credit rating",
        "信用額度 credit limit",
        "備案日期 registered",
        "本月聯繫 contacts this month",
        "最近聯繫 last contact",
        "熱情 enthusiasm",
        "信用 credit",
        "能力 capability",
        "價格紀律 price discipline",
    ]
    data = tablib.Dataset(headers=headers, title=f"{month:%Y-%m}")
    for c in cards:
        data.append(
            safe_row(
                [
                    c.name,
                    c.short_name,
                    c.tax_id,
                    c.owner.get_full_name() if c.owner else "",
                    c.get_status_display(),
                    c.get_tier_display(),
                    c.member_level.name if c.member_level_id else "",
                    c.credit_rating,
                    str(c.credit_limit),
                    timezone.localtime(c.registered_at).strftime("%Y-%m-%d"),
                    c.month_contacts,
                    timezone.localtime(c.last_contact_at).strftime("%Y-%m-%d") if c.last_contact_at else "",
                    c.eval_enthusiasm or "",
                    c.eval_credit or "",
                    c.eval_capability or "",
                    c.eval_price or "",
                ]
            )
        )
    return data.export("xlsx")
