"""Django settings for iLusmart, read from the environment (django-environ).

Local defaults are safe for development on 127.0.0.1; production must set SECRET_KEY and
DEBUG=false (then the security settings below switch on). See .env.example for every variable.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for: a production that forgets a variable must fail to start, not run as a
# development server (scripts/run.sh, the tests and .env.example turn it on for local use).
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("ILUSMART_TESTING", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")  # required: no default for production

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=["{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))],
)

INSTALLED_APPS = [
    "accounts.admin_apps.IlusmartAdminConfig",  # Django's admin with our site (second factor)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "ilusmart.apps.IlusmartConfig",
    "accounts",
    "consents",
    "meters",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as it asks
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware, so it can widen the page's CSP for Google Analytics (only with
    # consent) before that header is written; reads the cookie choice (privacy/cookie_consent.py).
    "privacy.cookie_consent.CookieConsentMiddleware",
]

ROOT_URLCONF = "ilusmart.urls"
WSGI_APPLICATION = "ilusmart.wsgi.application"

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
                "django.template.context_processors.csp",
                "privacy.context_processors.processing_pause",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ilusmart"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ilusmart"),
    }
}

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# axes' backend first: it refuses a locked-out attempt before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
# A requested email change waits this long for its link (accounts.services.email_change).
EMAIL_CHANGE_MAX_AGE = 24 * 3600

# --- Erasure and deletion requests (issue 10) ------------------------------------------------
# The key of the keyed hash (HMAC-SHA256) that is all an erasure keeps of a person: the
# suppression list, erasure receipts, anonymised EANs and mandate references. Changing it
# breaks the suppression list and the replay of old receipts: set it once, keep it secret.
ERASURE_HASH_KEY = env("ERASURE_HASH_KEY", default=SECRET_KEY)
# Receipts are also appended here, outside the database, so replay_erasures can re-apply them
# after the database is restored from a backup (keep this file out of the database's backups'
# rotation, on the host's own disk).
ERASURE_LEDGER_PATH = env("ERASURE_LEDGER_PATH", default=str(BASE_DIR / "var" / "erasure-ledger.jsonl"))
# The DPO mailbox: imaps://user:password@host:993/INBOX (imap:// only for a server on loopback).
DPO_IMAP_URL = env("DPO_IMAP_URL", default="")
DPO_IMAP_PROCESSED_FOLDER = env("DPO_IMAP_PROCESSED_FOLDER", default="Verwerkt")
# Mail that cannot be a request (no sender, too large) goes here, with the reason in the log.
DPO_IMAP_REJECTED_FOLDER = env("DPO_IMAP_REJECTED_FOLDER", default="Geweigerd")
# A CA file to verify the IMAP server's certificate with (a private CA); empty: the system's.
DPO_IMAP_CA_FILE = env("DPO_IMAP_CA_FILE", default="")
DPO_IMAP_TIMEOUT_SECONDS = env.int("DPO_IMAP_TIMEOUT_SECONDS", default=30)
# A deletion request's confirmation link is valid this long, once.
DELETION_CONFIRM_MAX_AGE = 7 * 24 * 3600
# A deletion request received by mail larger than this is refused (with a clear reason).
DELETION_MAIL_MAX_BYTES = env.int("DELETION_MAIL_MAX_BYTES", default=5 * 1024 * 1024)

# --- Rate limits (issue 8): fixed windows per user and per client address, in Redis ---------
# accounts/services/rate_limits.py. Each action: attempts allowed per "seconds" window, counted
# per logged-in user ("user") and per client address ("ip"); a side left out is not limited.
RATE_LIMITS = {
    "sign_up": {"ip": 10, "seconds": 3600},
    "password_reset": {"ip": 10, "seconds": 3600},
    "email_change": {"user": 5, "ip": 20, "seconds": 3600},
    "password_change": {"user": 5, "ip": 20, "seconds": 3600},
    "meter_connect": {"user": 10, "ip": 30, "seconds": 3600},
    "mandate_return": {"user": 30, "ip": 60, "seconds": 3600},
    "export": {"user": 30, "ip": 60, "seconds": 3600},
    "import": {"user": 20, "ip": 40, "seconds": 3600},
    "data_export": {"user": 5, "ip": 20, "seconds": 24 * 3600},  # the ZIP of Mijn gegevens
    "data_delete": {"user": 5, "ip": 20, "seconds": 3600},  # asking for deletion (password checked)
    "battery_whatif": {"user": 300, "ip": 600, "seconds": 3600},  # a year simulated per view
}
# Downloads that stream for a while: so many at once per user (accounts.services.rate_limits);
# a place frees itself after `seconds` if its holder dies.
RUNNING_LIMITS = {
    "export": {"at_once": env.int("EXPORTS_AT_ONCE_PER_USER", default=2), "seconds": 600},
}
# Mails about an account (verification, reset, email change, "you already have an account") to
# one address per hour; more are dropped and logged, so no form can be used to flood a mailbox.
MAIL_MAX_PER_ADDRESS_PER_HOUR = env.int("MAIL_MAX_PER_ADDRESS_PER_HOUR", default=5)
# A call to Fluvius made inside a web request (starting a mandate; the return page from Mijn
# Fluvius, at most once a minute per reference) gets this timeout and no retries: a 429 or a slow
# answer must not hold a web worker. The return page queues a poll instead (meters.services.sync).
FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS = env.float("FLUVIUS_IN_REQUEST_TIMEOUT_SECONDS", default=5.0)

# --- Login lock-out on every login path (issue 7): django-axes + django-ipware ------------
# The rules and why: accounts/services/login_lockout.py, docs/decisions/0003-login-lockout.md.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += [
    "accounts.lockout.KnownDeviceMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a refused login into a 429
]
# Failures per (account, client IP): LOGIN_MAX_FAILURES lock that pair for LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Failures per client IP across accounts (password spraying) before that address is locked.
LOGIN_IP_MAX_FAILURES = env.int("LOGIN_IP_MAX_FAILURES", default=30)
# Failures per account across addresses after which tries are slowed (doubling delay, capped).
LOGIN_ACCOUNT_SLOW_AFTER = env.int("LOGIN_ACCOUNT_SLOW_AFTER", default=10)
LOGIN_ACCOUNT_SLOW_MAX_SECONDS = env.int("LOGIN_ACCOUNT_SLOW_MAX_SECONDS", default=60)
# How many reverse proxies we run in front of Django, each appending to X-Forwarded-For; the
# client is the address the outermost one appended (accounts/client_ip.py). 0: REMOTE_ADDR.
# The former TRUST_X_FORWARDED_FOR=true meant one proxy and is read as TRUSTED_PROXY_COUNT=1.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("TRUST_X_FORWARDED_FOR", default=False) else 0
)
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.account_for_axes"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Our handler keeps its counters in Redis; axes' database tables stay empty, so no admin pages.
AXES_ENABLE_ADMIN = False
# Its start-up line would name its own lockout parameters, which our handler does not use.
AXES_VERBOSE = False

# --- Staff security (issue 7): admin path, second factor, session lifetimes ----------------
# The admin lives here (not at the guessable /admin/); a path relative to the site root.
ADMIN_URL = env("ADMIN_URL", default="beheer/").strip("/") + "/"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_auth_at = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth_at + 1 : _auth_at + 1] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",  # staff see nothing before the second factor
    "accounts.middleware.NoStoreWhenLoggedInMiddleware",  # personal pages: Cache-Control no-store
]
OTP_TOTP_ISSUER = "iLusmart"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Session lifetimes (accounts/services/sessions.py): idle and absolute, in seconds.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=8 * 3600)
HOMEOWNER_SESSION_IDLE_SECONDS = env.int("HOMEOWNER_SESSION_IDLE_SECONDS", default=7 * 24 * 3600)
HOMEOWNER_SESSION_MAX_SECONDS = env.int("HOMEOWNER_SESSION_MAX_SECONDS", default=14 * 24 * 3600)
SESSION_COOKIE_AGE = HOMEOWNER_SESSION_MAX_SECONDS

# --- Email ----------------------------------------------------------------------------------
# EMAIL_URL (smtp+tls://user:password@host:587, consolemail://, filemail:///path) becomes the
# default mailer of Django 6.1's MAILERS setting.
# Production has no default: mail that silently goes to a console is mail lost.
_email = env.email_url("EMAIL_URL", default="consolemail://") if DEBUG else env.email_url("EMAIL_URL")
_email_options = {}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _email_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email.get("EMAIL_HOST_USER") or None,
        "password": _email.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
elif _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    _email_options = {"file_path": _email.get("EMAIL_FILE_PATH")}
elif DEBUG and _email["EMAIL_BACKEND"].endswith("console.EmailBackend"):
    # Locally, every mail is also an .eml file whose path is logged, so its link can be clicked.
    _email["EMAIL_BACKEND"] = "ilusmart.mail.ConsoleAndFileBackend"
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
DEV_MAIL_DIR = env("DEV_MAIL_DIR", default=str(BASE_DIR / ".run" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="iLusmart <ilusmart@ilumen.be>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Campaigns (privacy.services.campaigns) go out in batches of this many messages, one task each.
CAMPAIGN_BATCH_SIZE = env.int("CAMPAIGN_BATCH_SIZE", default=200)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static files (front-end libraries come from npm at set-up and are served by us) --------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# npm packages (package-lock.json pins them) are served under /static/vendor/<package>/.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Django REST framework ----------------------------------------------------------------
# The mobile-app API (issue 11) under /api/v1/ (ilusmart/api/, per-app modules <app>/api/):
# bearer tokens per device (accounts.services.api_tokens) or the website's session with CSRF;
# one error shape; cursor pagination; throttles per token and per client IP in Redis.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ilusmart.api.authentication.BearerTokenAuthentication",
        "ilusmart.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["ilusmart.api.renderers.ApiJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "ilusmart.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ilusmart.api.pagination.ApiCursorPagination",
    "EXCEPTION_HANDLER": "ilusmart.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "ilusmart.api.throttling.TokenThrottle",
        "ilusmart.api.throttling.IpThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env("API_THROTTLE_PER_TOKEN", default="240/minute"),
        "api_ip": env("API_THROTTLE_PER_IP", default="600/minute"),
        "api_login": env("API_THROTTLE_LOGIN_PER_IP", default="20/minute"),
        "api_whatif": env("API_THROTTLE_WHATIF_PER_USER", default="20/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",  # the API views answer in UTC (ilusmart.api.views)
}
# A token that was not used for this many days stops working (accounts.services.api_tokens).
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=90)
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar", "corsheaders"]
SPECTACULAR_SETTINGS = {
    "TITLE": "iLusmart API",
    "DESCRIPTION": (
        "The JSON API of the iLusmart mobile app: the homeowner's profile, meters, quarter-hour "
        "readings, capacity tariff, Fluvius mandates and faults. Authenticate with "
        "`Authorization: Bearer <token>` (a token from `POST /api/v1/auth/token/`, one per device, "
        "expires after 90 days unused) or, on the website itself, the session cookie with the "
        'CSRF header. Every error has the shape `{"error": {"code", "message", "fields"}}`. '
        "Dates are local (Europe/Brussels) calendar dates; times are UTC."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ValidationStateEnum": "ilusmart.fluvius.types.ValidationState"},
    # The docs page is served from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}
# CORS (django-cors-headers) only for the API, and closed unless origins are listed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="ilusmart")
# A homeowner who just approved a mandate should not wait behind the nightly pull of every
# meter: back-fills have a queue of their own, which every worker also consumes (workers take
# from their queues in turn), so one is picked up within a task or two per worker.
CELERY_BACKFILL_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-backfill"
CELERY_TASK_ROUTES = {"meters.backfill_meter": {"queue": CELERY_BACKFILL_QUEUE}}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# A task is acknowledged only when it has finished, and handed back to the queue when its
# worker dies, so a killed worker loses nothing; tasks are idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
# Redis re-delivers an unacknowledged task after the visibility timeout; it must exceed the
# hard time limit or a long task would run twice. Tests that kill a worker set it low.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 10 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_WORKER_SEND_TASK_EVENTS = False
# Reuse a worker's database connection for this many tasks instead of reconnecting for each
# one (measured: ~10 ms a connect, one per nightly meter; docs/decisions/0002-sync-throughput.md).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".celerybeat-schedule")
)
# One beat process (the single scheduler) queues these; times in UTC.
CELERY_BEAT_SCHEDULE = {
    "poll-mandates-hourly": {"task": "meters.poll_mandates", "schedule": 3600.0, "kwargs": {"full": False}},
    "poll-mandates-daily-full": {
        "task": "meters.poll_mandates",
        "schedule": crontab(hour=2, minute=15),
        "kwargs": {"full": True},
    },
    # Day D is published around 06:00 local on D+1: pull at 07:30 UTC (08:30/09:30 local).
    "sync-all-daily": {"task": "meters.sync_all_daily", "schedule": crontab(hour=7, minute=30)},
    # Fault detection for every meter, after the daily pull (also run after each sync): present
    # conditions (stale feed, mandates) change with time alone. docs/faults.md.
    "detect-faults-daily": {"task": "meters.detect_faults_all", "schedule": crontab(hour=9, minute=30)},
    # The DPO mailbox: deletion requests by mail become requests within five minutes (issue 10).
    "poll-dpo-mailbox": {"task": "privacy.poll_dpo_mailbox", "schedule": 300.0},
    # Downloads of Mijn gegevens: delete the files of used and expired links (privacy.services.exports).
    "privacy-exports-cleanup": {"task": "privacy.exports_cleanup", "schedule": 3600.0},
    # Logins that ended without a logout: their sessions and rows (accounts.services.sessions).
    "sessions-cleanup-daily": {"task": "accounts.sessions_cleanup", "schedule": crontab(hour=3, minute=20)},
}


# --- Mijn gegevens: the ZIP of everything held about a person (issue 9, item 6) ----------------
# Files lie outside the static files and the code, readable by the web and worker processes only.
PRIVACY_EXPORT_DIR = env.path("PRIVACY_EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))
PRIVACY_EXPORT_VALID_DAYS = env.int("PRIVACY_EXPORT_VALID_DAYS", default=7)


# --- Fluvius (see ../shared/domain/fluvius-api.md) ------------------------------------------
def _local_only(name: str, local_default: str) -> str:
    """A Fluvius setting with a simulator default for local use and none in production (set and not empty)."""
    if DEBUG:
        return env(name, default=local_default)
    value = env(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(f"Set the {name} environment variable (production has no default).")
    return value


FLUVIUS_BASE_URL = _local_only("FLUVIUS_BASE_URL", "http://127.0.0.1:8099/esco-sim/v3").rstrip("/")
FLUVIUS_TOKEN_URL = _local_only("FLUVIUS_TOKEN_URL", "http://127.0.0.1:8099/oauth2/v2.0/token")
FLUVIUS_CLIENT_ID = _local_only("FLUVIUS_CLIENT_ID", "ilusmart-local")
FLUVIUS_CERT_PATH = env("FLUVIUS_CERT_PATH", default="")
FLUVIUS_KEY_PATH = env("FLUVIUS_KEY_PATH", default="")
FLUVIUS_CERT_THUMBPRINT = env("FLUVIUS_CERT_THUMBPRINT", default="")
# Production authenticates with a client secret, or with a certificate (path + key) instead.
FLUVIUS_CLIENT_SECRET = (
    env("FLUVIUS_CLIENT_SECRET", default="")
    if FLUVIUS_CERT_PATH and FLUVIUS_KEY_PATH
    else _local_only("FLUVIUS_CLIENT_SECRET", "local-simulator-secret")
)
FLUVIUS_SCOPE = env("FLUVIUS_SCOPE", default="api://00000000-0000-0000-0000-000000000000/.default")
FLUVIUS_SUBSCRIPTION_KEY = _local_only("FLUVIUS_SUBSCRIPTION_KEY", "local-subscription-key")
FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER = _local_only("FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER", "ILUMEN-LOCAL-0001")
FLUVIUS_PORTAL_URL = _local_only("FLUVIUS_PORTAL_URL", "http://127.0.0.1:8099/verbruik/dienstverlener?id=")
FLUVIUS_SIMULATOR_URL = env(
    "FLUVIUS_SIMULATOR_URL", default="{0.scheme}://{0.netloc}".format(urlsplit(FLUVIUS_BASE_URL))
).rstrip("/")
FLUVIUS_ALLOW_TEST_EANS = env.bool("FLUVIUS_ALLOW_TEST_EANS", default=DEBUG)
FLUVIUS_TIMEOUT_SECONDS = env.float("FLUVIUS_TIMEOUT_SECONDS", default=30.0)
FLUVIUS_MAX_RETRIES = env.int("FLUVIUS_MAX_RETRIES", default=5)
FLUVIUS_RETRY_AFTER_CAP_SECONDS = env.int("FLUVIUS_RETRY_AFTER_CAP_SECONDS", default=60)
FLUVIUS_BACKOFF_BASE_SECONDS = env.float("FLUVIUS_BACKOFF_BASE_SECONDS", default=1.0)
# Back-fills and ranges are fetched and committed in chunks of this many days.
SYNC_CHUNK_DAYS = env.int("SYNC_CHUNK_DAYS", default=31)
# Largest Mijn Fluvius CSV export a homeowner may upload (bytes); checked before it is read.
# About a year of quarter-hours is 9 MB.
READINGS_IMPORT_MAX_BYTES = env.int("READINGS_IMPORT_MAX_BYTES", default=30 * 1024 * 1024)
# How far back a new mandate asks for data (Fluvius keeps about 3 years), in days.
FLUVIUS_MANDATE_HISTORY_DAYS = env.int("FLUVIUS_MANDATE_HISTORY_DAYS", default=3 * 365)
# The simulator's control endpoints (/_sim/) exist only when this is on; never in production.
FLUVIUS_SIMULATOR_ENABLED = env.bool("FLUVIUS_SIMULATOR_ENABLED", default=DEBUG)

# --- Security -------------------------------------------------------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # The "connect my meter" form redirects to Mijn Fluvius; form-action covers that redirect.
    "form-action": [CSP.SELF, "{0.scheme}://{0.netloc}".format(urlsplit(FLUVIUS_PORTAL_URL))],
}
# Google Analytics 4 (measurement id "G-…"): empty = no analytics at all, no banner (only strictly
# necessary and functional cookies). Set, the cookie banner asks first; the tag loads only after
# consent (privacy/cookie_consent.py). Publish a new cookie policy when turning it on.
ANALYTICS_GA4_ID = env("ANALYTICS_GA4_ID", default="").strip()
if ANALYTICS_GA4_ID and not re.fullmatch(r"G-[A-Z0-9]{4,20}", ANALYTICS_GA4_ID):
    raise ImproperlyConfigured("ANALYTICS_GA4_ID is a GA4 measurement id such as G-AB12CD34EF")
# A cookie choice holds this long (the banner returns after it; GBA: ask again after 6 months).
COOKIE_CONSENT_VALID_DAYS = env.int("COOKIE_CONSENT_VALID_DAYS", default=182)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Security headers (issue 9, item 8): accounts/security.py --------------------------------
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "accounts.security.SecurityHeadersMiddleware",
)
# Violations are reported to our endpoint (accounts.services.csp_reports), both the old way
# (report-uri: Firefox, Safari) and the Reporting API way (report-to + Reporting-Endpoints).
SECURE_CSP["report-uri"] = ["/csp-rapport/"]
SECURE_CSP["report-to"] = ["csp"]
CSP_REPORT_MAX_BYTES = env.int("CSP_REPORT_MAX_BYTES", default=16 * 1024)
RATE_LIMITS["csp_report"] = {"ip": 60, "seconds": 60}
# Powerful browser features the portal does not use: denied to our pages and anything embedded.
# Only names Chromium knows (an unknown name is a console error on every page).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}
# /.well-known/security.txt (RFC 9116): where to report a vulnerability.
SECURITY_CONTACT_EMAIL = env("SECURITY_CONTACT_EMAIL", default="ilusmart@ilumen.be")

# --- Page-view log (issue 9, item 4): privacy/middleware.py, privacy/services/page_views.py ---
# Each HTML page view is pushed onto a Redis list during the request; beat flushes the list into
# privacy.PageView. Addresses are cut to their network after PAGE_VIEWS_IP_DAYS, rows deleted
# after PAGE_VIEWS_KEEP_DAYS (the privacy statement's promise: 30 days and 12 months).
MIDDLEWARE.insert(
    MIDDLEWARE.index("accounts.middleware.NoStoreWhenLoggedInMiddleware") + 1,
    "privacy.middleware.PageViewMiddleware",
)
PAGE_VIEWS_IP_DAYS = env.int("PAGE_VIEWS_IP_DAYS", default=30)
PAGE_VIEWS_KEEP_DAYS = env.int("PAGE_VIEWS_KEEP_DAYS", default=365)
PAGE_VIEWS_FLUSH_SECONDS = env.int("PAGE_VIEWS_FLUSH_SECONDS", default=60)
PAGE_VIEWS_FLUSH_BATCH = env.int("PAGE_VIEWS_FLUSH_BATCH", default=5000)
PAGE_VIEWS_FLUSH_MAX_BATCHES = env.int("PAGE_VIEWS_FLUSH_MAX_BATCHES", default=100)
# Lines the Redis list keeps at most (the oldest go first) while no flush runs: ~100 MB.
PAGE_VIEWS_BUFFER_MAX = env.int("PAGE_VIEWS_BUFFER_MAX", default=1_000_000)
PAGE_VIEWS_BATCH_KEEP_DAYS = 7
CELERY_BEAT_SCHEDULE["flush-page-views"] = {
    "task": "privacy.flush_page_views",
    "schedule": float(PAGE_VIEWS_FLUSH_SECONDS),
}
CELERY_BEAT_SCHEDULE["page-views-retention-daily"] = {
    "task": "privacy.page_views_retention",
    "schedule": crontab(hour=3, minute=40),
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
