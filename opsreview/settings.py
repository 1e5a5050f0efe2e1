"""One settings module; every deployment difference comes from the environment."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from opsreview.schedules import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
# --- Refuse known placeholder keys (security review) ----------------------------------------
# Keys that were ever written in an example must never sign a production session.
PLACEHOLDER_SECRET_KEYS = {"change-me-in-production", "changeme", "change-me", "secret"}
if not DEBUG and (SECRET_KEY.strip().lower() in PLACEHOLDER_SECRET_KEYS
                  or SECRET_KEY.startswith("django-insecure-") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or shorter than 50 characters; set a random one, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
# --- end placeholder keys ------------------------------------------------------------------

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Base of links in e-mails and API answers. Unset, links use the address a request came in on
# (opsreview/links.py); `make run` sets it from its HOST and PORT.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "opsreview",
    "catalog",
    "reviews",
    "orr",
    "postmortems",
    "notifications",
    "actions",
    "reports",
    "learning",
    "demo",
    "api",
    "integrations",
]

MIDDLEWARE = [
    # First: forwarding headers are believed only from TRUSTED_PROXIES (opsreview/security.py).
    "opsreview.security.TrustedProxyMiddleware",
    # A body larger than MAX_REQUEST_BYTES is refused by its Content-Length, unread.
    "opsreview.security.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag from the answer's content; a client that has it gets 304 without the body (the
    # readiness API polled by deploy pipelines; pages without forms).
    "django.middleware.http.ConditionalGetMiddleware",
    # Outside everything else: after any write a request made, remembered pages are forgotten.
    "opsreview.pagecache.ForgetOnWriteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "opsreview.links.RequestBaseMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's, with a JSON 401 for JSON requests (opsreview/security.py).
    "opsreview.security.LoginRequiredMiddleware",
    "opsreview.security.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opsreview.urls"
WSGI_APPLICATION = "opsreview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications",
                "reviews.context_processors.organisation",
            ],
        },
    },
    {
        # Partials drawn once per row down a page (opsreview/jinja.py); pages stay Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "opsreview.jinja.environment"},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# --- SQLite under concurrent writers (security review) -------------------------------------
# A transaction that reads and then writes must take the write lock when it begins: with
# SQLite's default (deferred) mode, two such transactions deadlock and one fails at once with
# "database is locked", whatever the timeout. Writers wait for each other up to the busy timeout.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
# --- end SQLite ----------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limiting: lock a username+address pair out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address as the trusted proxy reports it, never a header anyone can send
# (opsreview/security.py); ops leads and admins unlock people at /accounts/lockouts/.
AXES_CLIENT_IP_CALLABLE = "opsreview.security.client_ip"
LOGIN_URL = "login"
# JSON requests (the autosave) get a JSON 403 they can act on (opsreview/security.py).
CSRF_FAILURE_VIEW = "opsreview.security.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


def _bootstrap_dir() -> Path:
    # Bootstrap comes from the xstatic-bootstrap package, installed from the registry.
    import xstatic.pkg.bootstrap

    return Path(xstatic.pkg.bootstrap.BASE_DIR)


STATICFILES_DIRS.append(("vendor/bootstrap", _bootstrap_dir()))

# Inputs, textareas and selects drawn in Python, to the character what Django's templates draw.
FORM_RENDERER = "opsreview.forms_renderer.FastWidgets"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# E-mail: console by default; production sets EMAIL_URL (smtp://user:pass@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="opsreview@localhost")

# Celery: with no REDIS_URL every task runs eagerly in the calling process (embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
    # A dead broker must not stall a request: retry a publish at most briefly.
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    # How long before a task taken by a worker that died is handed to another worker.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
}
CELERY_TIMEZONE = TIME_ZONE


def _cache_url() -> str:
    """Redis database 1 of the broker's server unless CACHE_URL says otherwise (keeps FLUSHDB
    of the cache away from queued tasks)."""
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    return parts._replace(path="/1" if parts.path in ("", "/", "/0") else parts.path).geturl()


# The cache: Redis when there is one (every worker process sees the same entries, so a page
# remembered by one is forgotten by all when the data changes); memory in one process otherwise.
CACHE_URL = env.str("CACHE_URL", default=_cache_url() if REDIS_URL else "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "opsreview",
            "OPTIONS": {
                # A cache that is down is a cache miss, never an error page.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions read from the cache and written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The readiness API's answers are remembered this many seconds at most, and forgotten at the
# first write (opsreview/pagecache.py). Off without a shared cache: with memory caches, one
# gunicorn worker could not tell the others that the data changed.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60 if CACHE_URL else 0)
# Parts of document pages drawn once and shared until that document or anything shared
# changes (opsreview/fragments.py), kept this many seconds at most; off without a shared cache.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=300 if CACHE_URL else 0)
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
# The COE page's similar factors are remembered this long, and forgotten when a factor or a COE
# changes (learning/similarity.py); like the page cache, only with a cache all processes share.
SIMILARITY_CACHE_SECONDS = env.int("SIMILARITY_CACHE_SECONDS", default=3600 if CACHE_URL else 0)
# The organisation's figures on an ops lead's home page (this week's COEs, lapsed readiness,
# overdue items per team) are shared by every ops lead and at most this many seconds old.
ORG_FIGURES_SECONDS = env.int("ORG_FIGURES_SECONDS", default=60 if CACHE_URL else 0)

# The source templates the shipped questionnaires (fixtures/) are checked against. They are not
# part of the product; CI keeps them beside the repository. Where they are absent, the tests that
# compare the fixtures with them are reported as skipped, with the reason.
SEEDS_DIR = Path(env("OPSREVIEW_SEEDS_DIR", default=str(BASE_DIR.parent / "shared" / "seeds")))

# The REST API (api/): bearer tokens only, JSON in and out, cursor pages, errors as {"error": …}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsReview API",
    "DESCRIPTION": (
        "Services, teams, ORRs, COEs and action items; the readiness a deploy asks. A bearer "
        "token acts as the person who created it, within its teams. Scopes: `read` for every "
        "GET, `write_action_items` to create action items and change their status, `intake` to "
        "open a COE draft. Errors are JSON: {\"error\": …, \"fields\": {…}}."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.0.3",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ReadinessStatusEnum": "api.serializers.READINESS_STATUSES",
        "ActionItemStatusEnum": "actions.models.ActionItem.Status",
        "DocumentStateEnum": "reviews.models.State",
    },
}

# Readiness of a service expires this many days after its ORR approval, per tier.
ORR_EXPIRY_DAYS = env.dict(
    "ORR_EXPIRY_DAYS", cast={"value": int}, default={"1": 365, "2": 365, "3": 365}
)
# An approval by a reviewer of the service's own team needs a second one from another team.
ORR_REQUIRE_OUTSIDE_REVIEWER = env.bool("ORR_REQUIRE_OUTSIDE_REVIEWER", default=True)
# COE approval: how many committee members must approve ("all" or a number); one approver
# from outside the owning team is always required.
COE_QUORUM = env.str("COE_QUORUM", default="all").strip().lower()
if COE_QUORUM != "all" and not (COE_QUORUM.isdigit() and int(COE_QUORUM) >= 1):
    raise ImproperlyConfigured("COE_QUORUM must be 'all' or a positive number.")
# Catalog import (docs/catalog-import.md): a service's tier is read from this annotation, then
# from a tag starting with this prefix ("tier-1"); each uploaded file is refused above the cap.
CATALOG_TIER_ANNOTATION = env.str("CATALOG_TIER_ANNOTATION", default="opsreview.io/tier")
CATALOG_TIER_TAG_PREFIX = env.str("CATALOG_TIER_TAG_PREFIX", default="tier-")
CATALOG_IMPORT_MAX_BYTES = env.int("CATALOG_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
if CATALOG_IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured("CATALOG_IMPORT_MAX_BYTES must be a positive number of bytes.")
ACTION_DUE_WEEKS = {"P1": 4, "P2": 8, "P3": 12}
# Action item reminders: a few working days before the due date, the day after it, and an
# escalation to the team's reviewers and the ops leads when long overdue.
ACTION_REMIND_WORKING_DAYS_BEFORE = env.int("ACTION_REMIND_WORKING_DAYS_BEFORE", default=3)
ACTION_ESCALATE_AFTER_DAYS = env.int("ACTION_ESCALATE_AFTER_DAYS", default=14)
REMINDER_JITTER_SECONDS = env.int("REMINDER_JITTER_SECONDS", default=300)
# The Monday ops-review report starts within this many seconds after 06:00 (beat has no jitter).
REPORT_JITTER_SECONDS = env.int("REPORT_JITTER_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every rendering step, and Celery every finished task, at INFO.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Security headers; production turns the HTTPS ones on through the environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# --- Reverse proxy and HTTPS (security review) ---------------------------------------------
# TRUSTED_PROXIES: addresses or networks of the TLS-terminating reverse proxy. Only requests
# from them may say who the client is (X-Forwarded-For) and that it spoke HTTPS
# (X-Forwarded-Proto); from anyone else those headers are dropped (opsreview/security.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production redirects plain HTTP to HTTPS itself, unless it is declared to be behind a
# TLS-terminating proxy (TRUSTED_PROXIES), which then answers plain HTTP with the redirect.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TRUSTED_PROXIES)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check speaks plain HTTP
SILENCED_SYSTEM_CHECKS = ["security.W008"] if TRUSTED_PROXIES and not SECURE_SSL_REDIRECT else []
# --- end reverse proxy ---------------------------------------------------------------------
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: scripts and styles only from the app itself, nothing inline.
# Bootstrap's CSS draws its icons from data: SVGs; user Markdown may show https images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

FORMS_URLFIELD_ASSUME_HTTPS = True
# Uploaded supporting data (graphs, screenshots, CSV): at most this size each.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# --- Request size (security review) ---------------------------------------------------------
# Any request body above this is refused before it is read (an upload plus the form around it).
# The reverse proxy should refuse a little above it too (deploy/Caddyfile: 6 MB).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=UPLOAD_MAX_BYTES + 512 * 1024)
# --- end request size ----------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# The seed says postmortems must not drag on: flag a COE waiting longer than this for review.
COE_REVIEW_OVERDUE_WORKING_DAYS = env.int("COE_REVIEW_OVERDUE_WORKING_DAYS", default=5)

# Integrations: inbound payloads above this size are refused (413); outbound webhooks go only to
# public addresses unless the host is listed here; a subscription failing this many days is
# paused; a COE is late when not submitted this many working days after the incident resolved.
INTEGRATION_MAX_BODY_BYTES = env.int("INTEGRATION_MAX_BODY_BYTES", default=1024 * 1024)
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_PAUSE_AFTER_DAYS = env.int("WEBHOOK_PAUSE_AFTER_DAYS", default=3)
# `readiness.expiring` is sent this many days before a service's ORR approval expires.
READINESS_EXPIRING_DAYS = env.int("READINESS_EXPIRING_DAYS", default=30)
# The first retry of a failed delivery waits about this long; each next one twice as long.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
COE_SUBMIT_WORKING_DAYS = env.dict(
    "COE_SUBMIT_WORKING_DAYS", cast={"value": int}, default={"1": 5, "2": 5, "3": 10, "4": 10}
)

# A countdown longer than the visibility timeout would let Redis hand the task to a second worker.
_longest_jitter = max(REMINDER_JITTER_SECONDS, REPORT_JITTER_SECONDS)
if _longest_jitter >= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured(
        "REMINDER_JITTER_SECONDS and REPORT_JITTER_SECONDS must be below CELERY_VISIBILITY_TIMEOUT."
    )

# --- Sign-in: company identity provider (OpenID Connect), local passwords, invitations -------
# All of it is described in docs/sign-in.md. Without OIDC_ISSUER (or explicit endpoints) and
# OIDC_RP_CLIENT_ID, sign-in is the local username and password form only.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your company account")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# Endpoints are discovered from OIDC_ISSUER/.well-known/openid-configuration at first use; any
# of these set explicitly wins over discovery.
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_END_SESSION_ENDPOINT = env.str("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_CLAIM_USERNAME = env.str("OIDC_CLAIM_USERNAME", default="preferred_username")
OIDC_CLAIM_EMAIL = env.str("OIDC_CLAIM_EMAIL", default="email")
OIDC_CLAIM_NAME = env.str("OIDC_CLAIM_NAME", default="name")
OIDC_CLAIM_GROUPS = env.str("OIDC_CLAIM_GROUPS", default="groups")
# Groups claim → team memberships and the ops lead role, e.g.
# "opsreview-{team}-{role}; sre=platform:reviewer; opsreview-leads=ops-lead".
OIDC_GROUP_RULES = env.str("OIDC_GROUP_RULES", default="")
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
if (OIDC_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT) and not (
    OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET
):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
if OIDC_RP_SIGN_ALGO[:2] not in ("RS", "ES", "PS"):
    raise ImproperlyConfigured("OIDC_SIGN_ALGO must be a public-key algorithm such as RS256.")
if OIDC_ISSUER and not DEBUG and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("OIDC_ISSUER must be an https:// address.")
# The ID token is kept in the session for the provider's logout (id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# LOCAL_LOGIN=0: only superusers may still sign in with a password (at /accounts/login/?local=1).
LOCAL_LOGIN = env.bool("LOCAL_LOGIN", default=True)
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
# Passwords go through the switchable backend (in the place ModelBackend had, after axes);
# the identity provider's backend comes last.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LocalPasswordBackend"
    if backend == "django.contrib.auth.backends.ModelBackend"
    else backend
    for backend in AUTHENTICATION_BACKENDS
] + ["accounts.backends.OIDCBackend"]
INSTALLED_APPS.append("accounts")
# --- end of sign-in settings ------------------------------------------------------------------
