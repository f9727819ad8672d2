from .selectors import unread_notification_count


def unread_notifications(request):
    """The bell's unread count, computed lazily (only templates that show it pay the query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    cache: dict[str, int] = {}

    def count() -> int:
        if "n" not in cache:
            cache["n"] = unread_notification_count(user=user)
        return cache["n"]

    return {"unread_notifications": count}
