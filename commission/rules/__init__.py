"""The commission rule book as small pure functions: no ORM, no I/O, Decimal only.

Input: facts about a contract (lines, payments, first shipment, cost, approved expenses, bonuses) and the rule
sets with their effective dates. Output: `Entry` rows per month, each naming its rule and its inputs.

Decisions (also in commission/README.md):
- A month uses the newest rule set effective on or before its last day.
- Commission earned = Σ max(0, unit price − standard price) × quantity × commission %, valued with the rules of
  the month the contract is first settled (its non-retention part fully collected). The released part is
  rounded to the cent; the retention-held part is the earned amount minus what was released, so both add up to
  the earned amount to the cent.
- Interest: the clock starts at the first shipment; the amount still unpaid (retention excluded) after the
  grace months accrues the monthly rate pro rata per day of the calendar month (a partial month pays
  days/days-in-month of the rate). A payment counts from the day it is paid.
- Expense excess: allowance (margin < threshold: % of gross profit; else % of sales; no recorded cost: % of
  sales, as the book's "above 6 % of sales") is compared with approved expenses when the contract is settled;
  expenses approved later move the excess in the month they are approved.
- Cooperation bonus: rate × sales (or gross profit), released when the contract is settled.
- Amounts are rounded (ROUND_HALF_UP) only once, at each line's total.

One module per capability:
  facts.py       what the rules read (contract facts) and write (`Entry`), the line components
  book.py        rule sets with effective dates (`Rules`, `RuleBook`)
  collection.py  what has been collected, when a contract is settled, the unpaid base
  release.py     valuing commission and releasing it (with the retention-held part)
  held.py        information lines: commission earned but still held
  interest.py    overdue interest
  expenses.py    expense allowance and excess
  bonus.py       cooperation bonus
  returns.py     commission taken back for goods returned after settlement
  statement.py   every entry of a contract, and the entries of one month
"""

from .bonus import bonus_entries
from .book import DEFAULT_RULES, UNIT_RATES, RuleBook, Rules, UnitRules
from .collection import Settlement, collected, settlement, unpaid_base
from .expenses import Allowance, expense_allowance, expense_entries
from .facts import (
    BONUS,
    EXPENSE,
    HELD,
    INTEREST,
    MONEY_COMPONENTS,
    RELEASE,
    RETENTION_KIND,
    RETENTION_RELEASE,
    RETURN,
    RETURN_KIND,
    BonusFact,
    ContractFacts,
    Entry,
    ExpenseFact,
    InvoiceFact,
    PaymentFact,
    ReturnFact,
    ShipmentFact,
    above_standard,
    pct,
)
from .held import held_entries
from .interest import interest_entries, interest_for_month
from .release import Valuation, release_entries, value_commission
from .returns import return_entries
from .statement import contract_entries, entries_for_month

__all__ = [
    "BONUS",
    "DEFAULT_RULES",
    "EXPENSE",
    "HELD",
    "INTEREST",
    "MONEY_COMPONENTS",
    "RELEASE",
    "RETENTION_KIND",
    "RETENTION_RELEASE",
    "RETURN",
    "RETURN_KIND",
    "UNIT_RATES",
    "Allowance",
    "BonusFact",
    "ContractFacts",
    "Entry",
    "ExpenseFact",
    "InvoiceFact",
    "PaymentFact",
    "ReturnFact",
    "RuleBook",
    "Rules",
    "Settlement",
    "ShipmentFact",
    "UnitRules",
    "Valuation",
    "above_standard",
    "bonus_entries",
    "collected",
    "contract_entries",
    "entries_for_month",
    "expense_allowance",
    "expense_entries",
    "held_entries",
    "interest_entries",
    "interest_for_month",
    "pct",
    "release_entries",
    "return_entries",
    "settlement",
    "unpaid_base",
    "value_commission",
]
