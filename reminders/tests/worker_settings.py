"""Settings of the real Celery workers started by test_celery_workers.py: the test settings, plus e-mail and SMS
backends that append every message handed to the "provider" to a shared log file (and can be made slow)."""

import os

from crm.settings.test import *  # noqa: F403

EMAIL_BACKEND = "reminders.tests.worker_backends.LogEmailBackend"
SMS_BACKEND = "reminders.tests.worker_backends.LogSMSBackend"
DELIVERY_LOG = os.environ.get("DELIVERY_LOG", "/tmp/delivery.log")
DELIVERY_DELAY = float(os.environ.get("DELIVERY_DELAY", "0"))
# These tests count every reminder they create: no scan of their fixtures when a worker starts.
REMINDERS_SCAN_ON_WORKER_START = False

# A suite run with --today / CRM_TEST_TODAY travels the worker's clock to the same moment as the tests'.
from tests.support.clock import activate_from_environment  # noqa: E402

activate_from_environment()
