"""Reads of the customers app for pages, API and exports. Visibility always through visible_to(user)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from accounts.models import SELLER_ROLES, SalesUnit, User
from core.periods import add_months, month_start
from core.visibility import scope_q

from . import permissions, rules
from .identity import ZH_SUFFIXES, normalize_tax_id, phonetic_tokens, search_key
from .models import (
    Contact,
    ContactLog,
    Customer,
    CustomerConflict,
    FilingPolicy,
    IdentityCollision,
    MemberLevel,
    MonthlyEvaluation,
    MonthlyFiling,
    OwnershipEvent,
    PoolPolicy,
)

CUSTOMER_PANELS = ["sales/_customer_panel.html", "reminders/_customer_panel.html"]
SORTS = {
    "name": "name",
    "-name": "-name",
    "registered": "registered_at",
    "-registered": "-registered_at",
    "owner": "owner__full_name",
    "-owner": "-owner__full_name",
    "region": "region",
    "-region": "-region",
    "last_contact": F("last_contact_at").asc(nulls_first=True),
    "-last_contact": F("last_contact_at").desc(nulls_last=True),
    "credit_limit": "credit_limit",
    "-credit_limit": "-credit_limit",
}


def search_customers(qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Typo-tolerant search on name and short name (trigram word similarity on folded text: width, case and
    Traditional/Simplified folded), plus phone digits and tax number. Best matches first."""
    query = (query or "").strip()
    if not query:
        return qs
    digits = re.sub(r"\D", "", query)
    folded = search_key(query)
    digit_like = len(digits) >= 4 and len(digits) >= len(re.sub(r"[\s\-()+]", "", query)) - 1
    cond = Q()
    if digit_like:
        national = digits[3:] if digits.startswith("886") else digits
        cond = (
            Q(phone_digits__contains=national.lstrip("0") or national)
            | Q(tax_id__startswith=normalize_tax_id(query))
            | Q(search_text__contains=digits)
        )
    elif folded:
        # Every word must appear in the name, exactly or nearly: word_similarity (the indexed <% operator) is 1
        # for an exact word and above the threshold for a typo; words under 3 characters must match exactly.
        for word in _name_words(folded)[:6]:
            cond &= _word_condition(word)
        # Homophones and 注音 slips (童/同, 陳/程): the name holds every pair of neighbouring syllables of the query
        # (customers.identity.phonetic_tokens; a GIN array containment).
        if sounds := phonetic_tokens(query):
            cond |= Q(search_phonetic__contains=sounds[:12])
        tax = normalize_tax_id(query)
        if len(tax) >= 6 and any(ch.isdigit() for ch in tax) and " " not in query.strip():
            cond |= Q(tax_id__startswith=tax)  # registration numbers with letters (foreign customers)
    if not cond:
        return qs.none()
    qs = qs.filter(cond)
    if folded and not digit_like:
        qs = qs.annotate(similarity=TrigramWordSimilarity(folded, "search_text"))
    return qs


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_LEGAL_FORMS = (*ZH_SUFFIXES, "股份")


def _name_words(folded: str) -> list[str]:
    """The query's words less the legal form ("電子股份" → 电子, "股份有限公司" → nothing): the form is in half
    the book and names no one."""
    words = []
    for word in folded.split():
        for form in _LEGAL_FORMS:
            if word.endswith(form):
                word = word[: -len(form)]
                break
        if word:
            words.append(word)
    return words


def _word_condition(word: str) -> Q:
    """One folded query word as a condition the trigram or phonetic GIN index can answer (no sequential scan).

    Three characters or more: word similarity (<%, typo-tolerant). Two Chinese characters: the name contains
    them, checked on the rows holding their syllable pair (the phonetic index; trigrams need three characters).
    Shorter words, and two letters or digits: the start of a word in the name (LIKE 'ab%' and '% ab%' give the
    index the word-start trigrams; "co" in the middle of "Taco" is no match anyone wants)."""
    if len(word) >= 3:
        return Q(search_text__trigram_word_similar=word)
    if len(word) == 2 and all(_CJK.match(ch) for ch in word):
        pair = phonetic_tokens(word)
        if len(pair) == 1:
            return Q(search_phonetic__contains=pair) & Q(search_text__contains=word)
    return Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    owner: int | None = None
    unit: int | None = None
    region: str = ""
    tier: str = ""
    status: str = ""
    sort: str = ""
    warned: bool = False


