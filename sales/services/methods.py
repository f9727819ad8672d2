"""Settlement and sales methods (結算方式、銷售方式): the admin-kept lists and their use on quotes and contracts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from sales.models import SalesMethod, SettlementMethod

# The rule book's examples, seeded by the migration and again whenever a list is found empty (a flushed test
# database, a fresh install before its first admin visit): code, Chinese name, English name, default.
SETTLEMENT_SEED = (
    ("cash", "現金", "Cash", False),
    ("transfer", "轉帳", "Bank transfer", True),
    ("monthly", "月結", "Monthly statement", False),
    ("note", "票據", "Promissory note / cheque", False),
    ("lc", "信用狀", "Letter of credit", False),
)
SALES_SEED = (
    ("direct", "直銷", "Direct sale", True),
    ("distributor", "經銷", "Through a distributor", False),
    ("project", "工程項目", "Project", False),
)
PROJECT = "project"  # the sales method engineering turnkey quotes default to

MethodModel = type[SettlementMethod] | type[SalesMethod]


def _seed(model: MethodModel) -> None:
    rows = SETTLEMENT_SEED if model is SettlementMethod else SALES_SEED
    for n, (code, name, name_en, default) in enumerate(rows):
        model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": n, "is_default": default}
        )


def ensure_method_lists() -> None:
    """Seed a list found empty (a fresh install, a flushed test database) with the rule book's examples."""
    for model in (SettlementMethod, SalesMethod):
        if not model.objects.exists():
            _seed(model)


def _default(model: MethodModel, *, field: str, prefer: str = ""):
    if not model.objects.exists():
        _seed(model)
    active = model.objects.filter(is_active=True)
    row = (
        (active.filter(code=prefer).first() if prefer else None)
        or active.filter(is_default=True).first()
        or active.order_by("position", "code").first()
    )
    if row is None:
        raise ApplicationError(_("Choose a method: the admin has deactivated every one."), field=field, code="required")
    return row


def _check(value, model: MethodModel, *, field: str):
    if not isinstance(value, model):
        value = model.objects.filter(pk=getattr(value, "pk", value)).first()
    if value is None or not value.is_active:
        raise ApplicationError(_("Choose one of the active methods."), field=field, code="invalid")
    return value


def resolve_methods(
    *, settlement_method=None, sales_method=None, prefer_sales: str = ""
) -> tuple[SettlementMethod, SalesMethod]:
    """The methods a new quote or contract records: the ones chosen (active), else the lists' defaults."""
    settlement = (
        _check(settlement_method, SettlementMethod, field="settlement_method")
        if settlement_method is not None
        else _default(SettlementMethod, field="settlement_method")
    )
    sales = (
        _check(sales_method, SalesMethod, field="sales_method")
        if sales_method is not None
        else _default(SalesMethod, field="sales_method", prefer=prefer_sales)
    )
    return settlement, sales


def checked_method(value, *, field: str):
    """A method chosen when changing a quote or contract (must be active)."""
    model: MethodModel = SettlementMethod if field == "settlement_method" else SalesMethod
    return _check(value, model, field=field)
