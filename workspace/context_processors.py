from .inbox import navbar_counts


def inbox(request):
    """The navbar's two badges (inbox items, unread notifications) from one lazy query: only templates that show
    them pay it. Listed after the reminders processor, so its `unread_notifications` is this shared count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: dict[str, tuple[int, int]] = {}

    def counts() -> tuple[int, int]:
        if "n" not in cache:
            cache["n"] = navbar_counts(user=user)
        return cache["n"]

    return {"inbox_count": lambda: counts()[0], "unread_notifications": lambda: counts()[1]}
