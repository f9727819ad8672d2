"""Core's reference rows: the beat heartbeat (see core.reference_data)."""

from core.reference_data import periodic_task


def seed(apps) -> None:
    periodic_task(apps, "Worker heartbeat", "core.heartbeat", every=(5, "minutes"), args='["beat"]')
