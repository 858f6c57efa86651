"""The home page and the post page."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db


def test_home_lists_public_posts_with_their_details(client):
    ann = make_author(name="Ann Lee")
    post = make_post(
        title="Visible",
        body="Intro paragraph.\n\nMore.",
        authors=[ann],
        categories=[make_category(name="Databases")],
        tags=["SQLite"],
    )
    make_post(title="Hidden draft", status=Post.Status.DRAFT)
    make_post(title="Hidden future", published_at=timezone.now() + dt.timedelta(days=1))

    response = client.get(reverse("blog:post_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{post.get_absolute_url()}"' in html
    assert "Visible" in html
    assert "Ann Lee" in html
    assert "Databases" in html
    assert "#SQLite" in html
    assert f'href="{reverse("blog:tag_detail", args=["sqlite"])}"' in html
    assert f'href="{ann.get_absolute_url()}"' in html
    assert "<p>Intro paragraph.</p>" in html
    assert f'datetime="{post.published_at.isoformat()}"' in html
    assert "Hidden draft" not in html
    assert "Hidden future" not in html


@override_settings(BLOG_POSTS_PER_PAGE=2)
def test_home_is_paginated_newest_first(client):
    titles = [f"Post {n}" for n in range(5)]
    for days_ago, title in enumerate(reversed(titles), start=1):
        make_post(title=title, published_at=timezone.now() - dt.timedelta(days=days_ago))
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    third = client.get("/?page=3")
    beyond = client.get("/?page=9")
    assert "Post 4" in first
    assert "Post 3" in first
    assert "Post 2" not in first
    assert "Post 2" in second
    assert "Post 1" in second
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert "Page 3 of 3" in third.content.decode()
    assert beyond.status_code == 404


def test_home_query_count_does_not_grow_with_posts(client, django_assert_num_queries):
    authors = [make_author() for _ in range(3)]
    for _ in range(8):
        make_post(authors=authors, categories=[make_category()], tags=["a", "b", "c"])
    # when the next scheduled post is due (a new cache), count for the paginator, the page of
    # posts, then one prefetch each for authors, categories and tags
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200


def test_home_without_posts_says_so(client):
    assert "Nothing has been published yet." in client.get("/").content.decode()


def test_post_page_shows_the_post(client):
    post = make_post(
        title="Footnoted",
        body="## Part\n\nText.[^1]\n\n```python\nx = 1\n```\n\n[^1]: The note.",
        authors=[make_author(name="Bea"), make_author(name="Cy")],
        categories=[make_category(name="Notes")],
        tags=["One"],
        description="A summary for search engines.",
    )
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="post__title">Footnoted</h1>' in html
    assert "Bea" in html
    assert " and " in html
    assert "Cy" in html
    assert "Notes" in html
    assert "#One" in html
    assert 'class="footnote"' in html
    assert '<div class="highlight">' in html
    assert '<meta name="description" content="A summary for search engines.">' in html
    assert f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">' in html


def test_post_page_query_count(client, django_assert_num_queries):
    category = make_category()
    post = make_post(
        authors=[make_author(), make_author()],
        categories=[category],
        tags=["a", "b"],
        keywords=["k1", "k2"],
    )
    for _ in range(6):
        make_post(authors=[make_author()], categories=[category], tags=["a"], keywords=["k1"])
    # a new cache reads when the next scheduled post is due; the post, then its authors,
    # categories, tags and keywords; the previous and the next post; its related posts (chosen
    # when it was written)
    with django_assert_num_queries(9):
        assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + dt.timedelta(days=3)},
        {"expires_at": timezone.now() - dt.timedelta(days=1)},
    ],
    ids=["draft", "scheduled", "expired"],
)
def test_non_public_posts_answer_404(client, overrides):
    post = make_post(**overrides)
    assert client.get(post.get_absolute_url()).status_code == 404


def test_wrong_date_or_slug_answers_404(client):
    post = make_post(slug="real", published_at=dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get("/2024/03/02/real/").status_code == 404
    assert client.get("/2024/02/30/real/").status_code == 404
    assert client.get("/2024/03/01/other/").status_code == 404


def test_unicode_slugs_work(client):
    post = make_post(slug="grüße-aus-köln")
    assert client.get(post.get_absolute_url()).status_code == 200


def test_long_post_shows_its_table_of_contents(client):
    post = make_post(body="## One\n\nx\n\n## Two\n\ny\n\n## Three\n\nz")
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'aria-labelledby="site-toc-title"' in html
    assert '<a href="#three">Three</a>' in html


def test_pages_link_their_stylesheets(client):
    html = client.get("/").content.decode()
    assert 'href="/static/css/site.css"' in html
    assert 'href="/static/css/pygments.css"' in html


@pytest.mark.parametrize("slug", ["python", "tomás-herrera", "日本語", "u1f40d", "c_sharp"])
@pytest.mark.parametrize("viewname", ["blog:tag_detail", "blog:category_detail"])
def test_addresses_formatted_from_one_reverse_equal_reverse(viewname, slug):
    from blog.reversing import slug_address

    assert slug_address(viewname)(slug) == reverse(viewname, kwargs={"slug": slug})


def test_year_and_month_archives_go_by_the_sites_days(client, settings):
    """A post written at 23:30 on New Year's Eve in the site's time zone is in that year; one
    whose stored day was set in another time zone (the site's zone changed since) stays on the
    day its address has. The date index narrows the search (PostQuerySet.near_days)."""
    settings.TIME_ZONE = "America/Los_Angeles"
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    late = make_post(title="Late", published_at=dt.datetime(2024, 12, 31, 23, 30, tzinfo=zone))
    assert late.published_on == dt.date(2024, 12, 31)  # 07:30 UTC on January 1
    moved = make_post(title="Moved", published_at=dt.datetime(2025, 1, 1, 20, 0, tzinfo=dt.UTC))
    Post.objects.filter(pk=moved.pk).update(published_on=dt.date(2024, 12, 31))

    def titles(address):
        return {post.title for post in client.get(address).context["posts"]}

    assert titles("/2024/") == titles("/2024/12/") == {"Late", "Moved"}
    assert client.get("/2025/").status_code == 404


def test_an_archive_finds_its_posts_through_the_date_index(client):
    make_post(published_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/2024/").status_code == 200
    listed = [
        query["sql"]
        for query in captured
        if 'ORDER BY "blog_post"."published_at" DESC' in query["sql"] and "LIMIT" in query["sql"]
    ]
    assert listed, [query["sql"] for query in captured]
    assert all('"blog_post"."published_at" >= ' in sql for sql in listed), listed
    if connection.vendor == "sqlite":  # the plan: the date index, not the (day, slug) one
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + listed[0])
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "sqlite_autoindex" not in plan, plan
