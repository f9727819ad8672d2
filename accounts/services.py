from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.exceptions import ApplicationError

from .models import Role, SalesUnit, User
from .roles import group_for
from .rules import token_is_expired


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
