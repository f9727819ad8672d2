from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from .models import Role, SalesUnit, User
from .roles import group_for


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
