"""The dimensions the dashboard breaks sales down by, as data: each is one SQL expression over a sold contract
(`c`), its customer (`cu`) and, for line-level dimensions, its order lines (`l`) and products (`p`).

Settlement method (結算方式) and sales method (銷售方式) are read from the contract's fields of that name when the
sales app has them (a foreign key to a method list, or a plain choice field); until then the dimension is listed
as not recorded and the summary holds no rows for it. A new dimension is one more `BreakdownDimension` here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class BreakdownDimension:
    key: str
    label: Any
    sql_key: str = ""  # SQL giving the value's key (text); empty = not recorded
    sql_label: str = ""  # SQL giving the value's label
    joins: str = ""  # extra joins (after `c`, `cu`, and for line-level dimensions `l` and `p`)
    line_level: bool = False  # amounts from order lines (quantity × unit price) rather than contract amounts

    @property
    def available(self) -> bool:
        return bool(self.sql_key)


def _contract_method(field_name: str, key: str, label) -> BreakdownDimension:
    """A dimension read from Contract.<field_name>: a foreign key (labelled by the list's `name`) or a choice."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import Field

    from sales.models import Contract

    try:
        field = Contract._meta.get_field(field_name)
    except FieldDoesNotExist:  # the sales app does not record it yet: the hook stays empty
        return BreakdownDimension(key=key, label=label)
    if not isinstance(field, Field):
        return BreakdownDimension(key=key, label=label)
    related: Any = field.related_model
    if field.is_relation and related is not None:
        table, col = related._meta.db_table, field.column
        name = "name" if any(f.name == "name" for f in related._meta.get_fields()) else "id"
        return BreakdownDimension(
            key=key,
            label=label,
            sql_key=f"COALESCE(c.{col}::text, '')",
            sql_label=f"COALESCE(m_{key}.{name}::text, '')",
            joins=f"LEFT JOIN {table} m_{key} ON m_{key}.id = c.{col}",
        )
    return BreakdownDimension(key=key, label=label, sql_key=f"c.{field.column}::text", sql_label=f"c.{field.column}")


def dimensions() -> list[BreakdownDimension]:
    return [
        BreakdownDimension(
            key="product",
            label=_("Product"),
            sql_key="p.id::text",
            sql_label="p.code || ' ' || p.name",
            line_level=True,
        ),
        BreakdownDimension(key="region", label=_("Sales region"), sql_key="cu.region", sql_label="cu.region"),
        BreakdownDimension(key="tier", label=_("Customer tier"), sql_key="cu.tier", sql_label="cu.tier"),
        _contract_method("settlement_method", "settlement", _("Settlement method")),
        _contract_method("sales_method", "sales_method", _("Sales method")),
    ]
