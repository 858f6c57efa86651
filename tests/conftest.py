"""Test configuration: which backend pass this is, and the services and browser it needs.

`make test` runs the suite twice: on SQLite with the local-memory cache, then with
BLOG_TEST_SERVICES=1 on PostgreSQL (DATABASE_URL) with the Redis cache (REDIS_URL). Tests
marked `postgres` or `redis` run only in the second pass, tests marked `sqlite` only in the
first. Outside CI, a second pass whose servers do not answer skips with the reason; in CI
(CI=true) it fails instead, so nothing is silently not run.
"""

import os
import shutil

import pytest
from django.conf import settings

from tests import servers

IN_CI = os.environ.get("CI", "").lower() == "true"
SERVICES_PASS = os.environ.get("BLOG_TEST_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"


def _service_problems():
    problems = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not name a PostgreSQL database")
    else:
        import psycopg

        try:
            psycopg.connect(
                host=database["HOST"] or "127.0.0.1",
                port=database["PORT"] or 5432,
                user=database["USER"],
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as error:
            problems.append(f"PostgreSQL at {database['HOST']}:{database['PORT']}: {error}")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            problems.append(f"Redis at {settings.REDIS_URL}: {error}")
    return problems


def pytest_collection_modifyitems(config, items):
    needs_services = [
        item
        for item in items
        if item.get_closest_marker("postgres") or item.get_closest_marker("redis")
    ]
    if SERVICES_PASS:
        problems = _service_problems()
        if problems and IN_CI:
            raise pytest.UsageError("CI needs PostgreSQL and Redis: " + "; ".join(problems))
        if problems:
            skip = pytest.mark.skip(reason="PostgreSQL + Redis pass: " + "; ".join(problems))
            for item in items:
                item.add_marker(skip)
    # Each pass leaves out what belongs to the other one (deselected, not skipped).
    other_pass = (
        [item for item in items if item.get_closest_marker("sqlite")]
        if SERVICES_PASS
        else needs_services
    )
    if other_pass:
        config.hook.pytest_deselected(items=other_pass)
        items[:] = [item for item in items if item not in other_pass]

    wants_generators = any(item.get_closest_marker("generators") for item in items)
    if IN_CI and wants_generators and shutil.which("jekyll") is None:
        raise pytest.UsageError("CI needs Debian's jekyll (apt install jekyll)")

    wants_varnish = any(item.get_closest_marker("shared_cache") for item in items)
    if IN_CI and wants_varnish and not os.access(servers.VARNISHD, os.X_OK):
        raise pytest.UsageError("CI needs Debian's varnish and varnish-modules (apt install)")

    if not os.access(CHROMIUM, os.X_OK):
        if IN_CI and any(item.get_closest_marker("browser") for item in items):
            raise pytest.UsageError(
                f"CI needs Debian's chromium at {CHROMIUM} (apt install chromium)"
            )
        skip = pytest.mark.skip(reason=f"no browser: install Debian's chromium ({CHROMIUM})")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


@pytest.fixture
def shared_dir():
    """The team's shared folder beside the checkout (corpus, Jekyll fixtures, XSS lists)."""
    path = settings.BASE_DIR.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the shared corpus is not beside this checkout")
    return path


@pytest.fixture
def artifacts_dir():
    path = settings.BASE_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages cached by one test never answer another."""
    from django.core.cache import cache

    from blog.caching import pages, tokens

    cache.clear()
    tokens.store().clear()
    pages.RECENT.clear()


@pytest.fixture(autouse=True, scope="session")
def _remove_the_token_file():
    """The test process's token file (site_config/test_settings.py) goes with it."""
    yield
    path = settings.BLOG_TOKEN_FILE
    if path and os.path.exists(path):
        os.remove(path)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, driven by Playwright (tests marked ``browser``)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM, used by the test
    # itself, refuses to run next to one unless told that this is deliberate.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
