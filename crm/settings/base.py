"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path
from tempfile import gettempdir
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

from crm.observability import cache_config, cache_url_for, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_site.CRMAdminConfig",  # django.contrib.admin with labelled autocomplete pickers
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "simple_history",
    "phonenumber_field",
    "import_export",
    "axes",  # login throttling and lockout (keep after django.contrib.auth)
    "django_otp",  # two-factor authentication: TOTP devices (accounts/README.md)
    "django_otp.plugins.otp_totp",
    "django_guid",
    # ours
    "core",
    "accounts",
    "customers",
    "sales",
    "receivables",
    "reports",
    "commission",
    "documents",
    "reminders",
    "field",
    "care",
    "workspace",  # the role-aware home page and demo data: reads every app above
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: the request id covers every later log line
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): this session passed the second step
    "core.db_router.ReplicaReadsMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorMiddleware",  # enrolment where the role requires it; pre-2FA sessions end
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reminders.context_processors.unread_notifications",
                "workspace.context_processors.inbox",
            ],
        },
    },
]

# PostgreSQL is the only database.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/crm"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails fast (the readiness check and the pages), not after the OS's TCP timeout.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
# PgBouncer in transaction pooling mode: no server-side cursors (a cursor does not survive the transaction).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
# A streaming read replica (optional): dashboards, reports and exports read from it (core/db_router.py).
if _replica_url := env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(_replica_url),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        "OPTIONS": {"connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=5)},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# GET requests whose path matches one of these read from the replica (when configured).
REPLICA_READ_PATHS = [
    r"^/reports/$",  # the dashboard
    r"^/reports/(dashboard|forecasts|evaluations)/",
    r"^/api/v1/(dashboard|evaluations)/",
    r"/export[/.]",  # every export (customers, filings, contracts, products, commission)
]
# After a write a browser reads the primary for this long (replication lag never hides one's own change).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes refuses a locked-out username+IP before the model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Traditional Chinese and English; times stored in UTC, shown in Asia/Taipei by default.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hant")
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["crm.formats"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Taipei")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "django_language"

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.HashedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Uploaded files (attachments, the PDFs sent to customers, the logo) go through Django's storage API: a local folder
# by default; an S3-compatible bucket (django-storages) when MEDIA_S3_BUCKET is set, so several web servers share
# them. They are served only by permission-checked views (documents.views), never from MEDIA_URL.
if env("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_S3_BUCKET"),
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
            "region_name": env("MEDIA_S3_REGION", default=None),
            "access_key": env("MEDIA_S3_ACCESS_KEY", default=None),
            "secret_key": env("MEDIA_S3_SECRET_KEY", default=None),
            "location": env("MEDIA_S3_PREFIX", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Attachments: the size limit (the allowed types are in documents/uploads.py).
DOCUMENTS_ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_MB", default=10) * 1024 * 1024
# The Traditional Chinese font embedded in PDFs: "path" or "path#face" of a .ttc; empty = Noto Sans CJK TC from
# fonts-noto-cjk (make sysdeps, and the Docker image).
DOCUMENTS_FONT_REGULAR = env("DOCUMENTS_FONT_REGULAR", default="")
DOCUMENTS_FONT_BOLD = env("DOCUMENTS_FONT_BOLD", default="")

# Redis: the Celery broker on REDIS_URL's database and the cache on another one (by default the next database
# on the same server), so clearing the cache never drops queued tasks (core.E003 refuses a shared database).
# When REDIS_URL is unset, `make run` may point Celery at PostgreSQL and the cache at local memory instead.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": cache_config(env("CACHE_URL", default=cache_url_for(REDIS_URL))),
}
# A cache whose Redis is down is a miss, never an error: django-redis swallows connection errors (IGNORE_EXCEPTIONS,
# set by cache_config) and logs each one to this logger.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "crm.cache"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# django-celery-beat's database scheduler that also touches a file on every tick: the beat health check reads it.
CELERY_BEAT_SCHEDULER = "core.beat:HeartbeatDatabaseScheduler"
CELERY_BEAT_HEARTBEAT_FILE = env("CELERY_BEAT_HEARTBEAT_FILE", default=str(Path(gettempdir()) / "crm-beat.alive"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600} if CELERY_BROKER_URL.startswith("redis") else {}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task is acknowledged only after it ran and is redelivered if its worker dies; each worker process takes
# one message at a time. Tasks are therefore written to be idempotent (state lives in PostgreSQL rows).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Reminders on their own queue; the heavy summary rebuilds on "summaries", served by a worker of their own
# (docker-compose worker-summaries, scripts/dev.py), so a long rebuild never delays a reminder.
CELERY_TASK_ROUTES = {
    "reminders.*": {"queue": "reminders"},
    "reports.refresh_dashboard_*": {"queue": "summaries"},
}

# E-mail and SMS backends (console in development).
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="crm@example.com")
SMS_BACKEND = env("SMS_BACKEND", default="core.sms.ConsoleSMSBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms"))
# Messages to customers: links in them point here; they are signed with the company's name.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
COMPANY_NAME = env("COMPANY_NAME", default="")
# 三竹簡訊 (reminders.mitake.MitakeSMSBackend); its delivery reports and customers' replies come back to
# /m/sms/report/<SMS_WEBHOOK_TOKEN>/ and /m/sms/reply/<SMS_WEBHOOK_TOKEN>/ (no token: the webhooks are off).
MITAKE_URL = env("MITAKE_URL", default="https://smsapi.mitake.com.tw/api/mtk/SmSend")
MITAKE_USERNAME = env("MITAKE_USERNAME", default="")
MITAKE_PASSWORD = env("MITAKE_PASSWORD", default="")
MITAKE_RESPONSE_URL = env("MITAKE_RESPONSE_URL", default="")
SMS_WEBHOOK_TOKEN = env("SMS_WEBHOOK_TOKEN", default="")

# Login throttling (django-axes, see accounts/README.md): failures are counted per username + IP address in
# PostgreSQL; after AXES_FAILURE_LIMIT failures the pair is locked for AXES_COOLOFF_TIME (page or 429 JSON).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the moment of the lockout: attempts during it are refused without restarting it,
# so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"

# Two-factor authentication (TOTP, django-otp; accounts/README.md). Roles that must enrol before using the site
# (comma list of role codes; empty = optional for everyone); the others may enrol on their own.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["admin", "gm_office", "finance"])
# Time between the password and the code of one sign-in.
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=300)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="") or COMPANY_NAME or "Sales CRM"
# Wrong codes: the device refuses any code for 1, 2, 4, 8 … seconds after each successive failure.
OTP_TOTP_THROTTLE_FACTOR = 1

