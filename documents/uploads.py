"""Attachment uploads: which types and how large, enforced before any byte is kept.

The upload view refuses a request whose Content-Length is over the limit before the body is read
(`request_too_large`), then installs `LimitedUploadHandler` first: it skips a file whose name or declared type is
not allowed, or whose size passes the limit, so nothing of it is written to memory or disk. `check_upload` checks
the kept file again (extension, size and its leading bytes), for callers that did not go through the view."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

# extension → (content type, leading bytes that any such file starts with; None: text, checked for NUL bytes)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "webp": ("image/webp", (b"RIFF",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "txt": ("text/plain", None),
}
# Room for the other form fields and the multipart boundaries around the file.
ENVELOPE_BYTES = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def allowed_extensions(only: frozenset[str] | None = None) -> list[str]:
    return sorted(ext for ext in ALLOWED_TYPES if only is None or ext in only)


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def type_error(only: frozenset[str] | None = None) -> str:
    return _("This type of file is not allowed. Allowed: %(types)s.") % {"types": ", ".join(allowed_extensions(only))}


def _allowed(ext: str, only: frozenset[str] | None) -> bool:
    return ext in ALLOWED_TYPES and (only is None or ext in only)


def size_error() -> str:
    return _("The file is too large: at most %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)}


def request_too_large(meta) -> bool:
    """The request's declared Content-Length passes the limit: refuse before reading the body."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_bytes() + ENVELOPE_BYTES


class LimitedUploadHandler(FileUploadHandler):
    """First in the chain: refuses a file by its name/type before its first chunk, and stops once it passes the
    size limit. `self.error` says why (the view shows it)."""

    def __init__(self, request=None, only: frozenset[str] | None = None):
        super().__init__(request)
        self.error = ""
        self.received = 0
        self.only = only

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        self.received = 0
        if not _allowed(_extension(file_name), self.only):
            self.error = type_error(self.only)
            raise SkipFile
        if content_length is not None and content_length > max_bytes():
            self.error = size_error()
            raise SkipFile
        return super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            self.error = size_error()
            raise SkipFile
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size):
        return None


def check_upload(upload: UploadedFile, only: frozenset[str] | None = None) -> tuple[str, str]:
    """(safe file name, content type) of an allowed upload (of the types in `only`, if given), or ApplicationError
    on the field "file"."""
    name = get_valid_filename(PurePath(upload.name or "file").name) or "file"
    ext = _extension(name)
    if not _allowed(ext, only):
        raise ApplicationError(type_error(only), field="file", code="type")
    if (upload.size or 0) > max_bytes():
        raise ApplicationError(size_error(), field="file", code="size")
    if not upload.size:
        raise ApplicationError(_("The file is empty."), field="file", code="empty")
    content_type, magic = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is None:
        ok = b"\x00" not in head
    else:
        ok = any(head.startswith(m) for m in magic)
    if not ok:
        raise ApplicationError(
            _("The file's content does not match its type (.%(ext)s).") % {"ext": ext}, field="file", code="content"
        )
    return name, content_type
