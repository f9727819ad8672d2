from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMS_BACKEND = "core.sms.LocmemSMSBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Tests use their own Redis database so they never touch development queues.
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# Under pytest-xdist each worker (and the Celery workers it starts) gets its own Redis database, counting down.
# A subprocess that is handed its broker explicitly (CRM_TEST_BROKER_FIXED) keeps it.
if (_xdist := env("PYTEST_XDIST_WORKER", default="")) and not env("CRM_TEST_BROKER_FIXED", default=""):
    _base, _, _db = CELERY_BROKER_URL.rpartition("/")
    CELERY_BROKER_URL = f"{_base}/{int(_db) - int(_xdist.removeprefix('gw')) - 1}"
LANGUAGE_CODE = "en"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Two-factor enrolment is optional in tests (the suite signs admins, GM office and finance in with force_login);
# accounts/tests/test_two_factor.py turns the requirement on with override_settings.
TWO_FACTOR_REQUIRED_ROLES = []
