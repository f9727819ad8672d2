"""Pure rules about credentials: when an API token stops being valid."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def token_lifetime() -> dt.timedelta:
    return settings.API_TOKEN_LIFETIME


def token_expires_at(*, created: dt.datetime) -> dt.datetime:
    """A token is valid for a fixed lifetime from the moment it was issued (not sliding: see README)."""
    return created + token_lifetime()


def token_is_expired(*, created: dt.datetime, now: dt.datetime) -> bool:
    return now >= token_expires_at(created=created)
