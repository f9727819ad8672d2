"""The registry of reminder kinds: every kind has a scan, and a kind is registered once."""

import pytest

from reminders import services
from reminders.models import ReminderKind
from reminders.scans import REGISTRY, register, registered, scan_all


def test_every_reminder_kind_is_registered_in_the_order_of_the_choices():
    assert [rules.kind for rules in registered()] == list(ReminderKind)
    assert all(callable(rules.scan) for rules in registered())


def test_a_kind_cannot_be_registered_twice():
    with pytest.raises(ValueError):
        register(ReminderKind.FOLLOW_UP, scan=REGISTRY[ReminderKind.FOLLOW_UP].scan)


def test_the_services_module_still_offers_the_scan_and_sender_names():
    assert services.reminders_scan is scan_all
    assert list(services.SCANS) == list(REGISTRY)
    assert callable(services.reminders_send_due) and callable(services.reminder_send_next)
