"""Every write of the sales app. Keyword-only, typed, atomic; transitions lock the contract row first.

Role failures raise core.exceptions.PermissionDenied (403 in the API and on pages); wrong states and broken rules raise
ApplicationError (400 naming the field). Nothing is half-saved: each function is one transaction.

Split by capability; this package re-exports the public names for callers in other apps
(`from sales import services; services.quote_create(...)`). Code inside the sales app imports from the module.
"""

from ._common import HUNDRED
from .access import is_unit_manager, may_work_on, owner_for
from .catalogue import (
    POLICY_FIELDS,
    UNIT_POLICY_FIELDS,
    PriceInput,
    authority_ceiling_set,
    discount_authority_set,
    price_list_create,
    product_create,
    product_update,
    sales_level_assign,
    sales_policy_set,
    unit_sales_policy_approve,
    unit_sales_policy_propose,
    unit_sales_policy_reject,
)
from .comments import contract_comment, quote_comment
from .contracts import (
    CONTRACT_FIELDS,
    EDITABLE,
    contract_approve,
    contract_cancel,
    contract_create,
    contract_create_from_quote,
    contract_reject,
    contract_sign,
    contract_submit,
    contract_update,
    may_decide,
)
from .fulfilment import SHIPPABLE, ShipInput, invoice_create, payment_record, shipment_create
from .pricing import (
    ENGINEERING_RATES,
    LineInput,
    PricedLine,
    engineering_components,
    price_lines,
    quote_engineering_rates,
    write_priced_lines,
)
from .quotes import quote_approve, quote_create, quote_reject, quote_set_outcome, quote_submit, quote_update
from .returns import return_decide, return_record, returnable_quantity

__all__ = [
    "CONTRACT_FIELDS",
    "EDITABLE",
    "ENGINEERING_RATES",
    "HUNDRED",
    "POLICY_FIELDS",
    "SHIPPABLE",
    "UNIT_POLICY_FIELDS",
    "LineInput",
    "PriceInput",
    "PricedLine",
    "ShipInput",
    "authority_ceiling_set",
    "contract_approve",
    "contract_cancel",
    "contract_comment",
    "contract_create",
    "contract_create_from_quote",
    "contract_reject",
    "contract_sign",
    "contract_submit",
    "contract_update",
    "discount_authority_set",
    "engineering_components",
    "invoice_create",
    "is_unit_manager",
    "may_decide",
    "may_work_on",
    "owner_for",
    "payment_record",
    "price_lines",
    "price_list_create",
    "product_create",
    "product_update",
    "quote_approve",
    "quote_comment",
    "quote_create",
    "quote_engineering_rates",
    "quote_reject",
    "quote_set_outcome",
    "quote_submit",
    "quote_update",
    "return_decide",
    "return_record",
    "returnable_quantity",
    "sales_level_assign",
    "sales_policy_set",
    "shipment_create",
    "unit_sales_policy_approve",
    "unit_sales_policy_propose",
    "unit_sales_policy_reject",
    "write_priced_lines",
]
