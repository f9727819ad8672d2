"""Roles are kept in User.role (fast to check in every query) and mirrored as auth groups with permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from .models import Role

DOMAIN_APPS = ["customers", "sales", "reports", "accounts"]


def _perms(apps: list[str], actions: tuple[str, ...]) -> list[Permission]:
    qs = Permission.objects.filter(content_type__app_label__in=apps)
    return [p for p in qs if p.codename.split("_", 1)[0] in actions]


def sync_role_groups() -> None:
    """Create one group per role with the model permissions the role needs (row visibility is separate)."""
    work = ["customers", "sales", "reports"]
    grants = {
        Role.SALESPERSON: _perms(work, ("view", "add", "change")),
        Role.MANAGER: _perms(work, ("view", "add", "change")),
        Role.GM_OFFICE: _perms(DOMAIN_APPS, ("view", "change")),
        Role.FINANCE: _perms(DOMAIN_APPS, ("view",)) + _perms(["sales"], ("add", "change")),
        Role.ADMIN: list(Permission.objects.all()),
        Role.STAFF: _perms(work, ("view",)),
    }
    for role, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(perms)


def group_for(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=role)
    return group