def customer_list(*, user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    qs = Customer.objects.visible_to(user).select_related("owner", "unit", "member_level")
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.warned:
        qs = qs.filter(release_warned_at__isnull=False)
    if filters.q:
        qs = search_customers(qs, filters.q)
    sort = SORTS.get(filters.sort)
    if sort:
        # Ties broken by the id in the sort's own direction, so one index (field, id) serves both directions.
        qs = qs.order_by(sort, "-pk" if filters.sort.startswith("-") else "pk")
    elif filters.q and "similarity" in qs.query.annotations:
        qs = qs.order_by("-similarity", "name", "pk")
    else:
        qs = qs.order_by("name", "pk")
    return qs


def customer_get(*, user: User, pk: int) -> Customer:
    """The card, or Customer.DoesNotExist (404) when the user may not see it."""
    return Customer.objects.visible_to(user).select_related("owner", "unit", "member_level").get(pk=pk)


def filter_choices(*, user: User) -> dict:
    """Owners, units and regions for the filter dropdowns, limited to what the user can see (cheap queries on
    the user and unit tables; the region list is cached for a few minutes)."""
    sellers = User.objects.filter(is_active=True, role__in=SELLER_ROLES).order_by("full_name", "username")
    if user.is_company_wide:
        owners, units = list(sellers), list(SalesUnit.objects.order_by("code"))
    elif user.is_manager:
        owners = list(sellers.filter(unit_id__in=user.team_unit_ids))
        units = list(SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("code"))
    else:
        owners, units = [], []
    key = f"customers:regions:{'all' if user.is_company_wide else user.pk}"
    regions = cache.get(key)
    if regions is None:
        if user.is_company_wide:
            regions = _all_regions(limit=200)
        else:
            visible = Customer.objects.visible_to(user).exclude(region="")
            regions = list(visible.values_list("region", flat=True).distinct().order_by("region")[:200])
        cache.set(key, regions, 300)
    return {"owners": owners, "units": units, "regions": regions}


def _all_regions(*, limit: int) -> list[str]:
    """Every region in use, by a skip scan of the (region, id) index: one index probe per distinct region, so
    the cost follows the number of regions, not of customers (a DISTINCT would read the whole table)."""
    table = Customer._meta.db_table
    sql = f"""
        WITH RECURSIVE r(region) AS (
            (SELECT region FROM {table} WHERE region > '' ORDER BY region LIMIT 1)
            UNION ALL
            SELECT (SELECT c.region FROM {table} c WHERE c.region > r.region ORDER BY c.region LIMIT 1)
            FROM r WHERE r.region IS NOT NULL
        )
        SELECT region FROM r WHERE region IS NOT NULL LIMIT %s"""  # noqa: S608 - the table name is ours
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def pool_list(*, user: User, q: str = "") -> QuerySet[Customer]:
    if not permissions.can_see_pool(user):
        return Customer.objects.none()
    qs = Customer.objects.in_pool()
    if q:
        qs = search_customers(qs, q)
    released = OwnershipEvent.objects.filter(customer=OuterRef("pk"), kind="release").order_by("-created_at")
    qs = qs.annotate(released_at=Subquery(released.values("created_at")[:1]))
    return qs.order_by("-released_at", "name", "pk")


POOL_CLAIM_LATE_WINDOW = dt.timedelta(days=1)


def pool_claim_allowed(*, user: User, customer_id: int) -> bool:
    """May `user` try to claim customer `customer_id` from the pool (else the claim is a 404)?

    Yes for a customer in the pool or one the user already sees; also for one claimed from the pool in the last
    day, so the loser of a claim race is refused with the owner and a conflict (先入為主). Any other id would let
    a salesperson probe who holds which customer, so it is not found.
    """
    if not permissions.can_see_pool(user):
        return False
    if Customer.objects.in_pool().filter(pk=customer_id).exists():
        return True
    if Customer.objects.visible_to(user).filter(pk=customer_id).exists():
        return True
    latest = OwnershipEvent.objects.filter(customer_id=customer_id).order_by("-created_at", "-pk").first()
    return (
        latest is not None and latest.kind == "claim" and latest.created_at >= timezone.now() - POOL_CLAIM_LATE_WINDOW
    )


def customer_card(*, customer: Customer) -> dict:
    """Everything the card page shows besides the customer itself."""
    contacts = list(customer.contacts.all())
    logs = list(customer.contact_logs.select_related("author", "contact").order_by("-happened_at")[:50])
    evaluations = list(customer.evaluations.select_related("author")[:12])
    strategy = getattr(customer, "strategy", None) if hasattr(customer, "strategy") else None
    return {
        "contacts": contacts,
        "logs": logs,
        "evaluations": evaluations,
        "strategy": strategy,
        "open_conflicts": customer.conflicts.filter(status="open").count(),
        "panels": available_panels(),
    }


AUDITED = (
    "owner",
    "unit",
    "tier",
    "member_level",
    "credit_limit",
    "credit_rating",
    "status",
    "is_trusted",
    "name",
    "tax_id",
)


def available_panels() -> list[str]:
    panels = []
    for name in CUSTOMER_PANELS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        panels.append(name)
    return panels


def conflict_list(*, user: User, status: str = "open") -> QuerySet[CustomerConflict]:
    qs = CustomerConflict.objects.visible_to(user).select_related(
        "customer", "claimant", "claimant_unit", "owner_at_claim", "owner_unit_at_claim", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def identity_collisions(*, user: User) -> QuerySet[IdentityCollision]:
    """Look-alike registrations found when the keys were recomputed: for whoever decides conflicts (GM office)."""
    if not permissions.can_decide_conflicts(user):
        return IdentityCollision.objects.none()
    return IdentityCollision.objects.select_related("customer__owner", "holder__owner").order_by("-found_at", "-id")


# ---------------------------------------------------------------------------------------------------------------
# Monthly filing


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    month = month_start(month)
    nxt = add_months(month, 1)
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(month, dt.time.min, tzinfo=tz), dt.datetime.combine(nxt, dt.time.min, tzinfo=tz)


def filing_policy_for(day: dt.date) -> FilingPolicy:
    """The card-filing policy in force on a day (the rule book's default, the 10th, when none is stored)."""
    return FilingPolicy.objects.in_force(day) or FilingPolicy(effective_from=day, filing_day=rules.DEFAULT_FILING_DAY)


def filing_due_date(month: dt.date) -> dt.date:
    """The last on-time day of `month`'s card filing (the 10th of the following month by default; see
    customers.rules.card_filing_due), with the filing day of the policy in force on the first of that month."""
    first = add_months(month_start(month), 1)
    return rules.card_filing_due(month, filing_day=filing_policy_for(first).filing_day)


@dataclass(frozen=True)
class FilingRow:
    unit: SalesUnit
    customers: int
    new: int
    contacts: int
    evaluations: int
    filing: MonthlyFiling | None
    overdue: bool
    can_file: bool


def filing_units(*, user: User) -> QuerySet[SalesUnit]:
    if user.is_company_wide:
        return SalesUnit.objects.order_by("code")
    if user.is_manager:
        return SalesUnit.objects.filter(pk__in=user.team_unit_ids).order_by("code")
    return SalesUnit.objects.filter(pk=user.unit_id) if user.unit_id else SalesUnit.objects.none()


def filing_overview(*, user: User, month: dt.date, today: dt.date | None = None) -> list[FilingRow]:
    """One row per unit the user may see: its cards for the month, whether it filed, and whether it is late."""
    today = today or timezone.localdate()
    month = month_start(month)
    start, end = month_bounds(month)
    units = list(filing_units(user=user))
    ids = [u.pk for u in units]
    cust = dict(Customer.objects.filter(unit_id__in=ids).values_list("unit_id").annotate(n=Count("id")).order_by())
    new = dict(
        Customer.objects.filter(unit_id__in=ids, registered_at__gte=start, registered_at__lt=end)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    logs = dict(
        ContactLog.objects.filter(customer__unit_id__in=ids, happened_at__gte=start, happened_at__lt=end)
        .values_list("customer__unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    evals = dict(
        MonthlyEvaluation.objects.filter(customer__unit_id__in=ids, month=month)
        .values_list("customer__unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    filings = {
        f.unit_id: f for f in MonthlyFiling.objects.filter(unit_id__in=ids, month=month).select_related("filed_by")
    }
    due = filing_due_date(month)
    return [
        FilingRow(
            unit=u,
            customers=cust.get(u.pk, 0),
            new=new.get(u.pk, 0),
            contacts=logs.get(u.pk, 0),
            evaluations=evals.get(u.pk, 0),
            filing=filings.get(u.pk),
            overdue=u.pk not in filings and rules.card_filing_late(filed_on=today, due=due),
            can_file=permissions.can_file_month(user, u),
        )
        for u in units
    ]


def overdue_filings(*, today: dt.date | None = None) -> list[tuple[SalesUnit, dt.date]]:
    """Units that have not filed last month's cards once the due day (the 10th by default) has passed (for
    reminders and the GM office)."""
    today = today or timezone.localdate()
    last_month = add_months(month_start(today), -1)
    if not rules.card_filing_late(filed_on=today, due=filing_due_date(last_month)):
        return []
    filed = MonthlyFiling.objects.filter(month=last_month).values("unit_id")
    return [(u, last_month) for u in SalesUnit.objects.exclude(pk__in=filed).order_by("code")]


def filing_cards(*, user: User, unit: SalesUnit, month: dt.date) -> QuerySet[Customer]:
    """The unit's customer cards with the month's activity, for the filing page and its XLSX."""
    start, end = month_bounds(month)
    month = month_start(month)
    evals = MonthlyEvaluation.objects.filter(customer=OuterRef("pk"), month=month)
    return (
        Customer.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("owner", "unit", "member_level")
        .annotate(
            month_contacts=Count(
                "contact_logs", filter=Q(contact_logs__happened_at__gte=start, contact_logs__happened_at__lt=end)
            ),
            eval_enthusiasm=Subquery(evals.values("enthusiasm")[:1]),
            eval_credit=Subquery(evals.values("credit")[:1]),
            eval_capability=Subquery(evals.values("capability")[:1]),
            eval_price=Subquery(evals.values("price_discipline")[:1]),
        )
        .order_by("owner__full_name", "name", "pk")
    )


def unfiled_units(*, month: dt.date) -> QuerySet[SalesUnit]:
    """Units that have not filed their customer cards of `month` (any day of it) — for reminders and reports."""
    filed = MonthlyFiling.objects.filter(month=month_start(month)).values("unit_id")
    return SalesUnit.objects.exclude(pk__in=filed).order_by("code")


def pool_policy_for(day: dt.date) -> PoolPolicy:
    """The pool policy in force on `day` (the defaults, 90 idle days and 7 days' warning, before any policy)."""
    policy = PoolPolicy.objects.in_force(day)
    return policy or PoolPolicy(effective_from=day, idle_days=90, warning_days=7)


RANK_CANDIDATES = 500


def find_customers(*, user: User, query: str, limit: int = 8) -> list[Customer]:
    """The navbar search's customers: name (typos and homophones), phone or tax number; best first."""
    qs = search_customers(Customer.objects.visible_to(user), query)
    if "similarity" not in qs.query.annotations:
        return list(qs.select_related("owner").order_by("name", "pk")[:limit])
    # A word every other name holds ("企業", "Co") matches tens of thousands of rows; ranking them all costs a
    # word similarity per row. The best are ranked among the first RANK_CANDIDATES matches the indexes give.
    sample = qs.order_by().values("pk")[:RANK_CANDIDATES]
    ranked = Customer.objects.filter(pk__in=sample).annotate(similarity=qs.query.annotations["similarity"])
    order = ["-similarity", "name", "pk"]
    if sounds := phonetic_tokens(query)[:12]:
        # A name that sounds like the whole query (國元益 → 郭元益) before one that only shares some of its
        # characters (國元實業).
        ranked = ranked.annotate(sounds_like=ExpressionWrapper(Q(search_phonetic__contains=sounds), BooleanField()))
        order.insert(0, "-sounds_like")
    return list(ranked.select_related("owner").order_by(*order)[:limit])


def find_contacts(*, user: User, query: str, limit: int = 8) -> list[Contact]:
    """The navbar search's contact people of customers the user may see: name or phone digits."""
    query = (query or "").strip()
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(re.sub(r"[\s\-()+]", "", query)) - 1:
        national = (digits[3:] if digits.startswith("886") else digits).lstrip("0") or digits
        cond = Q(phone__contains=national)
    elif len(query) >= 2:
        cond = Q(name__icontains=query)
    else:
        return []
    visible = scope_q(user, owner="customer__owner", unit="customer__unit")
    qs = Contact.objects.filter(visible, cond).select_related("customer").order_by("name", "pk")
    return list(qs[:limit])


# --- member levels ------------------------------------------------------------------------------------------------


# The card flags a renewal due this many days ahead (the reminder's own lead time is an admin setting).
MEMBERSHIP_REMINDER_DAYS = 30


def membership_state(customer: Customer, *, today: dt.date | None = None) -> str | None:
    """None (ordinary), "active", "renewal_due" (within 30 days) or "lapsed" (the renewal date has passed)."""
    return rules.membership_state(
        tier=customer.tier,
        renews_on=customer.member_renews_on,
        today=today or timezone.localdate(),
        lead_days=MEMBERSHIP_REMINDER_DAYS,
    )


def member_level_of(customer: Customer, *, on: dt.date | None = None) -> MemberLevel | None:
    """The level whose benefits apply to this customer on `on` (today): a member's level while the membership has
    not lapsed. A lapsed member keeps the level on the card but gets no benefits until renewed."""
    if customer.tier != "member" or customer.member_level_id is None:
        return None
    if membership_state(customer, today=on) == rules.MEMBERSHIP_LAPSED:
        return None
    return customer.member_level


def current_members_q(*, today: dt.date, prefix: str = "") -> Q:
    """Members whose membership has not lapsed on `today` (for querysets of customers, or of rows with `prefix`)."""
    return Q(**{f"{prefix}tier": "member"}) & (
        Q(**{f"{prefix}member_renews_on__isnull": True}) | Q(**{f"{prefix}member_renews_on__gte": today})
    )


def member_levels_by_name() -> dict[str, MemberLevel]:
    return {level.name: level for level in MemberLevel.objects.all()}


def reorder_lead_days_by_customer(*, today: dt.date | None = None) -> dict[int, int]:
    """{customer id: lead days} for current members whose level sets its own reorder reminder lead time (one query)."""
    rows = (
        Customer.objects.filter(current_members_q(today=today or timezone.localdate()))
        .filter(member_level__reorder_lead_days__isnull=False)
        .values_list("id", "member_level__reorder_lead_days")
    )
    return dict(rows)


def memberships_renewing(*, start: dt.date, end: dt.date):
    """Owned member customers whose renewal date falls from `start` to `end` (reminder scans), as value rows:
    (id, name, short name, owner, unit, renewal date, level name)."""
    return (
        Customer.objects.filter(
            tier="member", owner__isnull=False, member_renews_on__gte=start, member_renews_on__lte=end
        )
        .order_by()
        .values_list("id", "name", "short_name", "owner_id", "unit_id", "member_renews_on", "member_level__name")
    )
