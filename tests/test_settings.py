"""Settings read from the environment, the setup commands, and migrations that match the models."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

BASE_DIR = settings.BASE_DIR


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly ``env``; return (code, output)."""
    code = (
        "import site_config.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.CACHES['default']['BACKEND'], s.STORAGES['staticfiles']['BACKEND'], "
        "s.BLOG_POSTS_PER_PAGE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    code, output = load_settings(DJANGO_ALLOWED_HOSTS="blog.example.com")
    assert code != 0
    assert "DJANGO_SECRET_KEY is not set" in output


def test_production_refuses_to_start_without_allowed_hosts():
    code, output = load_settings(DJANGO_SECRET_KEY="x" * 50)
    assert code != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in output


def test_production_defaults():
    code, output = load_settings(
        DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="blog.example.com"
    )
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
    assert "django.core.cache.backends.redis.RedisCache" in output
    assert output.split()[-1] == "25"


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
