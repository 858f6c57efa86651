"""Tag, category, keyword, author, archive and index pages; previews; old addresses; errors."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from blog.models import Address, Post
from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def many_posts(count=6, **links):
    """Posts with several authors, categories, tags and keywords each."""
    authors = [make_author() for _ in range(3)]
    categories = [make_category() for _ in range(2)]
    return [
        make_post(
            authors=authors,
            categories=categories,
            tags=["alpha", "beta", f"t{number}"],
            keywords=["kw", f"k{number}"],
            published_at=timezone.now() - DAY * (number + 1),
            **links,
        )
        for number in range(count)
    ]


# --- Term pages -----------------------------------------------------------------------------------


def test_tag_page_lists_its_public_posts_with_a_count_and_feeds(client):
    tagged = make_post(title="Tagged", tags=["Python"])
    make_post(title="Other", tags=["Go"])
    make_post(title="Draft", tags=["Python"], status=Post.Status.DRAFT)
    html = html_of(client, reverse("blog:tag_detail", args=["python"]))
    assert '<h1 class="page-title">#Python</h1>' in html
    assert "1 post</p>" not in html  # the count is followed by feed links
    assert "1 post ·" in html
    assert tagged.title in html
    assert "Other" not in html
    assert "Draft" not in html
    assert f'href="{reverse("blog:tag_feed_atom", args=["python"])}"' in html
    assert f'href="{reverse("blog:tag_feed_rss", args=["python"])}"' in html
    html_of(client, reverse("blog:tag_detail", args=["nope"]), status=404)


def test_category_keyword_and_author_pages(client):
    ann = make_author(name="Ann Lee", slug="ann-lee", bio="Writes about *databases*.")
    data = make_category(name="Data", slug="data", description="Storing things.")
    make_post(title="One", authors=[ann], categories=[data], keywords=["btree"])
    make_post(title="Two", authors=[ann])
    category = html_of(client, data.get_absolute_url())
    assert "Storing things." in category
    assert "One" in category
    assert "Two" not in category
    keyword = html_of(client, reverse("blog:keyword_detail", args=["btree"]))
    assert "One" in keyword
    assert "Two" not in keyword
    author = html_of(client, ann.get_absolute_url())
    assert "<em>databases</em>" in author
    assert "2 posts" in author
    assert "One" in author
    assert "Two" in author


@override_settings(BLOG_POSTS_PER_PAGE=2)
def test_term_pages_are_paginated(client):
    for _ in range(5):
        make_post(tags=["paged"])
    first = html_of(client, reverse("blog:tag_detail", args=["paged"]))
    assert "5 posts" in first
    assert "Page 1 of 3" in first
    html_of(client, reverse("blog:tag_detail", args=["paged"]) + "?page=3")


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        # state; count; page; authors, categories, tags prefetched; and the term itself
        ("blog:tag_detail", 8),
        ("blog:category_detail", 8),
        ("blog:author_detail", 8),
        ("blog:keyword_detail", 8),
    ],
)
def test_term_pages_make_a_fixed_number_of_queries(
    client, django_assert_num_queries, url_name, queries
):
    posts = many_posts()
    post = Post.objects.for_listing().prefetch_related("keywords").get(pk=posts[0].pk)
    slug = {
        "blog:tag_detail": "alpha",
        "blog:category_detail": post.categories.all()[0].slug,
        "blog:author_detail": post.authors.all()[0].slug,
        "blog:keyword_detail": "kw",
    }[url_name]
    with django_assert_num_queries(queries):
        assert client.get(reverse(url_name, args=[slug])).status_code == 200


# --- Index pages ----------------------------------------------------------------------------------


def test_tag_cloud_weighs_tags_by_public_posts(client, django_assert_num_queries):
    for _ in range(4):
        make_post(tags=["common"])
    make_post(tags=["rare"])
    make_post(tags=["hidden"], status=Post.Status.DRAFT)
    # a new cache reads when the next scheduled post is due; the counts (every link, less
    # those of hidden posts), the tags; navigation
    with django_assert_num_queries(5):
        html = html_of(client, reverse("blog:tag_list"))
    assert "tag-cloud__tag--5" in html  # common: the most
    assert "tag-cloud__tag--1" in html  # rare: the least
    assert "#hidden" not in html
    assert "2 tags" in html


def test_category_and_author_indexes_count_public_posts(client, django_assert_num_queries):
    many_posts()
    make_post(
        authors=[make_author(name="Only Drafts")],
        categories=[make_category(name="Empty")],
        status=Post.Status.DRAFT,
    )
    # a new cache reads when the next scheduled post is due; the counts (every link, less
    # those of hidden posts), the categories; navigation
    with django_assert_num_queries(5):
        categories = html_of(client, reverse("blog:category_list"))
    with django_assert_num_queries(4):
        authors = html_of(client, reverse("blog:author_list"))
    assert categories.count("6 posts") == 2
    assert "Empty" not in categories
    assert authors.count("6 posts") == 3
    assert "Only Drafts" not in authors


# --- Archives -------------------------------------------------------------------------------------


def test_archive_index_groups_months_by_year_with_counts(client, django_assert_num_queries):
    for when in ["2023-05-02", "2023-05-20", "2024-01-09"]:
        make_post(published_at=dt.datetime.fromisoformat(when + "T12:00:00+00:00"))
    with django_assert_num_queries(3):
        html = html_of(client, reverse("blog:archive"))
    assert html.index(">2024</a>") < html.index(">2023</a>")
    assert "2 posts" in html
    assert f'href="{reverse("blog:month_archive", args=[2023, 5])}">May</a>' in html


def test_year_and_month_archives(client, django_assert_num_queries):
    may = make_post(title="In May", published_at=dt.datetime(2023, 5, 2, 12, tzinfo=dt.UTC))
    make_post(title="In June", published_at=dt.datetime(2023, 6, 2, 12, tzinfo=dt.UTC))
    make_post(title="Next year", published_at=dt.datetime(2024, 1, 2, 12, tzinfo=dt.UTC))
    year = html_of(client, reverse("blog:year_archive", args=[2023]))
    assert "In May" in year
    assert "In June" in year
    assert "Next year" not in year
    assert "2 posts" in year
    # posts exist; months of the year; next and previous month; count; page (its card was
    # kept from the year's page: its authors, categories and tags are not read again)
    with django_assert_num_queries(7):
        month = html_of(client, reverse("blog:month_archive", args=[2023, 5]))
    assert may.title in month
    assert "In June" not in month
    assert f'href="{reverse("blog:month_archive", args=[2023, 6])}"' in month
    html_of(client, reverse("blog:year_archive", args=[1999]), status=404)
    html_of(client, reverse("blog:month_archive", args=[2023, 7]), status=404)


# --- A post: neighbours, related, previews ---------------------------------------------


def test_post_page_links_previous_next_and_related_posts(client):
    older = make_post(title="Older", tags=["x"], published_at=timezone.now() - 3 * DAY)
    post = make_post(title="Middle", tags=["x", "y"], published_at=timezone.now() - 2 * DAY)
    newer = make_post(title="Newer", tags=["y"], published_at=timezone.now() - DAY)
    make_post(title="Unrelated", tags=["z"], published_at=timezone.now() - 4 * DAY)
    post.save()  # related posts are chosen when a post is written: among those there then
    html = html_of(client, post.get_absolute_url())
    assert f'href="{older.get_absolute_url()}" rel="prev"' in html
    assert f'href="{newer.get_absolute_url()}" rel="next"' in html
    related = html[html.index("Related posts") :]
    assert "Older" in related
    assert "Newer" in related
    assert "Unrelated" not in related


def test_post_page_shows_a_later_update_date(client):
    post = make_post(updated_at=timezone.now(), published_at=timezone.now() - 30 * DAY)
    assert "Updated <time" in html_of(client, post.get_absolute_url())


@pytest.mark.parametrize(
    ("overrides", "banner"),
    [
        ({"status": Post.Status.DRAFT}, "Draft preview"),
        ({"published_at": timezone.now() + 3 * DAY}, "Scheduled preview"),
    ],
)
def test_staff_preview_drafts_and_scheduled_posts_with_a_banner(
    client, admin_user, overrides, banner
):
    post = make_post(**overrides)
    assert client.get(post.get_absolute_url()).status_code == 404
    client.force_login(admin_user)
    html = html_of(client, post.get_absolute_url())
    assert banner in html
    assert '<meta name="robots" content="noindex">' in html


# --- Old addresses, errors, conditional requests ---------------------------------------


def test_old_addresses_answer_301_to_the_post(client):
    post = make_post(slug="hello")
    Address.objects.create(key="/2019/05/01/hello", post=post)
    Address.objects.create(key="/posts/hello", post=post)
    for old in ["/2019/05/01/hello.html", "/2019/05/01/hello/", "/posts/hello", "/posts/hello/"]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == post.get_absolute_url()
    assert client.get("/posts/other/").status_code == 404


def test_old_address_of_a_draft_stays_404(client):
    post = make_post(status=Post.Status.DRAFT)
    Address.objects.create(key="/old", post=post)
    assert client.get("/old/").status_code == 404


def test_imported_posts_keep_their_old_addresses(client, tmp_path):
    from blog.importing import ImportOptions, import_paths

    folder = tmp_path / "site"
    (folder / "_posts").mkdir(parents=True)
    (folder / "_posts" / "2019-05-01-hello.md").write_text(
        "---\ntitle: Hello\ncategories: [Notes]\naliases: [/hi/]\npermalink: /blog/hello/\n---\n"
    )
    (folder / "content").mkdir()
    import_paths([str(folder)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get()
    for old in ["/hi/", "/blog/hello/", "/blog/hello"]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())
    # With a permalink, Jekyll never published the post at its default address.
    assert client.get("/notes/2019/05/01/hello.html").status_code == 404


@override_settings(DEBUG=False)
def test_404_page_is_in_the_sites_design(client):
    html = html_of(client, "/no/such/page/", status=404)
    assert "This page is not here" in html
    assert 'class="site-header"' in html
    assert 'role="search"' in html


def test_500_page_renders_without_the_database(rf, django_assert_num_queries):
    from blog.views import server_error

    request = rf.get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_answer_conditional_requests_with_304(client):
    post = make_post()
    for url in ["/", post.get_absolute_url(), reverse("blog:archive")]:
        first = client.get(url)
        assert first.has_header("ETag"), url
        assert first.has_header("Last-Modified"), url
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        assert again["ETag"] == first["ETag"], url  # RFC 9110: a 304 repeats the validator
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304, url
    etag = client.get("/")["ETag"]
    post.title = "Changed"
    post.save()
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_post_becoming_public_changes_the_etag(client, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False)
    make_post(title="Later", published_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC))
    before = client.get("/")
    time_machine.move_to(dt.datetime(2030, 1, 3, tzinfo=dt.UTC), tick=False)
    after = client.get("/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Later" in after.content.decode()


def test_robots_txt_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_anonymous_readers_get_a_cached_page_until_the_content_changes(
    client, django_assert_num_queries
):
    post = make_post(title="First title", tags=["a"])
    assert "First title" in html_of(client, "/")
    # the stored page, without a query
    with django_assert_num_queries(0):
        assert "First title" in html_of(client, "/")
    post.title = "Second title"
    post.save()
    assert "Second title" in html_of(client, "/")


def test_logged_in_users_always_get_a_fresh_page(client, admin_user):
    make_post()
    client.force_login(admin_user)
    client.get("/")
    response = client.get("/")
    assert response.status_code == 200
    assert response.context is not None  # rendered again, not taken from the cache


@override_settings(BLOG_PAGE_CACHE_SECONDS=0)
def test_the_page_cache_can_be_turned_off(client, django_assert_num_queries):
    make_post()
    client.get("/")
    # rendered again: the count, the posts, the navigation (the cards are kept)
    with django_assert_num_queries(3):
        assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_scheduled_post_appears_on_time_on_stored_pages(client, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False)
    make_post(title="Old news", published_at=dt.datetime(2029, 12, 1, tzinfo=dt.UTC))
    make_post(title="Scheduled", published_at=dt.datetime(2030, 1, 1, 13, tzinfo=dt.UTC))
    assert "Scheduled" not in html_of(client, "/")
    time_machine.move_to(dt.datetime(2030, 1, 1, 13, 0, 1, tzinfo=dt.UTC), tick=False)
    assert "Scheduled" in html_of(client, "/")


def test_an_import_changes_the_pages_at_once(client, tmp_path):
    from blog.importing import ImportOptions, import_paths

    html_of(client, "/")
    (tmp_path / "2024-01-01-imported.md").write_text("---\ntitle: Imported now\n---\nText.")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    assert "Imported now" in html_of(client, "/")


@pytest.mark.parametrize("what", ["tag", "author", "category"])
def test_renaming_a_tag_author_or_category_changes_cached_pages(client, what):
    from taggit.models import Tag

    author = make_author(name="Old author")
    category = make_category(name="Old category")
    make_post(authors=[author], categories=[category], tags=["old-tag"])
    assert "Old author" in html_of(client, "/")
    renamed = {
        "tag": Tag.objects.get(name="old-tag"),
        "author": author,
        "category": category,
    }[what]
    renamed.name = "Renamed"
    renamed.save()
    assert "Renamed" in html_of(client, "/")


def test_editing_a_posts_tags_in_the_admin_changes_cached_pages(admin_client, client):
    post = make_post(tags=["before"])
    assert "#before" in html_of(client, "/")
    from tests.test_admin import change_url, form_data

    admin_client.post(change_url(post), form_data(post, tags="after"))
    assert "#after" in html_of(client, "/")
