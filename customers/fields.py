"""The field lists of a customer card, its strategy and its contact log: named once, used by the services, the
forms, the API and the import. Order matters (forms and the API schema list fields in this order)."""

from __future__ import annotations

# What the card says about the customer (everything a form or the API may write, but the notes).
CARD_FACT_FIELDS = (
    "name",
    "short_name",
    "tax_id",
    "phone",
    "email",
    "address",
    "delivery_address",
    "region",
    "industry",
    "source",
    "status",
    "tier",
    "member_level",
    "member_since",
    "member_renews_on",
    "member_benefits",
    "credit_rating",
    "credit_limit",
    "is_trusted",
)
# Fields of the card a form or the API may write directly (owner/unit move only through claims and reassignment).
CARD_FIELDS = (*CARD_FACT_FIELDS, "notes")
CREDIT_FIELDS = ("credit_rating", "credit_limit", "is_trusted")
IDENTITY_FIELDS = ("name", "tax_id", "phone")
# Card fields an import row copies as they are (the phone is normalised, status/tier/credit are not imported).
IMPORT_COPIED_FIELDS = tuple(
    f
    for f in CARD_FIELDS
    if f not in {"phone", "status", "tier", "member_level", "member_since", "member_renews_on", "member_benefits"}
    and f not in CREDIT_FIELDS
)

STRATEGY_FIELDS = (
    "objectives",
    "decision_makers",
    "needs",
    "competitors",
    "approach",
    "action_plan",
    "potential_amount",
    "review_on",
)

# What a contact log records about the contact, after its kind, time and contact person.
CONTACT_LOG_NOTE_FIELDS = (
    "purpose",
    "outcome",
    "buying_signals",
    "signal_tags",
    "objections",
    "objection_tags",
    "next_step",
    "next_step_date",
)
