"""Find anything (the navbar search): customers, contact people, quotes and contracts the user may see.

Customers by name — typo-tolerant (trigrams) and homophone-tolerant (the pinyin key: 童 finds 同, 程 finds 陳) —
by phone or by tax number; contacts by name or phone; quotes and contracts by the start of their number. Every
part starts from the owning app's visible_to(user), so someone else's record is never listed."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import User
from customers import selectors as customer_selectors
from customers.models import Contact, Customer
from sales import selectors as sales_selectors
from sales.models import Contract, Quote

MAX_QUERY = 100


@dataclass(frozen=True)
class SearchResults:
    query: str
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.contacts or self.quotes or self.contracts)


def find_anything(*, user: User, query: str, limit: int = 8) -> SearchResults:
    query = " ".join((query or "").replace("\x00", "").split())[:MAX_QUERY]
    if not query:
        return SearchResults(query="")
    quotes, contracts = sales_selectors.find_documents(user=user, query=query, limit=limit)
    return SearchResults(
        query=query,
        customers=customer_selectors.find_customers(user=user, query=query, limit=limit),
        contacts=customer_selectors.find_contacts(user=user, query=query, limit=limit),
        quotes=quotes,
        contracts=contracts,
    )
