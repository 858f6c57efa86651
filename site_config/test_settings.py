"""Settings for the test suite: the real settings, with test values for what production requires.

Tests run with debug off, as production does. DATABASE_URL and REDIS_URL still choose the backends,
so the same suite runs on SQLite and on PostgreSQL + Redis.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ["DJANGO_PLAIN_STATIC"] = "1"

from site_config.settings import *  # noqa: F403

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")

# Hashing passwords slowly is the point in production and a waste of time in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app folders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Each test process has its own token file (blog.caching.tokens), removed when it ends.
BLOG_TOKEN_FILE = os.path.join(
    tempfile.gettempdir(), f"blog-test-tokens-{os.getpid()}-{_worker or 'main'}"
)

# Parallel test workers (pytest-xdist) each get their own Redis database, so that one worker
# emptying the cache between its tests never empties another's.
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    _base, _, _database = REDIS_URL.rpartition("/")  # noqa: F405
    _database = max(int(_database or 0) - int(_worker[2:]), 0)
    CACHES["default"]["LOCATION"] = f"{_base}/{_database}"  # noqa: F405
