"""A real shared cache in front, and more than one app server: Varnish keeps public pages and
a change purges exactly the pages that show it; two gunicorn servers sharing PostgreSQL and
Redis show an edit made through one at once through the other and through Varnish, while an
import runs."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from blog.models import Post
from tests import servers
from tests.factories import make_post

pytestmark = [
    pytest.mark.shared_cache,
    pytest.mark.skipif(
        not os.access(servers.VARNISHD, os.X_OK) and os.environ.get("CI") != "true",
        reason="no Varnish: install Debian's varnish and varnish-modules",
    ),
]


@pytest.fixture
def purging_varnish(live_server, settings, tmp_path):
    port = int(live_server.url.rsplit(":", 1)[1])
    with servers.varnish(port, tmp_path) as front:
        settings.BLOG_PURGER = "blog.caching.purgers.VarnishPurger"
        settings.BLOG_PURGE_URLS = [front]
        settings.BLOG_SHARED_CACHE_SECONDS = 3600
        yield front


def shared(front, path, **headers):
    status, response_headers, body = servers.get(front + path, **headers)
    return status, response_headers.get("X-Shared-Cache"), body


@pytest.mark.django_db(transaction=True)
def test_varnish_keeps_public_pages_and_a_change_purges_exactly_those(purging_varnish):
    front = purging_varnish
    edited = make_post(title="Edited", tags=["edited"], body="The first body.")
    other = make_post(title="Other", tags=["other"], body="Another post.")
    for post in (edited, other):
        assert shared(front, post.get_absolute_url())[1] == "miss"
        assert shared(front, post.get_absolute_url())[1] == "hit"
    shared(front, "/tags/other/")
    shared(front, "/")

    edited.body = "The second body."
    edited.save()  # purges its keys through Varnish when it commits

    status, cache, body = shared(front, edited.get_absolute_url())
    assert (status, cache) == (200, "miss")
    assert "The second body." in body
    assert shared(front, "/")[1] == "miss"  # shows its excerpt
    assert shared(front, other.get_absolute_url())[1] == "hit"  # not purged
    assert shared(front, "/tags/other/")[1] == "hit"


@pytest.mark.django_db(transaction=True)
def test_varnish_never_keeps_what_is_not_public(purging_varnish, admin_user):
    front = purging_varnish
    post = make_post(title="Public")
    for cookie in ("sessionid=abc", "csrftoken=abc"):
        shared(front, post.get_absolute_url(), Cookie=cookie)
        assert shared(front, post.get_absolute_url(), Cookie=cookie)[1] == "miss"
    shared(front, "/admin/login/")
    assert shared(front, "/admin/login/")[1] == "miss"
    shared(front, "/no/such/page/")
    assert shared(front, "/no/such/page/")[1] == "miss"
    # Other cookies do not keep a reader from the shared copy.
    shared(front, "/")
    assert shared(front, "/", Cookie="_ga=GA1.2.3")[1] == "hit"


@pytest.mark.django_db(transaction=True)
def test_a_purge_that_fails_is_logged_and_the_write_stands(settings, caplog):
    settings.BLOG_PURGER = "blog.caching.purgers.VarnishPurger"
    settings.BLOG_PURGE_URLS = [f"http://127.0.0.1:{servers.free_port()}"]  # nothing there
    post = make_post(title="Saved")
    post.title = "Saved while the cache was away"
    post.save()
    assert Post.objects.get(pk=post.pk).title == "Saved while the cache was away"
    assert "Could not purge" in caplog.text


# --- Two app servers ---------------------------------------------------------------------------


@pytest.fixture
def two_servers_database():
    import psycopg

    name = "blog_two_servers"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.browser
def test_two_app_servers_and_varnish_show_an_edit_at_once_while_an_import_runs(
    two_servers_database, browser, tmp_path
):
    import redis

    from bench.generate_corpus import generate

    redis_url = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(redis_url).flushdb()
    backend_port = servers.free_port()
    env = servers.production_env(
        two_servers_database,
        REDIS_URL=redis_url,
        BLOG_SHARED_CACHE_SECONDS="3600",
        BLOG_PURGER="blog.caching.purgers.VarnishPurger",
        DJANGO_SUPERUSER_PASSWORD="two-servers-password",
    )
    servers.manage(env, "migrate", "--noinput", "--verbosity", "0")
    servers.manage(env, "import_posts", str(settings.BASE_DIR / "fixtures" / "posts"), "-v", "0")
    servers.manage(
        env, "createsuperuser", "--noinput", "--username", "editor", "--email", "editor@example.com"
    )
    generate(tmp_path / "corpus", 300)

    # Varnish in front of server B; B's address is fixed before it starts, for the VCL.
    with servers.varnish(backend_port, tmp_path) as front:
        env["BLOG_PURGE_URLS"] = front
        with (
            servers.gunicorn(env) as server_a,
            servers.gunicorn(env, port=backend_port) as server_b,
        ):
            post = _a_post_address(server_b)
            servers.get(front + post)
            assert servers.get(front + post)[1]["X-Shared-Cache"] == "hit"

            importing = subprocess.Popen(
                [sys.executable, "manage.py", "import_posts", str(tmp_path / "corpus"), "-v", "0"],
                cwd=settings.BASE_DIR,
                env=env,
            )
            try:
                new_body = f"Edited through server A at {time.time():.3f}."
                _edit_through_the_admin(browser, server_a, post, new_body)
                assert importing.poll() is None, "the import was still running during the edit"
                assert new_body in servers.get(server_b + post)[2]
                status, headers, body = servers.get(front + post)
                assert status == 200
                assert new_body in body
                assert headers["X-Shared-Cache"] == "miss"  # purged by the edit
            finally:
                assert importing.wait(timeout=300) == 0
            # The import's posts show through both, and its changes reached Varnish too.
            newest = servers.get(server_a + "/")[2]
            assert newest == servers.get(server_b + "/")[2]
            assert newest == servers.get(front + "/")[2]


def _a_post_address(server):
    home = servers.get(server + "/")[2]
    start = home.index('class="post-summary__title"><a href="') + len(
        'class="post-summary__title"><a href="'
    )
    return home[start : home.index('"', start)]


def _edit_through_the_admin(browser, server, address, body):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "two-servers-password")
    page.click("input[type=submit]")
    page.goto(server + "/admin/blog/post/?q=" + address.strip("/").rsplit("/", 1)[-1])
    page.click("#result_list tbody tr th a")
    page.fill("#id_body", body)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    context.close()
