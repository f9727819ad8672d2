from django.db import models

from core.visibility import VisibleQuerySet


class ReminderQuerySet(VisibleQuerySet):
    """owner = the staff member responsible (the recipient, or the customer's salesperson)."""

    def for_inbox(self, user):
        """The user's own staff reminders (what the reminders page and the navbar show)."""
        return self.filter(owner=user, audience="staff")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A notification is private to its user."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class PreferenceQuerySet(VisibleQuerySet):
    owner_field = "customer__owner"
    unit_field = "customer__unit"
