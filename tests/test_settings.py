"""Settings read from the environment, the setup commands, and migrations that match the models."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

BASE_DIR = settings.BASE_DIR


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with exactly ``env``: (exit code, stdout, stderr)."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout, result.stderr


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly ``env``; return (code, output)."""
    code, out, err = run_python(
        "import site_config.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'], s.STORAGES['staticfiles']['BACKEND'], "
        "s.BLOG_POSTS_PER_PAGE)",
        **env,
    )
    return code, out + err


# What the README's production section exports.
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3Q-" + "x7" * 30,
    "DJANGO_ALLOWED_HOSTS": "blog.example.com",
    "SITE_URL": "https://blog.example.com",
}


def test_production_refuses_to_start_without_a_secret_key():
    code, output = load_settings(DJANGO_ALLOWED_HOSTS="blog.example.com")
    assert code != 0
    assert "DJANGO_SECRET_KEY is not set" in output


def test_production_refuses_to_start_without_allowed_hosts():
    code, output = load_settings(DJANGO_SECRET_KEY="x" * 50)
    assert code != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in output


def test_production_refuses_to_start_without_the_sites_address():
    code, output = load_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="a.example")
    assert code != 0
    assert "SITE_URL is not set" in output


def test_production_defaults():
    code, output = load_settings(**PRODUCTION)
    assert code == 0, output
    assert output.split() == [
        "False",
        "['blog.example.com']",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "10",
    ]


@pytest.mark.parametrize(
    ("behind_proxy", "trusted"), [("", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")]
)
def test_forwarded_proto_is_trusted_only_behind_a_proxy(behind_proxy, trusted):
    code = "import site_config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_DEBUG": "1"}
    if behind_proxy:
        env["DJANGO_BEHIND_PROXY"] = behind_proxy
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.stdout.strip() == trusted, result.stderr


def test_development_needs_nothing_but_debug():
    code, output = load_settings(DJANGO_DEBUG="1")
    assert code == 0, output
    assert output.startswith("True ['localhost', '127.0.0.1', '[::1]', 'testserver']")


def test_environment_chooses_database_cache_and_page_size():
    code, output = load_settings(
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/blog",
        REDIS_URL="redis://127.0.0.1:6379/0",
        BLOG_POSTS_PER_PAGE="25",
    )
    assert code == 0, output
    assert "django.db.backends.postgresql" in output
    assert "blog.cache_backends.ResilientRedisCache" in output
    assert output.split()[-1] == "25"


def read_settings(names, **env):
    """The values of the settings ``names`` in a fresh interpreter with ``env``, as text."""
    code, out, err = run_python(
        f"import site_config.settings as s; print(*(repr(getattr(s, n)) for n in {names!r}))",
        **env,
    )
    assert code == 0, err
    return out.split()


HTTPS_SETTINGS = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS"]


def test_an_https_site_redirects_to_https_and_sends_hsts():
    assert read_settings(HTTPS_SETTINGS, **PRODUCTION) == ["True", "31536000", "True"]


def test_https_settings_follow_the_environment():
    values = read_settings(
        HTTPS_SETTINGS,
        **PRODUCTION,
        DJANGO_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="300",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
    )
    assert values == ["False", "300", "False"]


def test_a_plain_http_site_neither_redirects_nor_sends_hsts():
    values = read_settings(HTTPS_SETTINGS, **{**PRODUCTION, "SITE_URL": "http://10.0.0.5:8000"})
    assert values[:2] == ["False", "0"]


def test_check_deploy_is_silent_with_the_documented_production_variables(tmp_path):
    # With the database's own checks too: every management command that touches the database
    # runs them, and a warning there is printed before each command's output.
    database = f"sqlite:///{tmp_path / 'blog.sqlite3'}"
    command = ["check", "--deploy", "--database", "default", "--fail-level", "WARNING"]
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database, **PRODUCTION},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_manage_py_in_a_plain_shell_is_local_development():
    """The README's commands work as written, without exporting anything."""
    code = "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        env={"PATH": os.environ.get("PATH", "")},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["True", "http://127.0.0.1:8000"], result.stderr


def test_a_bad_search_rate_is_a_clear_error():
    code, output = load_settings(DJANGO_DEBUG="1", BLOG_SEARCH_RATE="often")
    assert code != 0
    assert "BLOG_SEARCH_RATE must look like '30/60'" in output


def test_bad_number_is_a_clear_error():
    code, output = load_settings(DJANGO_DEBUG="1", BLOG_POSTS_PER_PAGE="lots")
    assert code != 0
    assert "BLOG_POSTS_PER_PAGE must be a whole number, got 'lots'" in output


@pytest.mark.sqlite
def test_sqlite_runs_in_wal_mode(tmp_path):
    # The test database lives in memory, where WAL does not apply; check a file database.
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "site_config.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite3'}",
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "wal", result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_demo_admin_is_created_once_with_a_random_password(tmp_path, settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    credentials = tmp_path / "creds"
    first, second = StringIO(), StringIO()
    call_command("ensure_demo_admin", credentials_file=str(credentials), stdout=first)
    call_command("ensure_demo_admin", credentials_file=str(credentials), stdout=second)
    username, password = credentials.read_text().split()
    assert username == "admin"
    assert len(password) >= 16
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert f"password: {password}" in first.getvalue()
    assert first.getvalue() == second.getvalue()
    assert oct(credentials.stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_demo_admin_refuses_when_debug_is_off(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development"):
        call_command("ensure_demo_admin", stdout=StringIO())


@pytest.mark.django_db
def test_rerender_posts_renders_stored_markdown_again():
    from blog.models import Post
    from tests.factories import make_post

    post = make_post(body="*new*")
    Post.objects.filter(pk=post.pk).update(body_html="<p>stale</p>", word_count=0)
    call_command("rerender_posts", stdout=StringIO())
    post.refresh_from_db()
    assert post.body_html == "<p><em>new</em></p>"
    assert post.word_count == 1


@pytest.mark.django_db
def test_rerender_posts_makes_the_same_number_of_queries_for_any_number_of_posts():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_post

    def queries():
        with CaptureQueriesContext(connection) as captured:
            call_command("rerender_posts", stdout=StringIO())
        return len(captured)

    make_post(slug="one")
    few = queries()
    for number in range(6):
        make_post(slug=f"more-{number}", excerpt_words=70)
    assert queries() == few
