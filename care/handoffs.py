"""The words of the care app's handoff notifications, added to the reminders app's table at start-up (care sits
above reminders, so it may extend reminders' table; reminders never imports care)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

MESSAGES = {
    ("care.case", "opened"): (
        gettext_lazy("New case %(number)s: %(customer)s"),
        gettext_lazy("%(subject)s — due by %(due)s."),
    ),
    ("care.case", "reassigned"): (
        gettext_lazy("Case %(number)s handed over to %(new_owner)s"),
        gettext_lazy("%(customer)s: %(subject)s. From %(old_owner)s: %(note)s"),
    ),
    ("care.case", "escalated"): (
        gettext_lazy("Case %(number)s is overdue"),
        gettext_lazy("%(customer)s: %(subject)s — owner %(owner)s, was due by %(due)s."),
    ),
    ("care.case", "resolve"): (
        gettext_lazy("Case %(number)s resolved"),
        gettext_lazy("%(customer)s: %(note)s"),
    ),
    ("care.case", "confirm"): (
        gettext_lazy("Case %(number)s closed"),
        gettext_lazy("%(customer)s confirmed the solution."),
    ),
    ("care.case", "reopen"): (
        gettext_lazy("Case %(number)s reopened"),
        gettext_lazy("%(customer)s is not satisfied yet: %(note)s"),
    ),
    ("care.gathering", "attended"): (
        gettext_lazy("%(customer)s came to %(title)s"),
        gettext_lazy("Your customer attended the gathering on %(held_on)s; it is in their contact log. %(note)s"),
    ),
}


def register() -> None:
    from reminders import handoffs

    handoffs.MESSAGES.update(MESSAGES)
