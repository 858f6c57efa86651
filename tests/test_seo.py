"""What pages tell search engines and social networks: titles, descriptions, cards, JSON-LD."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db


def meta(html, attribute, name):
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return found


def test_post_page_has_precise_metadata(client):
    ann = make_author(name="Ann Lee", slug="ann-lee")
    post = make_post(
        title="Indexes </script> & more",
        body="First paragraph with a note.[^1]\n\n[^1]: Footnote.",
        authors=[ann],
        categories=[make_category(name="Data")],
        tags=["Postgres"],
        keywords=["btree", "gin index"],
        images=["/media/cover.png"],
    )
    html = client.get(post.get_absolute_url()).content.decode()
    url = f"http://testserver{post.get_absolute_url()}"
    assert "<title>Indexes &lt;/script&gt; &amp; more · Field Notes</title>" in html
    assert meta(html, "name", "description") == ["First paragraph with a note."]
    assert meta(html, "name", "keywords") == ["btree, gin index"]
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "property", "og:type") == ["article"]
    assert meta(html, "property", "og:url") == [url]
    assert meta(html, "property", "og:image") == ["http://testserver/media/cover.png"]
    assert meta(html, "property", "article:published_time") == [post.published_at.isoformat()]
    assert meta(html, "property", "article:author") == ["http://testserver/authors/ann-lee/"]
    assert meta(html, "property", "article:tag") == ["Postgres"]
    assert meta(html, "name", "twitter:card") == ["summary_large_image"]

    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "</script" not in script
    data = json.loads(script)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Indexes </script> & more"
    assert data["datePublished"] == post.published_at.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "Ann Lee", "url": "http://testserver/authors/ann-lee/"}
    ]
    assert data["keywords"] == ["btree", "gin index"]
    assert data["image"] == "http://testserver/media/cover.png"


def test_description_prefers_the_posts_own_and_never_shows_footnote_markers(client):
    own = make_post(description="Written for search engines.", body="Body.[^1]\n\n[^1]: N.")
    excerpt = make_post(description="", body="The excerpt.[^1]\n\n[^1]: N.")
    assert meta(client.get(own.get_absolute_url()).content.decode(), "name", "description") == [
        "Written for search engines."
    ]
    assert meta(client.get(excerpt.get_absolute_url()).content.decode(), "name", "description") == [
        "The excerpt."
    ]


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "<title>Field Notes</title>"),
        ("/?page=2", "<title>Field Notes (page 2) · Field Notes</title>"),
        ("/tags/", "<title>Tags · Field Notes</title>"),
        ("/tags/x/", "<title>#x · Field Notes</title>"),
        ("/archive/", "<title>Archive · Field Notes</title>"),
        ("/search/?q=x", "<title>Search: x · Field Notes</title>"),
    ],
)
def test_every_page_has_its_own_title_and_canonical_link(client, settings, url, title):
    settings.BLOG_POSTS_PER_PAGE = 1
    make_post(tags=["x"])
    make_post(tags=["x"])
    html = client.get(url).content.decode()
    assert title in html
    assert html.count('<link rel="canonical"') == 1
    assert meta(html, "property", "og:title")


def test_search_pages_are_not_indexed(client):
    html = client.get(reverse("blog:search") + "?q=x").content.decode()
    assert '<meta name="robots" content="noindex">' in html
