from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from core.exceptions import ApplicationError, PermissionDenied

from .models import RecoveryCode, Role, SalesUnit, User
from .roles import group_for
from .rules import throttle_wait_seconds, token_is_expired, two_factor_required


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Set a user's role, mirror it as the only role group, and give admins access to the Django admin."""
    if role not in Role.values:
        raise ApplicationError(_("Unknown role %(role)s.") % {"role": role}, field="role")
    user.role = role
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    role_groups = user.groups.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    user.groups.add(group_for(role))
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    full_name: str = "",
    unit: SalesUnit | None = None,
    email: str = "",
    language: str = "zh-hant",
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("The username %(name)s is taken.") % {"name": username}, field="username")
    user = User(username=username, full_name=full_name, unit=unit, email=email, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user_set_role(user=user, role=role)


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unsupported language %(code)s.") % {"code": language}, field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def api_token_obtain(*, user: User) -> Token:
    """The user's API token: the current one while it is valid, else a new one (an expired one is deleted)."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_is_expired(created=token.created, now=timezone.now()):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def api_tokens_revoke(*, user: User) -> int:
    """Delete every API token of the user (logout, password change or reset). Returns how many were deleted."""
    deleted, _details = Token.objects.filter(user=user).delete()
    return deleted


# --- two-factor authentication (TOTP, django-otp) ----------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, no 0/O or 1/I: 12 of them are 60 bits


def two_factor_required_for(user: User) -> bool:
    return two_factor_required(
        role=user.role, is_superuser=user.is_superuser, required_roles=settings.TWO_FACTOR_REQUIRED_ROLES
    )


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_recovery_codes(user: User) -> list[str]:
    user.recovery_codes.all().delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _j in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_code_hash(c)) for c in codes)
    return codes


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The device being enrolled: the same unconfirmed key on every visit until it is confirmed with a code."""
    if user.two_factor_enabled:
        raise ApplicationError(_("Two-factor authentication is already on."), code="two_factor_enabled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the enrolment with a code from the app: two-factor is on, recovery codes are made (returned once,
    only their hashes are kept) and API tokens issued without a code are revoked."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
        if user.two_factor_enabled or device is None:
            raise ApplicationError(_("Start the set-up again."), field="code", code="no_enrolment")
        ok = device.verify_token(code.strip())  # counts a failure on the device (throttled like a sign-in)
    if not ok:
        raise ApplicationError(_("That code is not right. Enter the 6 digits the app shows now."), field="code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        user.two_factor_enabled = True
        user.save(update_fields=["two_factor_enabled"])
        codes = _new_recovery_codes(user)
        api_tokens_revoke(user=user)
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, password: str) -> list[str]:
    if not user.two_factor_enabled:
        raise ApplicationError(_("Two-factor authentication is off."), code="two_factor_disabled")
    if not user.check_password(password):
        raise ApplicationError(_("The password is not right."), field="password")
    return _new_recovery_codes(user)


def _two_factor_remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    user.recovery_codes.all().delete()
    user.two_factor_enabled = False
    user.save(update_fields=["two_factor_enabled"])


@transaction.atomic
def two_factor_disable(*, user: User, password: str) -> None:
    """The user turns two-factor off, proving it with their password. Where their role requires it, they are
    asked to enrol again at once (a new phone: disable, then enrol)."""
    if not user.check_password(password):
        raise ApplicationError(_("The password is not right."), field="password")
    _two_factor_remove(user)


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """An admin removes a user's device and recovery codes (a lost phone): the user signs in with the password
    alone and enrols again (at once where the role requires it). Their API tokens are revoked."""
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only an admin can reset two-factor authentication."))
    _two_factor_remove(user)
    api_tokens_revoke(user=user)


class SecondFactorRefused(ApplicationError):
    """A wrong code (code `otp_invalid`) or too many of them in a row (`otp_throttled`, with `wait_seconds`)."""


def second_factor_verify(*, user: User, code: str) -> TOTPDevice:
    """Check the second step of a sign-in: a 6-digit code from the app (each accepted once: a replayed or older
    code is refused) or an unused recovery code (used up by this). Each wrong answer makes the device refuse
    every code for 1, 2, 4, 8 … seconds (django-otp's throttle), recovery codes included."""
    now = timezone.now()
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
        if device is None:
            raise ApplicationError(_("Two-factor authentication is off."), field="code", code="two_factor_disabled")
        allowed, info = device.verify_is_allowed()
        if allowed:
            code = code.strip()
            if code.isdigit() and len(code) == device.digits:
                ok = device.verify_token(code)
            else:
                ok = (
                    RecoveryCode.objects.filter(user=user, code_hash=_code_hash(code), used_at__isnull=True).update(
                        used_at=now
                    )
                    == 1
                )
                if ok:
                    device.throttle_reset()
                else:
                    device.throttle_increment()
    if not allowed:
        wait = throttle_wait_seconds(locked_until=info["locked_until"], now=now)
        raise SecondFactorRefused(
            _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": wait},
            field="code",
            code="otp_throttled",
            extra={"wait_seconds": wait},
        )
    if not ok:
        raise SecondFactorRefused(_("That code is not right."), field="code", code="otp_invalid")
    return device


def recovery_codes_left(*, user: User) -> int:
    return user.recovery_codes.filter(used_at__isnull=True).count()
