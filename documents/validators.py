from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .rules import tax_id_valid


def validate_tax_id(value: str) -> None:
    """統一編號: 8 digits passing the Ministry of Finance checksum (divisible by 5; the 7th-digit-is-7 case)."""
    if value and not tax_id_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid business administration number (8 digits with a valid check)."),
            code="invalid_tax_id",
            params={"value": value},
        )
