"""Pure rules about credentials: when an API token stops being valid, who must use two-factor authentication."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection

from django.conf import settings


def token_lifetime() -> dt.timedelta:
    return settings.API_TOKEN_LIFETIME


def token_expires_at(*, created: dt.datetime) -> dt.datetime:
    """A token is valid for a fixed lifetime from the moment it was issued (not sliding: see README)."""
    return created + token_lifetime()


def token_is_expired(*, created: dt.datetime, now: dt.datetime) -> bool:
    return now >= token_expires_at(created=created)


def two_factor_required(*, role: str, is_superuser: bool, required_roles: Collection[str]) -> bool:
    """Must this person enrol a second factor before using the site? By role (settings.TWO_FACTOR_REQUIRED_ROLES);
    a superuser counts as an admin."""
    return role in required_roles or (is_superuser and "admin" in required_roles)


def throttle_wait_seconds(*, locked_until: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds left before a throttled device accepts a code again (at least 1)."""
    return max(1, math.ceil((locked_until - now).total_seconds()))
