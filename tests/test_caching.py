"""What pages depend on and when they change: every write path shows at once, drafts change no
public page, and the site keeps serving when the database or Redis is down."""

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test import Client, override_settings
from django.urls import reverse
from taggit.models import Tag

from blog import caching
from blog.cache_backends import ResilientRedisCache
from blog.models import Post
from blog.revisions import record_revision, restore_revision
from tests.factories import make_author, make_category, make_post
from tests.test_admin import CHANGELIST, change_url, form_data

pytestmark = pytest.mark.django_db


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


# --- Every write path shows at once ------------------------------------------------------------


def test_saving_a_post_shows_at_once(client):
    post = make_post(title="Before")
    assert "Before" in home(client)
    post.title = "After"
    post.save()
    assert "After" in home(client)


def test_bulk_publish_and_unpublish_show_at_once(client, admin_client):
    draft = make_post(title="Was a draft", status=Post.Status.DRAFT)
    assert "Was a draft" not in home(client)
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    assert "Was a draft" in home(client)
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert "Was a draft" not in home(client)


def test_the_admins_render_again_action_shows_at_once(client, admin_client):
    post = make_post(body="Fresh *text*.")
    Post.objects.filter(pk=post.pk).update(excerpt_html="<p>Stale rendering</p>")
    caching.content_changed()
    assert "Stale rendering" in home(client)
    admin_client.post(CHANGELIST, {"action": "rerender", "_selected_action": [post.pk]})
    assert "Stale rendering" not in home(client)


def test_rerender_posts_shows_at_once_even_without_authors(client):
    post = make_post(body="Fresh *text*.")
    Post.objects.filter(pk=post.pk).update(excerpt_html="<p>Stale rendering</p>")
    caching.content_changed()
    assert "Stale rendering" in home(client)
    call_command("rerender_posts", stdout=StringIO())
    assert "Stale rendering" not in home(client)


def test_restoring_a_revision_shows_at_once(client):
    post = make_post(title="First title")
    first = record_revision(post)
    post.title = "Second title"
    post.save()
    assert "Second title" in home(client)
    restore_revision(first, user=None)
    assert "First title" in home(client)


def test_an_admin_save_shows_at_once(client, admin_client):
    post = make_post(title="Before")
    assert "Before" in home(client)
    admin_client.post(change_url(post), form_data(post, title="Edited in the admin"))
    assert "Edited in the admin" in home(client)


@pytest.mark.parametrize("what", ["tag", "author", "category"])
def test_renaming_a_term_shows_at_once(client, what):
    author, category = make_author(name="Old author"), make_category(name="Old category")
    make_post(authors=[author], categories=[category], tags=["old-tag"])
    assert "Old author" in home(client)
    term = {"tag": Tag.objects.get(name="old-tag"), "author": author, "category": category}[what]
    term.name = "Renamed"
    term.save()
    assert "Renamed" in home(client)


# --- Drafts are not public ---------------------------------------------------------------------


def test_saving_a_draft_changes_no_public_pages_validators(client):
    make_post(title="Public")
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    first = client.get("/")
    draft.body = "Edited draft."
    draft.save()
    make_post(title="Another draft", status=Post.Status.DRAFT)
    again = client.get("/")
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_publishing_and_unpublishing_change_the_validators(client):
    post = make_post(title="Public")
    first = client.get("/")["ETag"]
    post.status = Post.Status.DRAFT
    post.save()
    unpublished = client.get("/")["ETag"]
    assert unpublished != first
    post.status = Post.Status.PUBLISHED
    post.save()
    # The ETag is the page's: the same bytes as before it was unpublished, the same ETag.
    assert client.get("/")["ETag"] == first


def test_logged_in_staff_get_fresh_pages_without_validators(admin_client):
    make_post(title="Public")
    response = admin_client.get("/")
    assert "ETag" not in response
    assert response.context is not None


# --- The page cache ----------------------------------------------------------------------------


def test_query_strings_other_than_the_page_share_one_cache_entry(client):
    make_post()
    client.get("/")
    page_key = caching.pages.page_key
    assert page_key(_request("/?utm_source=x&b=2")) == page_key(_request("/"))
    assert page_key(_request("/?page=2")) != page_key(_request("/"))


def _request(path):
    from django.test import RequestFactory

    return RequestFactory().get(path)


# --- The database is down ----------------------------------------------------------------------


def _database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)


def test_pages_rendered_before_the_database_went_down_are_still_served(client, monkeypatch):
    make_post(title="Cached before the outage")
    assert "Cached before the outage" in home(client)
    caching.content_changed()  # the stored page is out of date: it would be rendered again
    _database_down(monkeypatch)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "stale"
    assert response["Cache-Control"] == "public, no-cache"  # no shared cache keeps it
    assert "Cached before the outage" in response.content.decode()


def test_other_pages_answer_503_with_retry_after_while_the_database_is_down(monkeypatch):
    make_post()
    _database_down(monkeypatch)
    response = Client(raise_request_exception=False).get(reverse("blog:archive"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.content.decode()


# --- Redis is down -----------------------------------------------------------------------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "blog.cache_backends.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def dead_redis(settings):
    ResilientRedisCache._down = False
    settings.CACHES = DEAD_REDIS
    yield
    ResilientRedisCache._down = False


def test_a_dead_redis_is_a_cache_miss_logged_once(dead_redis, caplog):
    from django.core.cache import cache

    with caplog.at_level(logging.ERROR, logger="blog.cache"):
        assert cache.get("key", "default") == "default"
        cache.set("key", "value")
        assert cache.add("key", 1) is False
        assert cache.incr("counter") is None
        cache.delete("key")
        assert cache.get_many(["a", "b"]) == {}
    assert len([record for record in caplog.records if "unavailable" in record.message]) == 1


def test_the_site_serves_pages_saves_and_imports_with_redis_down(dead_redis, client, tmp_path):
    post = make_post(title="Served without Redis")
    for url in ("/", post.get_absolute_url(), "/tags/", "/feed.xml", "/search/?q=served"):
        assert client.get(url).status_code == 200, url
    post.title = "Saved without Redis"
    post.save()
    assert "Saved without Redis" in home(client)
    from blog.importing import ImportOptions, import_paths

    (tmp_path / "2024-01-01-x.md").write_text("---\ntitle: Imported without Redis\n---\nText.")
    report = import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    assert report.created == 1
    assert "Imported without Redis" in home(client)


@override_settings(BLOG_PAGE_CACHE_SECONDS=0)
def test_the_page_cache_can_be_turned_off(client):
    make_post(title="Uncached")
    client.get("/")
    assert client.get("/").context is not None


@pytest.mark.redis
def test_changes_made_while_redis_was_away_show_when_it_answers_again(client, monkeypatch):
    """A save while Redis does not answer cannot give new tokens; the stored pages (in Redis
    and in each process's memory) must not be served as if nothing had changed."""
    from django.core.cache.backends.redis import RedisCacheClient
    from redis.exceptions import ConnectionError as RedisConnectionError

    post = make_post(title="Before the outage")
    assert "Before the outage" in home(client)
    assert client.get("/")["X-Page-Cache"] == "hit"

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    with monkeypatch.context() as outage:
        outage.setattr(RedisCacheClient, "get_client", refuse)
        post.title = "Saved while Redis was away"
        post.save()
    ResilientRedisCache._down_until = 0.0  # retry at once
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Saved while Redis was away" in response.content.decode()
    ResilientRedisCache._down = False
