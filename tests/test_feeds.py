"""Atom, RSS and JSON feeds, the sitemap: they parse cleanly and carry what readers need."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    ann = make_author(name="Ann Lee", slug="ann-lee")
    bo = make_author(name="Bo Chen", slug="bo-chen")
    data = make_category(name="Data", slug="data")
    first = make_post(
        title="Indexes & <you>",
        body="Some **bold** text.[^1]\n\n```python\nx = 1\n```\n\n[^1]: A note.",
        authors=[ann, bo],
        categories=[data],
        tags=["Postgres", "Performance"],
        updated_at=timezone.now(),
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    second = make_post(title="Second", authors=[bo], tags=["Postgres"])
    make_post(title="Draft", slug="the-draft", status=Post.Status.DRAFT, tags=["Postgres"])
    return first, second


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


def test_site_atom_feed_has_full_content_authors_categories_and_dates(client, posts):
    first, _ = posts
    response, feed = parsed(client, reverse("blog:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == ["Second", "Indexes & <you>"]
    entry = feed.entries[1]
    assert entry.link == f"http://testserver{first.get_absolute_url()}"
    assert "<strong>bold</strong>" in entry.content[0].value
    assert 'class="highlight"' in entry.content[0].value
    assert [author.name for author in entry.authors] == ["Ann Lee", "Bo Chen"]
    assert {tag.term for tag in entry.tags} == {"Data", "Postgres", "Performance"}
    assert entry.published_parsed[:3] == first.published_at.utctimetuple()[:3]
    assert entry.updated_parsed[:3] == first.updated_at.utctimetuple()[:3]
    assert "Draft" not in response.content.decode()


def test_site_rss_feed(client, posts):
    _response, feed = parsed(client, reverse("blog:feed_rss"))
    assert feed.version == "rss20"
    entry = feed.entries[1]
    assert "<strong>bold</strong>" in entry.content[0].value
    assert entry.author == "Ann Lee"
    assert {tag.term for tag in entry.tags} == {"Data", "Postgres", "Performance"}


@pytest.mark.parametrize(
    ("url_name", "slug", "titles"),
    [
        ("blog:tag_feed_atom", "postgres", ["Second", "Indexes & <you>"]),
        ("blog:tag_feed_rss", "performance", ["Indexes & <you>"]),
        ("blog:category_feed_atom", "data", ["Indexes & <you>"]),
        ("blog:category_feed_rss", "data", ["Indexes & <you>"]),
        ("blog:author_feed_atom", "bo-chen", ["Second", "Indexes & <you>"]),
        ("blog:author_feed_rss", "ann-lee", ["Indexes & <you>"]),
    ],
)
def test_tag_category_and_author_feeds(client, posts, url_name, slug, titles):
    _, feed = parsed(client, reverse(url_name, args=[slug]))
    assert [entry.title for entry in feed.entries] == titles


def test_feeds_of_unknown_terms_answer_404(client):
    assert client.get(reverse("blog:tag_feed_atom", args=["nope"])).status_code == 404


def test_json_feed_follows_version_1_1(client, posts):
    first, _ = posts
    response = client.get(reverse("blog:feed_json"))
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/feed.json"
    item = feed["items"][1]
    assert item["id"] == f"http://testserver{first.get_absolute_url()}"
    assert item["title"] == "Indexes & <you>"
    assert "<strong>bold</strong>" in item["content_html"]
    assert [author["name"] for author in item["authors"]] == ["Ann Lee", "Bo Chen"]
    assert dt.datetime.fromisoformat(item["date_published"]) == first.published_at
    assert sorted(item["tags"]) == ["Performance", "Postgres"]
    # What the specification requires of every feed and item (feedparser 6.0 reads no JSON).
    assert {"version", "title", "items"} <= feed.keys()
    for each in feed["items"]:
        assert isinstance(each["id"], str)
        assert "content_html" in each or "content_text" in each
        dt.datetime.fromisoformat(each["date_modified"])


def test_feeds_make_a_fixed_number_of_queries(client, posts, django_assert_num_queries):
    for _ in range(5):
        make_post(authors=[make_author(), make_author()], tags=["a", "b", "c"])
    client.get("/")  # a new cache reads when the next scheduled post is due, once
    # the posts, then their authors, categories and tags
    with django_assert_num_queries(4):
        client.get(reverse("blog:feed_atom"))
    # the posts: what feeds show of their authors and terms is kept (blog.caching.cards)
    with django_assert_num_queries(1):
        client.get(reverse("blog:feed_json"))
    # after an edit, read again for that post alone
    edited = Post.objects.filter(status=Post.Status.PUBLISHED).latest("published_at")
    edited.authors.add(make_author(name="Newly Credited"))
    with django_assert_num_queries(4):
        json_feed = client.get(reverse("blog:feed_json")).json()
    assert "Newly Credited" in [author["name"] for author in json_feed["items"][0]["authors"]]


def test_pages_link_their_feeds(client, posts):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feed.xml"' in html
    assert 'href="/index.xml"' in html
    assert 'href="/feed.json"' in html
    tag_page = client.get(reverse("blog:tag_detail", args=["postgres"])).content.decode()
    assert 'href="/tags/postgres/feed.xml"' in tag_page


def test_sitemap_lists_public_posts_with_lastmod_and_the_browsing_pages(client, posts):
    first, _second = posts
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {
        url.find("s:loc", ns).text: url.find("s:lastmod", ns) for url in root.findall("s:url", ns)
    }
    post_url = f"http://testserver{first.get_absolute_url()}"
    assert post_url in entries
    assert entries[post_url].text == first.updated_at.date().isoformat()
    for path in [
        "/",
        "/archive/",
        "/tags/",
        "/tags/postgres/",
        "/categories/data/",
        "/authors/ann-lee/",
        f"/{first.published_at:%Y}/",
        f"/{first.published_at:%Y/%m}/",
    ]:
        assert f"http://testserver{path}" in entries, path
    draft = Post.objects.get(slug="the-draft")
    assert f"http://testserver{draft.get_absolute_url()}" not in entries


@pytest.mark.parametrize("url", ["/feed.xml", "/index.xml", "/feed.json", "/sitemap.xml"])
def test_feed_readers_polling_get_304_until_something_changes(client, posts, url):
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_post(title="Newer")
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- Hostile text -------------------------------------------------------------------------------

CONTROL_CHARACTERS = "\x0b\x01\x1f\ufffe\x08"


@pytest.mark.parametrize(
    "url", ["/feed.xml", "/index.xml", "/tags/evil/feed.xml", "/tags/evil/index.xml"]
)
def test_control_characters_never_break_a_feed(client, url):
    """Text pasted from word processors carries characters XML cannot hold; a feed strips
    them rather than answer 500 (RSS) or emit XML no reader can parse (Atom)."""
    author = make_author(name=f"Ann{CONTROL_CHARACTERS}", slug="ann")
    make_post(
        title=f"Vertical{CONTROL_CHARACTERS}tab",
        description=f"Desc{CONTROL_CHARACTERS}",
        body=f"Body with a &#11; and a \x0b{CONTROL_CHARACTERS}.",
        tags=[f"evil{CONTROL_CHARACTERS}"],
        authors=[author],
    )
    response, feed = parsed(client, url)
    assert feed.entries[0].title == "Verticaltab"
    ET.fromstring(response.content)  # well-formed XML, not just what feedparser forgives


@pytest.mark.parametrize("url", ["/feed.xml", "/index.xml", "/feed.json"])
def test_feeds_stay_valid_without_authors_descriptions_or_excerpts(client, url):
    Post.objects.create(
        title="Bare",
        slug="bare",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=1),
        body="",
    )
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".json"):
        assert json.loads(response.content)["items"][0]["title"] == "Bare"
        return
    root = ET.fromstring(response.content)
    if url == "/feed.xml":
        atom = "{http://www.w3.org/2005/Atom}"
        # RFC 4287: an entry without an author needs the feed to name one.
        assert root.find(f"{atom}author/{atom}name").text
    _, feed = parsed(client, url)
    assert feed.entries[0].title == "Bare"


def test_sitemap_lists_pages_and_costs_the_same_for_more_content(client):
    from blog.models import Page

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemap.xml").status_code == 200
        return len(captured)

    Page.objects.create(title="About", path="/about me/", status="published")
    Page.objects.create(
        title="Gone", path="/gone.html", status="published", redirect_to="https://x.example/"
    )
    Page.objects.create(title="Draft", path="/draft/")
    make_post()
    text = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/about%20me/" in text
    assert "/gone.html" not in text
    assert "/draft/" not in text
    cache.clear()
    few = count_queries()
    for number in range(5):
        make_post(slug=f"more-{number}")
        Page.objects.create(title=f"P{number}", path=f"/p{number}/", status="published")
    cache.clear()
    assert count_queries() == few


def test_a_post_keeps_its_feed_id_when_it_moves_and_imports_keep_the_old_sites(client, tmp_path):
    from blog.importing import ImportOptions, import_paths
    from blog.models import SiteSettings

    post = make_post(slug="first")
    first_id = post.feed_id
    assert first_id == f"http://testserver{post.get_absolute_url()}"
    settings_row = SiteSettings.load()
    settings_row.post_address = "/posts/:slug/"
    settings_row.save()
    post.refresh_from_db()
    assert post.path == "/posts/first/"
    entries = feedparser.parse(client.get("/feed.xml").content).entries
    assert [entry.id for entry in entries] == [first_id]
    rss = client.get("/index.xml").content.decode()
    assert f'<guid isPermaLink="false">{first_id}</guid>' in rss
    assert json.loads(client.get("/feed.json").content)["items"][0]["id"] == first_id

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("url: https://old.example\nbaseurl: /blog\n")
    (site / "_posts" / "2020-01-02-moved.md").write_text("---\ntitle: Moved\n---\nText.\n")
    import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    moved = Post.objects.get(title="Moved")
    # jekyll-feed's <id>: the post's id on the old site (tests/test_site_moves.py checks it
    # against jekyll-feed itself).
    assert moved.feed_id == "https://old.example/blog/2020/01/02/moved"


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client, url):
    """{address: lastmod} of a sitemap file, or of every file of a sitemap index."""
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    if root.tag == f"{{{SITEMAP_NS['s']}}}urlset":
        return {
            entry.find("s:loc", SITEMAP_NS).text: getattr(
                entry.find("s:lastmod", SITEMAP_NS), "text", None
            )
            for entry in root.findall("s:url", SITEMAP_NS)
        }
    found = {}
    for part in root.findall("s:sitemap", SITEMAP_NS):
        location = part.find("s:loc", SITEMAP_NS).text
        assert location.startswith("http://testserver/sitemap-")
        entries = sitemap_entries(client, location.removeprefix("http://testserver"))
        assert not found.keys() & entries.keys()
        found.update(entries)
    return found


def test_a_large_sitemap_is_an_index_of_files_that_list_the_same_addresses(client, monkeypatch):
    """Past POSTS_PER_SITEMAP posts, /sitemap.xml becomes an index: its files hold exactly the
    entries the single file had, oldest posts first, and each file costs the same queries."""
    from blog.models import Page

    Page.objects.create(title="About", path="/about/", status="published")
    start = timezone.now() - dt.timedelta(days=30)
    for number in range(7):
        make_post(
            slug=f"post-{number}",
            tags=["python"],
            published_at=start + dt.timedelta(days=number),
            updated_at=start + dt.timedelta(days=10 + (number * 5) % 7),  # not in order
        )
    make_post(slug="a-draft", status=Post.Status.DRAFT)
    whole = sitemap_entries(client, "/sitemap.xml")
    assert ET.fromstring(client.get("/sitemap.xml").content).tag.endswith("urlset")

    monkeypatch.setattr("blog.sitemaps.POSTS_PER_SITEMAP", 3)
    cache.clear()
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{{{SITEMAP_NS['s']}}}sitemapindex"
    files = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert files == [
        "http://testserver/sitemap-site.xml",
        *(f"http://testserver/sitemap-posts-{n}.xml" for n in (1, 2, 3)),
    ]
    assert sitemap_entries(client, "/sitemap.xml") == whole
    # Oldest first: a new post changes the last file only.
    first_file = sitemap_entries(client, "/sitemap-posts-1.xml")
    assert sorted(first_file) == [
        f"http://testserver{Post.objects.get(slug=f'post-{n}').get_absolute_url()}"
        for n in (0, 1, 2)
    ]
    for missing in ("/sitemap-posts-0.xml", "/sitemap-posts-4.xml"):
        assert client.get(missing).status_code == 404

    def count_queries(url):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = [count_queries(url) for url in ("/sitemap.xml", "/sitemap-posts-1.xml")]
    for number in range(7, 14):
        make_post(slug=f"post-{number}", published_at=start + dt.timedelta(days=number))
    assert [count_queries(url) for url in ("/sitemap.xml", "/sitemap-posts-1.xml")] == before
