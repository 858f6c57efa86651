"""The page cache in front of the framework: what it answers, with which headers, to whom."""

import datetime as dt

import pytest
from django.test import Client, override_settings

from blog.caching import pages, purgers
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return make_post(title="Stored post", tags=["stored"])


def test_a_stored_page_is_served_with_every_header_and_no_query(
    client, post, django_assert_num_queries
):
    first = client.get(post.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get(post.get_absolute_url())
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "Surrogate-Key",
    ):
        assert again[header] == first[header], header
    assert again["Content-Length"] == str(len(first.content))
    assert "Vary" not in again  # the same page for every reader who is not logged in
    assert set(again["Surrogate-Key"].split()) >= {"site", f"p{post.pk}"}


def test_a_matching_if_none_match_answers_304(client, post, django_assert_num_queries):
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get("/", HTTP_IF_NONE_MATCH='"another"').status_code == 200
    assert client.get("/", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_head_is_answered_from_the_store(client, post, django_assert_num_queries):
    body = client.get("/").content
    with django_assert_num_queries(0):
        response = client.head("/")
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(body))


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken"])
def test_a_session_or_csrf_cookie_goes_through_django(client, post, cookie):
    client.get("/")
    client.cookies[cookie] = "x" * 32
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert response.context is not None  # rendered by the view


def test_other_methods_go_through_django(client, post):
    client.get("/")
    assert client.post("/").status_code == 405
    assert client.options("/").get("X-Page-Cache") is None


def test_logged_in_staff_get_a_private_page_no_cache_keeps(admin_client, post):
    response = admin_client.get(post.get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert "Surrogate-Key" not in response
    assert "X-Page-Cache" not in response


def test_pages_for_shared_caches(client, post, settings):
    assert client.get("/")["Cache-Control"] == "public, no-cache"  # no purger: always ask
    settings.BLOG_SHARED_CACHE_SECONDS = 3600
    settings.BLOG_STALE_WHILE_REVALIDATE_SECONDS = 30
    settings.BLOG_STALE_IF_ERROR_SECONDS = 600
    assert client.get("/")["Cache-Control"] == (
        "public, max-age=0, s-maxage=3600, stale-while-revalidate=30, stale-if-error=600"
    )


def test_shared_caches_keep_pages_no_longer_than_the_next_scheduled_post(
    client, settings, time_machine
):
    settings.BLOG_SHARED_CACHE_SECONDS = 3600
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False)
    make_post(title="Now", published_at=dt.datetime(2030, 1, 1, 11, tzinfo=dt.UTC))
    make_post(title="Soon", published_at=dt.datetime(2030, 1, 1, 12, 10, tzinfo=dt.UTC))
    control = client.get("/")["Cache-Control"]
    assert "s-maxage=600," in control
    assert "stale-while-revalidate" not in control  # a stale copy would hide the new post
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, 5, tzinfo=dt.UTC), tick=False)
    assert "s-maxage=300," in client.get("/")["Cache-Control"]


def test_a_scheduled_post_goes_live_on_the_pages_that_show_it_only(client, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False)
    old = make_post(title="Old news", published_at=dt.datetime(2029, 6, 1, tzinfo=dt.UTC))
    make_post(title="Scheduled", published_at=dt.datetime(2030, 1, 1, 13, tzinfo=dt.UTC))
    lonely = make_post(
        title="Lonely", tags=["alone"], published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    for address in ("/", old.get_absolute_url(), lonely.get_absolute_url(), "/tags/alone/"):
        client.get(address)
    assert "Scheduled" not in client.get("/").content.decode()
    time_machine.move_to(dt.datetime(2030, 1, 1, 13, 0, 1, tzinfo=dt.UTC), tick=False)
    assert "Scheduled" in client.get("/").content.decode()
    assert "Scheduled" in client.get(old.get_absolute_url()).content.decode()  # its neighbour
    assert client.get(lonely.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_page_that_sets_a_cookie_is_not_stored(client, post, monkeypatch):
    from blog import views

    original = views.PostListView.get

    def with_cookie(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(views.PostListView, "get", with_cookie)
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_query_strings_that_change_nothing_share_the_stored_page(client, post):
    client.get("/")
    assert client.get("/?utm_source=newsletter")["X-Page-Cache"] == "hit"
    assert client.get("/?page=1")["X-Page-Cache"] == "miss"


@override_settings(BLOG_PAGE_CACHE_SECONDS=0)
def test_the_store_can_be_turned_off(client, post):
    client.get("/")
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert response.context is not None


class RecordingPurger:
    purged = []

    def purge(self, keys):
        self.purged.append(list(keys))


def test_a_change_is_purged_from_shared_caches_by_key_after_commit(
    post, settings, django_capture_on_commit_callbacks
):
    settings.BLOG_PURGER = "tests.test_front_cache.RecordingPurger"
    RecordingPurger.purged = []
    post.body = "Changed."
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post.save()
    assert RecordingPurger.purged == []  # not before the change is committed
    for callback in callbacks:
        callback()
    assert RecordingPurger.purged == [["edits", f"p{post.pk}"]]
    assert isinstance(purgers.purger(), RecordingPurger)


def test_the_header_for_cloudflare_separates_keys_with_commas(client, post, settings):
    settings.BLOG_SURROGATE_KEY_HEADER = "Cache-Tag"
    assert ", " in client.get("/")["Cache-Tag"]
    assert pages.surrogate_keys(["a", "b"]) == "a, b"


def test_a_client_without_cookies_never_gets_a_logged_in_page(admin_user, post):
    staff = Client()
    staff.force_login(admin_user)
    post.status = "draft"
    post.save()
    assert staff.get(post.get_absolute_url()).status_code == 200  # the preview
    assert Client().get(post.get_absolute_url()).status_code == 404


def test_processes_without_redis_share_what_changed_through_the_token_file(tmp_path):
    import subprocess
    import sys

    from blog.caching.tokens import FileTokens

    path = str(tmp_path / "tokens")
    here = FileTokens(path)
    before = here.snapshot(["p1", "p2"])
    subprocess.run(
        [sys.executable, "-c", f"from blog.caching.tokens import FileTokens; "
         f"FileTokens({path!r}).bump(['p1'])"],
        check=True,
    )  # fmt: skip
    after = here.snapshot(["p1", "p2"])
    assert after.tokens[0] != before.tokens[0]
    assert after.tokens[1] == before.tokens[1]
    assert after.changes != before.changes
    # A new generation (the file made again, or cleared) matches no page stored before.
    here.clear()
    assert here.snapshot(["p2"]).tokens[0] != before.tokens[1]
