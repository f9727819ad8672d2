"""The words of the field app's handoff notifications, added to the reminders app's table at start-up."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

MESSAGES = {
    ("field.plan", "submit"): (
        gettext_lazy("Marketing plan %(year)s of %(owner)s waits for your approval"),
        gettext_lazy("%(actor)s submitted the yearly marketing plan."),
    ),
    ("field.plan", "approve"): (
        gettext_lazy("Your marketing plan %(year)s is approved"),
        gettext_lazy("%(actor)s approved it. %(note)s"),
    ),
    ("field.plan", "return"): (
        gettext_lazy("Your marketing plan %(year)s was returned"),
        gettext_lazy("%(actor)s asks for changes: %(note)s"),
    ),
    ("field.report", "escalated"): (
        gettext_lazy("Urgent: problem reported at %(place)s"),
        gettext_lazy("%(actor)s on %(date)s: %(note)s"),
    ),
    ("field.report", "answered"): (
        gettext_lazy("Your manager answered the problem at %(place)s"),
        gettext_lazy("%(actor)s: %(note)s"),
    ),
}


def register() -> None:
    from reminders import handoffs

    handoffs.MESSAGES.update(MESSAGES)
