"""One month's overdue interest per salesperson under the old rule and the rule book's (the closing note of the
receivables issue): `manage.py interest_before_after --month 2026-11`.

Old rule (removed): from the contract's *first* shipment, the whole unpaid non-retention amount — goods not yet
shipped included — accrued after the grace months, and a bad-debt write-off changed nothing. New rule
(receivables.rules): each shipment's own unpaid part from two months after its own shipping date; payments settle
the invoice they name, else the oldest shipment; the part written off accrues nothing from the day of approval.
The last two columns count, per salesperson, the contracts whose interest changed for those two reasons."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from commission import rules as p
from commission.selectors import load_facts, parse_month, rule_book
from core.money import ZERO, round_money
from core.periods import add_months, month_end
from sales.models import SOLD_STATUSES, Contract


def old_interest(facts: p.ContractFacts, rules: p.Rules, month: dt.date) -> Decimal:
    """The removed rule, kept here only to compare: one clock from the first shipment on the whole unpaid base."""
    if facts.first_shipped_on is None or not facts.sold:
        return ZERO
    grace_end = add_months(facts.first_shipped_on, rules.interest_grace_months)
    start, end = max(month, grace_end + dt.timedelta(days=1)), month_end(month)
    if start > end:
        return ZERO
    changes = sorted({x.paid_on for x in facts.payments if start < x.paid_on <= end})
    exact = ZERO
    for seg_start, seg_next in itertools.pairwise([start, *changes, end + dt.timedelta(days=1)]):
        exact += p.unpaid_base(facts, seg_start) * rules.interest_rate * (seg_next - seg_start).days / end.day
    return round_money(exact)


class Command(BaseCommand):
    help = "One month's overdue interest per salesperson, old rule against the rule book's per-shipment rule."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, **opts):
        month = parse_month(opts["month"])
        if month is None:
            raise CommandError("--month must be YYYY-MM")
        book = rule_book()
        rules = book.for_month(month)
        before: dict[int, Decimal] = defaultdict(lambda: ZERO)
        after: dict[int, Decimal] = defaultdict(lambda: ZERO)
        unshipped_contracts: dict[int, int] = defaultdict(int)
        written_off_contracts: dict[int, int] = defaultdict(int)
        for facts in load_facts(Contract.objects.filter(status__in=SOLD_STATUSES)):
            old = old_interest(facts, rules, month)
            entry = p.interest_for_month(facts, rules, month)
            new = -entry.amount if entry else ZERO
            before[facts.owner_id] += old
            after[facts.owner_id] += new
            shipped = sum((s.value for s in facts.shipments), ZERO)
            if old != new and shipped < facts.amount:
                unshipped_contracts[facts.owner_id] += 1
            if old != new and any(w.paid_on <= month_end(month) for w in facts.write_offs):
                written_off_contracts[facts.owner_id] += 1
        names = dict(User.objects.filter(pk__in=set(before) | set(after)).values_list("pk", "username"))
        out = self.stdout.write
        out(f"Overdue interest for {month:%Y-%m} (grace {rules.interest_grace_months} months, {rules.interest_rate:%})")
        out(f"{'salesperson':<16}{'before':>12}{'after':>12}{'change':>12}  partly shipped  written off")
        for owner in sorted(set(before) | set(after), key=lambda o: after[o] - before[o]):
            if before[owner] == after[owner] == 0:
                continue
            change = after[owner] - before[owner]
            out(
                f"{names.get(owner, owner)!s:<16}{before[owner]:>12,.2f}{after[owner]:>12,.2f}{change:>+12,.2f}"
                f"  {unshipped_contracts[owner]:>14}  {written_off_contracts[owner]:>11}"
            )
        out(f"{'total':<16}{sum(before.values(), ZERO):>12,.2f}{sum(after.values(), ZERO):>12,.2f}")
