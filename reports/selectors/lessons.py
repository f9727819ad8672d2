"""Lessons a user may read, with their read counts."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.models import User

from ..models import Lesson


def lessons_for(user: User) -> QuerySet[Lesson]:
    """The lessons `user` may read, newest first, each with `read_count` (one per reader)."""
    return (
        Lesson.objects.visible_to(user)
        .select_related("unit", "author", "customer", "contract")
        .annotate(read_count=Count("reads"))
        .order_by("-created_at", "-id")
    )
