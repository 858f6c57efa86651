"""Settings for the blog, read once from the environment.

Every knob is an environment variable documented in the README's configuration table. Development
defaults are safe to run on a laptop; production (``DJANGO_DEBUG`` unset) refuses to start without
the settings it cannot guess.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


def env_rate(name, default):
    """``"30/60"``: (30 requests, per 60 seconds)."""
    value = os.environ.get(name, "").strip() or default
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        count = seconds = 0
    if count < 0 or seconds <= 0:
        raise ImproperlyConfigured(
            f"{name} must look like '30/60' (30 requests per 60 seconds), got {value!r}."
        )
    return count, seconds


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, for example the "
            "output of\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: a key that is obviously not for production.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Give the host names this site answers to, "
        "comma-separated (for example 'blog.example.com')."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    "blog",
]

MIDDLEWARE = [
    # First: a NUL in the address never reaches the database (PostgreSQL refuses it).
    "blog.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Stored public pages for readers who are not logged in, before the rest of the stack, as
    # WhiteNoise serves static files (blog.caching.front).
    "blog.caching.front.FrontCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Late, so that it sees the final 404 of any view: an old address answers 301 instead.
    "blog.middleware.OldUrlRedirectMiddleware",
    # Last, as django-axes asks: answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

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
                "blog.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# DATABASE_URL selects the database; without it, an SQLite file in the project folder.
# Connections are kept DATABASE_CONN_MAX_AGE seconds, on SQLite too: opening one (and running
# its PRAGMAs) costs more than a page's queries.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at the same time; IMMEDIATE transactions make a
    # writer wait for the lock (busy_timeout) instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that Redis being down is a cache miss, not an error.
            "BACKEND": "blog.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "blog"),
            # A cache that does not answer quickly is no use to a page: give up and render.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------------------------
# django-axes first: a locked-out address is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: an address that fails BLOG_LOGIN_FAILURE_LIMIT times is locked out for
# BLOG_LOGIN_LOCKOUT_MINUTES; a success resets its count. By address only, so that strangers
# cannot lock a known username out from everywhere.
AXES_FAILURE_LIMIT = env_int("BLOG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("BLOG_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "blog.throttling.client_address"
AXES_LOCKOUT_TEMPLATE = "login_locked.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production; plain files while developing and testing, so
        # nobody has to run collectstatic before a test.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# --- The site's address ---------------------------------------------------------------------------
# Canonical links, feeds, the sitemap and social cards name it, so production must say it.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL is not set. Give the site's public address, for example "
            "'https://blog.example.com': canonical links, feeds and the sitemap use it."
        )
    SITE_URL = "http://127.0.0.1:8000"
SITE_USES_HTTPS = urlsplit(SITE_URL).scheme == "https"

# --- Security (production) ------------------------------------------------------------------------
# Trust X-Forwarded-Proto only when a proxy in front sets it (and strips what clients send);
# otherwise any client could claim its plain-HTTP request was HTTPS.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS everywhere once the site's address is https (and debug is off): plain HTTP redirects,
# and browsers are told to use HTTPS only (HSTS) for a year. Each can be set on its own.
_https = SITE_USES_HTTPS and not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Preloading binds every subdomain to HTTPS for good: the owner's decision (DJANGO_HSTS_PRELOAD),
# so `check --deploy` does not nag about it.
SILENCED_SYSTEM_CHECKS = [
    # The public-posts index carries the id for PostgreSQL (INCLUDE); SQLite's index entries
    # hold the rowid already, so the column it ignores there is not missed.
    "models.W040",
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Content-Security-Policy: no inline script anywhere, nothing loaded from other sites except
# images and media that posts link to, and frames from the embed hosts (BLOG_EMBED_HOSTS, below);
# no plugins or foreign forms.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "data:"],
        "media-src": ["'self'", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page of the site uses, switched off for everything it shows.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Tags -----------------------------------------------------------------------------------------
TAGGIT_CASE_INSENSITIVE = True

# --- The blog -------------------------------------------------------------------------------------
SITE_TITLE = os.environ.get("SITE_TITLE", "Field Notes")
SITE_DESCRIPTION = os.environ.get(
    "SITE_DESCRIPTION", "Notes on software, data and the craft of building things."
)
BLOG_POSTS_PER_PAGE = env_int("BLOG_POSTS_PER_PAGE", 10)
# Who is credited with a published post that names no author (imported or written here).
BLOG_DEFAULT_AUTHOR = os.environ.get("BLOG_DEFAULT_AUTHOR", "").strip() or SITE_TITLE
# The marker that ends an excerpt when a post does not set its own `excerpt_separator`.
BLOG_EXCERPT_SEPARATOR = os.environ.get("BLOG_EXCERPT_SEPARATOR", "<!--more-->")
# PostgreSQL text search configuration (language) for stemming and stop words in search.
BLOG_SEARCH_CONFIG = os.environ.get("BLOG_SEARCH_CONFIG", "english")
BLOG_FEED_ITEMS = env_int("BLOG_FEED_ITEMS", 20)
# Readers who are not logged in get pages stored when first rendered, until what they show
# changes; a stored page is kept at most this long (0 turns the page cache off).
BLOG_PAGE_CACHE_SECONDS = env_int("BLOG_PAGE_CACHE_SECONDS", 86400)
# Without Redis, the processes of the site on this machine share which pages are out of date
# through this file, mapped into memory (blog.caching.tokens); empty: next to the SQLite file.
BLOG_TOKEN_FILE = os.environ.get("BLOG_TOKEN_FILE", "")
# A shared cache in front (Varnish, a CDN): the class told what changed (empty: none), the
# addresses it purges (VarnishPurger), and the header that names what each page shows
# ("Surrogate-Key" for Varnish and Fastly, "Cache-Tag" for Cloudflare).
BLOG_PURGER = os.environ.get("BLOG_PURGER", "")
BLOG_PURGE_URLS = os.environ.get("BLOG_PURGE_URLS", "").split()
BLOG_SURROGATE_KEY_HEADER = os.environ.get("BLOG_SURROGATE_KEY_HEADER", "Surrogate-Key")
# How long a shared cache may keep a page (s-maxage): with a purger a day, since a change purges
# it; without one 0, so that it asks every time (and gets 304 when nothing changed).
BLOG_SHARED_CACHE_SECONDS = env_int("BLOG_SHARED_CACHE_SECONDS", 86400 if BLOG_PURGER else 0)
# What a shared cache may serve while it fetches a page again, and while the site fails.
BLOG_STALE_WHILE_REVALIDATE_SECONDS = env_int("BLOG_STALE_WHILE_REVALIDATE_SECONDS", 30)
BLOG_STALE_IF_ERROR_SECONDS = env_int("BLOG_STALE_IF_ERROR_SECONDS", 86400)
# Searches one client may make in a window of seconds ("30/60"); 0 turns the limit off.
BLOG_SEARCH_RATE = env_rate("BLOG_SEARCH_RATE", "30/60")
# What a 503 (database unavailable) tells clients to wait before trying again, in seconds.
BLOG_RETRY_AFTER_SECONDS = env_int("BLOG_RETRY_AFTER_SECONDS", 30)
# Images uploaded in the admin may be at most this big.
BLOG_MAX_IMAGE_BYTES = env_int("BLOG_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
# Hosts whose players posts may embed (<iframe>, <video>, <audio>), over https, sandboxed; the
# Content-Security-Policy allows frames from exactly these. Space- or comma-separated.
BLOG_EMBED_HOSTS = tuple(
    host
    for host in os.environ.get("BLOG_EMBED_HOSTS", "www.youtube-nocookie.com player.vimeo.com")
    .replace(",", " ")
    .split()
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] = [
    f"https://{host}" for host in BLOG_EMBED_HOSTS
] or ["'none'"]