# API tokens expire API_TOKEN_LIFETIME after they were issued (fixed, not sliding); see accounts/README.md.
API_TOKEN_LIFETIME = timedelta(days=env.int("API_TOKEN_LIFETIME_DAYS", default=7))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    # Scoped throttles (counted in the cache, Redis in production) for the endpoints that take a password.
    # The documents API (PDF rendering, sending, uploads) has its own rate per caller.
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env("API_TOKEN_THROTTLE_RATE", default="10/min"),
        "documents": env("API_DOCUMENTS_THROTTLE_RATE", default="120/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sales CRM API",
    "DESCRIPTION": "Customers, sales, commission, reports and reminders of the rule-book sales CRM.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/401/403/404/429): core/openapi.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.openapi.add_error_responses"],
    # Several models have a "status" or "kind": name each choice set after its model's enum.
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "customers.models.CustomerStatus",
        "ContactKindEnum": "customers.models.ContactKind",
        "ConflictStatusEnum": "customers.models.ConflictStatus",
        "OwnershipEventKindEnum": "customers.models.OwnershipEventKind",
        "IdentityKindEnum": "customers.models.IdentityKind",
        "ContractStatusEnum": "sales.models.ContractStatus",
        "PaymentKindEnum": "sales.models.PaymentKind",
        "QuoteKindEnum": "sales.models.QuoteKind",
        "QuoteStatusEnum": "sales.models.QuoteStatus",
        "ExpenseKindEnum": "commission.models.ExpenseKind",
        "UnitPolicyStateEnum": "accounts.unit_policy.STATES",
        "ExpenseStatusEnum": "commission.models.ExpenseStatus",
        "PlanKindEnum": "reports.models.PlanKind",
        "TargetKindEnum": "reports.models.TargetKind",
        "FundEntryKindEnum": "commission.models.FundEntryKind",
        "CollectionNoteKindEnum": "receivables.models.NoteKind",
        "FundPurposeEnum": "commission.models.FundPurpose",
        "PriceTierEnum": "reports.models.PriceTier",
        "CustomerTierEnum": "customers.models.CustomerTier",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="TW")

# Every request gets a request id (django-guid): taken from the X-Request-ID header when it is a UUID, else new;
# echoed in the response and put on every log line logged while the request runs.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True}

# Logs: one line per record with the request id; LOG_FORMAT=json gives one JSON object per line (production default).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=env("LOG_LEVEL", default="INFO"))

# /healthz/ready: the worker is alive when a heartbeat task ran within this many minutes (beat schedules one every 5).
HEALTH_HEARTBEAT_MAX_AGE_MINUTES = env.int("HEALTH_HEARTBEAT_MAX_AGE_MINUTES", default=11)

# Production refuses console/in-memory/file delivery of e-mail and SMS (core.E001, core.E002) unless this is true.
PRODUCTION = False
ALLOW_CONSOLE_DELIVERY = env.bool("ALLOW_CONSOLE_DELIVERY", default=False)

ROLE_LABELS = {
    "salesperson": _("Salesperson"),
    "manager": _("Department manager"),
    "gm_office": _("General manager's office"),
    "finance": _("Finance"),
    "admin": _("Admin"),
}
