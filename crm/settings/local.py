from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = env.bool("DEBUG", default=True)
# `make run` serves static files as production does (collected, hashed, compressed, cached for a year; see
# core/staticfiles.py). STATIC_LIVE=1 serves them straight from the source folders instead, for editing CSS/JS.
STATIC_LIVE = env.bool("STATIC_LIVE", default=False)
WHITENOISE_USE_FINDERS = STATIC_LIVE
WHITENOISE_AUTOREFRESH = STATIC_LIVE
if STATIC_LIVE:
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Development and the demo company: two-factor stays optional unless asked for (production requires it for admin,
# GM office and finance: base.py).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
