"""Settings, read from the environment.

The defaults are safe for production: ``DEBUG`` is off, there is no built-in
secret key and no allowed host. ``make run`` supplies developer values.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (make run sets a developer key)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "reversion",
    "encyclopedia",
    "editorial",
    "infobutton",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.conditional_get.ConditionalGetMiddleware",  # 304s for cached pages too
    "encyclopedia.caching.page_cache.PageCacheMiddleware",  # a cached public page is answered here
    "encyclopedia.editions.EditionLanguageMiddleware",  # Spanish for /spanish/..., by address only
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "editorial.request_size.RequestTooLargeMiddleware",  # an admin form too large: the admin's page, not a 400
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.EncyclopediaCSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login
]

# Signing in lands on the page the `next` parameter names when it is safe, else on the admin's
# start page (the review dashboard): Django's default, /accounts/profile/, is no page here.
LOGIN_REDIRECT_URL = "admin:index"

# Login throttling (django-axes): after 5 failed sign-ins for one username from one address,
# that pair is locked out for an hour.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"

# The public pages are Jinja2 templates (templates/jinja2/, see encyclopedia/templating.py):
# an article page rendered by Django's template language cost most of an uncached request.
# The admin and its overrides (templates/admin/) stay with Django's templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "encyclopedia.templating.environment",
            "context_processors": ["encyclopedia.context_processors.site"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# On PostgreSQL, parameters bound by the server, and a query run five times on a connection
# prepared there: PostgreSQL then parses and plans it once, not on every request (a stored page's
# lookup took 0.26 ms of the server's time, 0.06 ms prepared). Django leaves prepared statements
# off for connection poolers that cannot keep them (PgBouncer in transaction mode before 1.21):
# behind one, set DATABASE_PREPARED_STATEMENTS=0.
POSTGRESQL_PREPARED = (
    {"server_side_binding": True, "prepare_threshold": 5}
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
    else {}
)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a connection PostgreSQL dropped (restart, failover) is replaced, not a 500
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers write to one file (a reader's first view stores its page): in WAL mode
    # readers never block a writer, and a transaction that takes its write lock when it begins
    # waits for another writer rather than failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;", timeout=20
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend; its health check asks the socket, the server once a second (config/postgresql).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(POSTGRESQL_PREPARED)

# Two caches (encyclopedia/caching/generations.py explains why this is correct on any number of
# processes; encyclopedia/caching/README.md lists every key, what it holds and in which cache):
# - "shared" holds the generations, the counters every cached page, an article's cached live
#   state and the cached site data are keyed on. Every process must see the same ones, or a
#   withdrawal would show on one worker only: Redis with REDIS_URL; otherwise a disk cache under
#   the project folder (diskcache: SQLite files every process on this machine shares, no server).
# - "default" holds what is keyed on those generations (pages, an article's state, site data)
#   or on an immutable row (a publication and its rendered body): it can never be stale, so it
#   may be each process's own memory. With REDIS_URL it is Redis too, shared by every server.
REDIS_URL = os.environ.get("REDIS_URL", "")
SHARED_CACHE_DIR = Path(os.environ.get("SHARED_CACHE_DIR", BASE_DIR / "var" / "cache"))
# Redis may go down: the site then serves every page from the database, never an error
# (encyclopedia/caching/resilient_redis.py). No request waits on Redis longer than REDIS_TIMEOUT
# seconds, commands are never retried, and after a failure Redis is asked again only every
# CACHE_RETRY_INTERVAL seconds; the outage is logged once per CACHE_DOWN_LOG_INTERVAL seconds.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
CACHE_RETRY_INTERVAL = float(os.environ.get("CACHE_RETRY_INTERVAL", "1"))
CACHE_DOWN_LOG_INTERVAL = float(os.environ.get("CACHE_DOWN_LOG_INTERVAL", "60"))
# How often each process reads the shared cache's epoch from the database (caching/epoch.py):
# a change made while Redis was unreachable shows this long after it returns, at most.
CACHE_EPOCH_INTERVAL = float(os.environ.get("CACHE_EPOCH_INTERVAL", "0.5"))
# How long a process uses the generation counters it read before asking the shared cache again
# (encyclopedia/caching/generations.py): a change shows on every process this much later at most.
CACHE_GENERATION_RECHECK = float(os.environ.get("CACHE_GENERATION_RECHECK", "0.1"))
CACHES_WITH_REDIS = {
    "BACKEND": "encyclopedia.caching.resilient_redis.ResilientRedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "encyclopedia"),
    "OPTIONS": {
        "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
        "SOCKET_TIMEOUT": REDIS_TIMEOUT,
        "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},
    },
}
# Each process keeps the default cache's last entries in its own memory too (caching/two_level.py):
# few, since a page Redis dropped too is one query away (its stored page).
LOCAL_CACHE_ENTRIES = int(os.environ.get("LOCAL_CACHE_ENTRIES", "300"))
LOCAL_CACHE_TIMEOUT = 60
if REDIS_URL:
    CACHES = {
        "default": {**CACHES_WITH_REDIS, "BACKEND": "encyclopedia.caching.two_level.TwoLevelRedisCache"},
        "shared": CACHES_WITH_REDIS,
    }
else:
    # A page this cache dropped is one query away (its stored page, caching/rendered_pages.py):
    # 300 entries hold the hot pages and keep each worker's memory small (BENCHMARKS.md).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCMEM_CACHE_ENTRIES", "300"))},
        },
        "shared": {
            "BACKEND": "encyclopedia.caching.disk_cache.ProcessDiskCache",
            "LOCATION": str(SHARED_CACHE_DIR),
            "TIMEOUT": None,
            "OPTIONS": {"size_limit": 256 * 2**20},
        },
    }

# An optional read replica for the public pages (docs/deploy.md).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = "config.postgresql"
        DATABASES["replica"].setdefault("OPTIONS", {}).update(POSTGRESQL_PREPARED)
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The public site's two editions: English, and Spanish under /spanish/ (encyclopedia/editions.py).
# The interface strings' Spanish catalogue is ours, in locale/ (.po and its compiled .mo, both
# kept in the repository: `make messages` compiles it with polib, no GNU gettext needed).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
# One date format across admin and public pages, following the locale (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site's root by whitenoise: /favicon.ico, which browsers ask for on every site.
WHITENOISE_ROOT = BASE_DIR / "encyclopedia" / "root_files"
# Compressed files with content hashes in their names, served by whitenoise (make serve
# runs collectstatic); far-future caching is safe because a change changes the name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# The public address of the site (https://example.org), used in canonical links and page
# citations. Empty: the address of the request (`check --deploy` calls that an error with DEBUG
# off: encyclopedia/checks.py).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# A CDN or caching proxy in front: on publish, each changed page's path is put into
# CDN_PURGE_URL (e.g. "http://127.0.0.1:6081{path}" for Varnish) and requested with
# CDN_PURGE_METHOD; CDN_PURGE_HEADERS is JSON, e.g. '{"Fastly-Key": "..."}' (docs/deploy.md).
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "")
CDN_PURGE_METHOD = os.environ.get("CDN_PURGE_METHOD", "PURGE")
CDN_PURGE_HEADERS = json.loads(os.environ.get("CDN_PURGE_HEADERS", "{}"))
# Seconds one purge request may take; a CDN that does not answer in time gets the rest of the
# purge later, from `manage.py retry_cdn_purges` (cron), and publishing never waits on it.
CDN_PURGE_TIMEOUT = float(os.environ.get("CDN_PURGE_TIMEOUT", "5"))

# How long an article's texts may be, in characters (encyclopedia/limits.py): a section's body,
# the summary, and the summary and all sections together. The admin's forms show them and
# refuse longer texts; so does the importer.
ARTICLE_SECTION_MAX_CHARS = int(os.environ.get("ARTICLE_SECTION_MAX_CHARS", "20000"))
ARTICLE_SUMMARY_MAX_CHARS = int(os.environ.get("ARTICLE_SUMMARY_MAX_CHARS", "3000"))
ARTICLE_MAX_CHARS = int(os.environ.get("ARTICLE_MAX_CHARS", "150000"))

# Months between medical reviews, per article type ("default" for the rest).
REVIEW_INTERVAL_MONTHS = {"default": int(os.environ.get("REVIEW_INTERVAL_MONTHS", "36"))}
# The editor's plain-language hint: the Flesch–Kincaid grade each section should not exceed.
READING_GRADE_TARGET = float(os.environ.get("READING_GRADE_TARGET", "8"))
# The reviewer's workspace flags references older than this many years.
REFERENCE_MAX_AGE_YEARS = int(os.environ.get("REFERENCE_MAX_AGE_YEARS", "5"))

# Email: SMTP in production (EMAIL_HOST and friends); the console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "encyclopedia@localhost")
# A mail server that hangs costs an attempt this many seconds at most; after a failure, a process
# leaves sending to `send_queued_mail` (cron) for MAIL_RETRY_INTERVAL seconds (editorial/outbox.py).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
MAIL_RETRY_INTERVAL = float(os.environ.get("MAIL_RETRY_INTERVAL", "60"))

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # HTTPS only: redirect plain HTTP and tell browsers to stay on HTTPS for a year.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a proxy that terminates TLS, trust its X-Forwarded-Proto header.
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
