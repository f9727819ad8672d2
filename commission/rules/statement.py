"""Every entry of a contract up to a month, and the entries that belong to one month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core.periods import month_end, month_start

from .bonus import bonus_entries
from .book import RuleBook
from .collection import settlement
from .expenses import expense_entries
from .facts import ContractFacts, Entry
from .held import held_entries
from .interest import interest_entries
from .release import release_entries
from .returns import return_entries


def contract_entries(
    facts: ContractFacts, book: RuleBook, upto: dt.date, *, since: dt.date | None = None
) -> list[Entry]:
    """Every money entry of a contract in the months up to and including `upto` (a month start).

    `since` (a month start) skips the interest of earlier months when the caller does not need them.
    Order: release (and retention release), expense excess, cooperation bonus, returns after settlement, then
    interest month by month.
    """
    if not facts.sold:
        return []
    out: list[Entry] = []
    st = settlement(facts)
    upto_end = month_end(upto)
    if st.main is not None and st.main.paid_on <= upto_end:
        settled_month = month_start(st.main.paid_on)
        # The rules of the settlement month (the unit's own over the company's) value the whole contract.
        rules = book.for_month(settled_month, facts.unit_id)
        out.extend(release_entries(facts, rules, st, settled_month, upto_end))
        out.extend(expense_entries(facts, rules, settled_month, upto))
        out.extend(bonus_entries(facts, st.main, settled_month))
        out.extend(return_entries(facts, book, st, upto_end))
    out.extend(interest_entries(facts, book, upto_end, since=since))
    return out


def entries_for_month(facts_list: Sequence[ContractFacts], book: RuleBook, month: dt.date) -> list[Entry]:
    """The entries that belong to `month` itself (no adjustments), held information included."""
    out: list[Entry] = []
    for facts in facts_list:
        out.extend(e for e in contract_entries(facts, book, month) if e.month == month)
        out.extend(held_entries(facts, book, month))
    return out
