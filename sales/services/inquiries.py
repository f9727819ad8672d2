"""Written price inquiries (書面(蓋章)詢價): a sales unit asks the producing unit for the price of a product whose
raw-material prices move; the producing unit's manager answers with a price valid until a day. Every handoff is
an event: the producing unit's managers are told of a new inquiry, whoever asked of the answer."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from sales import approvers, workflows
from sales.models import InquiryStatus, PriceInquiry, Product

from ._common import _dec, _next_number

STAMPED_COPY_TYPES = (".pdf", ".png", ".jpg", ".jpeg")
STAMPED_COPY_MAX_BYTES = 10 * 1024 * 1024


def _check_file(stamped_copy: UploadedFile | None) -> None:
    if stamped_copy is None:
        return
    if os.path.splitext(stamped_copy.name or "")[1].lower() not in STAMPED_COPY_TYPES:
        raise ApplicationError(
            _("Attach a PDF, PNG or JPEG of the stamped inquiry."), field="stamped_copy", code="file_type"
        )
    if stamped_copy.size is not None and stamped_copy.size > STAMPED_COPY_MAX_BYTES:
        raise ApplicationError(_("The file is larger than 10 MB."), field="stamped_copy", code="file_size")


def _lock(inquiry: PriceInquiry) -> PriceInquiry:
    return PriceInquiry.objects.select_for_update().select_related("product").get(pk=inquiry.pk)


def _publish(inquiry: PriceInquiry, action: str, actor: User, *, recipients, note: str = "") -> None:
    events.publish(
        document=workflows.PRICE_INQUIRY.document,
        document_id=inquiry.pk,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "number": inquiry.number,
            "actor": actor.get_full_name(),
            "product": f"{inquiry.product.code} {inquiry.product.name}",
            "valid_until": inquiry.valid_until.isoformat() if inquiry.valid_until else "",
            "url": reverse("sales:inquiry_detail", args=[inquiry.pk]),
        },
    )


@transaction.atomic
def inquiry_create(
    *,
    actor: User,
    product: Product,
    quantity: Decimal | None = None,
    note: str = "",
    stamped_copy: UploadedFile | None = None,
) -> PriceInquiry:
    """A salesperson or manager of a sales unit asks the product's producing unit; its managers are told."""
    if not (actor.is_salesperson or actor.is_manager) or actor.unit_id is None:
        raise PermissionDenied(_("Only salespeople and managers of a sales unit send price inquiries."))
    if not product.needs_price_inquiry:
        raise ApplicationError(
            _("%(code)s is priced from the price list: it needs no price inquiry.") % {"code": product.code},
            field="product",
            code="not_volatile",
        )
    if product.producing_unit_id is None:
        raise ApplicationError(
            _("%(code)s has no producing unit yet: ask an admin to set it.") % {"code": product.code},
            field="product",
            code="no_producing_unit",
        )
    if quantity is not None and _dec(quantity, field="quantity") <= 0:
        raise ApplicationError(_("The quantity must be positive."), field="quantity", code="quantity")
    _check_file(stamped_copy)
    today = timezone.localdate()
    inquiry = PriceInquiry(
        number=_next_number(prefix=f"PI{today:%Y}-", model=PriceInquiry),
        product=product,
        quantity=quantity,
        requesting_unit_id=actor.unit_id,
        producing_unit_id=product.producing_unit_id,
        requested_by=actor,
        note=(note or "").strip(),
    )
    if stamped_copy is not None:
        inquiry.stamped_copy = stamped_copy
    inquiry.save()
    _publish(
        inquiry, "requested", actor, recipients=approvers.unit_managers(inquiry.producing_unit_id, exclude=actor.pk)
    )
    return inquiry


@transaction.atomic
def inquiry_answer(
    *,
    actor: User,
    inquiry: PriceInquiry,
    price: Decimal,
    valid_until: dt.date,
    cost: Decimal | None = None,
    note: str = "",
) -> PriceInquiry:
    """The producing unit's manager answers: the price quotes use, valid through `valid_until` (not in the past)."""
    inquiry = _lock(inquiry)
    workflows.PRICE_INQUIRY.check(actor, inquiry, "answer")
    price = round_money(_dec(price, field="price"))
    if price < 0:
        raise ApplicationError(_("Cannot be negative."), field="price", code="negative")
    if cost is not None:
        cost = round_money(_dec(cost, field="cost"))
        if cost < 0:
            raise ApplicationError(_("Cannot be negative."), field="cost", code="negative")
    if valid_until is None or valid_until < timezone.localdate():
        raise ApplicationError(_("The answer must be valid at least until today."), field="valid_until", code="past")
    inquiry.status = InquiryStatus.ANSWERED
    inquiry.price, inquiry.cost, inquiry.valid_until = price, cost, valid_until
    inquiry.answered_by, inquiry.answered_at = actor, timezone.now()
    inquiry.answer_note = (note or "").strip()
    inquiry.save()
    _publish(inquiry, "answered", actor, recipients=[inquiry.requested_by_id], note=inquiry.answer_note)
    return inquiry


@transaction.atomic
def inquiry_attach(*, actor: User, inquiry: PriceInquiry, stamped_copy: UploadedFile) -> PriceInquiry:
    """Attach (or replace) the stamped inquiry form."""
    inquiry = _lock(inquiry)
    workflows.PRICE_INQUIRY.check(actor, inquiry, "attach")
    if stamped_copy is None:
        raise ApplicationError(_("Choose the file."), field="stamped_copy", code="required")
    _check_file(stamped_copy)
    inquiry.stamped_copy = stamped_copy
    inquiry.save(update_fields=["stamped_copy", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_cancel(*, actor: User, inquiry: PriceInquiry) -> PriceInquiry:
    inquiry = _lock(inquiry)
    workflows.PRICE_INQUIRY.check(actor, inquiry, "cancel")
    inquiry.status = InquiryStatus.CANCELLED
    inquiry.save(update_fields=["status", "updated_at"])
    return inquiry
