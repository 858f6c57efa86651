"""Search: ranked, highlighted, safe with any input, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from blog import caching
from blog.models import Post, PostAuthor
from tests.factories import make_author, make_post

pytestmark = pytest.mark.django_db


def results(client, query):
    response = client.get(reverse("blog:search"), {"q": query})
    assert response.status_code == 200
    return response


def titles(response):
    return [post.title for post in response.context["posts"]]


@pytest.fixture
def corpus():
    make_post(title="Choosing an index", body="How the planner reads a query.", tags=["Databases"])
    make_post(title="Notes on writing", body="A good index at the back of a book helps.")
    make_post(title="Gardening", description="About the index of plants.", body="Soil.")
    make_post(title="Tagged only", body="Nothing here.", tags=["index"])
    make_post(title="Hidden index", body="index", status=Post.Status.DRAFT)


def test_title_matches_rank_first_and_drafts_never_show(client, corpus):
    found = titles(results(client, "index"))
    assert found[0] == "Choosing an index"
    assert set(found) == {"Choosing an index", "Notes on writing", "Gardening", "Tagged only"}


def test_every_word_must_match(client, corpus):
    assert titles(results(client, "index planner")) == ["Choosing an index"]


@pytest.mark.sqlite
def test_words_match_where_words_start(client):
    """The SQLite fallback matches prefixes; PostgreSQL matches stems instead (tested below)."""
    make_post(title="Go routines", body="Small threads.")
    make_post(title="Good habits", body="Sleep well.")
    make_post(title="Ago", body="Long ago, in django.")
    assert set(titles(results(client, "go"))) == {"Go routines", "Good habits"}
    assert titles(results(client, "habit")) == ["Good habits"]


def test_snippets_highlight_the_words_and_escape_the_rest(client):
    make_post(title="Markup", body="Use <b>bold</b> for the needle, and more text after it.")
    html = results(client, "needle").content.decode()
    assert "<mark>needle</mark>" in html
    assert "&lt;b&gt;" not in html  # the snippet is the rendered text, not the markup
    assert "<b>bold</b>" not in html.split('class="post-summary__snippet"')[1].split("</p>")[0]


@pytest.mark.parametrize(
    "query", ["", "   ", "&&&", "'\"", "-", "a" * 5000, "<script>alert(1)</script>", "or", "!!"]
)
def test_empty_and_junk_queries_are_handled(client, corpus, query):
    response = results(client, query)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if not query.strip() or query in ("&&&", "'\"", "-", "!!", "or"):
        assert titles(response) == []  # nothing to search for lists nothing, not everything


def test_a_long_query_is_cut_to_the_word_and_length_limits(client, corpus):
    from blog.search import MAX_QUERY_LENGTH, clean_query

    query = clean_query(" ".join(["index"] * 100) + "\x00\x1f")
    assert len(query) <= MAX_QUERY_LENGTH
    assert "\x00" not in query
    assert "Choosing an index" in titles(results(client, " ".join(["index"] * 100)))


def test_searching_lt_never_marks_inside_an_escaped_entity(client):
    make_post(title="Comparisons", body="Use a < b when lt is what you mean.")
    html = results(client, "lt").content.decode()
    assert "&<mark>" not in html
    assert "<mark>lt</mark>" in html


# --- The index follows every write ---------------------------------------------------------------


def test_the_index_follows_saves_tags_author_names_and_deletes(client):
    post = make_post(title="Plain title", body="Nothing special.")
    assert titles(results(client, "zeppelin")) == []
    post.body = "A zeppelin over the bay."
    post.save()
    assert titles(results(client, "zeppelin")) == ["Plain title"]
    post.tags.add("aeronautics")
    assert titles(results(client, "aeronautics")) == ["Plain title"]
    author = make_author(name="Hortensia Quill")
    PostAuthor.objects.create(post=post, author=author)
    caching.content_changed(post_ids=[post.pk])  # what the admin's save_related does
    assert titles(results(client, "hortensia")) == ["Plain title"]
    author.name = "Ottoline Quill"
    author.save()
    assert titles(results(client, "ottoline")) == ["Plain title"]
    assert titles(results(client, "hortensia")) == []
    post.delete()
    assert titles(results(client, "zeppelin")) == []


def test_imported_posts_are_searchable(client, tmp_path):
    import datetime as dt

    from blog.importing import ImportOptions, import_paths

    (tmp_path / "2024-01-01-x.md").write_text(
        "---\ntitle: Imported\ntags: [quokka]\nauthor: Wilhelmina\n---\nAbout marsupials."
    )
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    for word in ("marsupials", "quokka", "wilhelmina", "imported"):
        assert titles(results(client, word)) == ["Imported"], word


def test_results_are_cached_per_query_until_a_post_changes(
    client, corpus, django_assert_num_queries
):
    results(client, "index")
    # The same search again: the page's posts and their authors; the ranked ids come from the
    # cache.
    with django_assert_num_queries(3):
        results(client, "index")
    make_post(title="Another index")
    assert "Another index" in titles(results(client, "index"))


@override_settings(BLOG_SEARCH_RATE=(3, 60))
def test_searches_are_limited_per_client(client, corpus):
    for _ in range(3):
        assert results(client, "index").status_code == 200
    response = client.get(reverse("blog:search"), {"q": "index"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many searches" in response.content.decode()
    other = client.get(reverse("blog:search"), {"q": "index"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    assert client.get(reverse("blog:search")).status_code == 200  # the form alone is free


def test_empty_query_shows_the_form_and_a_hint(client):
    html = results(client, "").content.decode()
    assert 'role="search"' in html
    assert "Put a phrase in" in html


@override_settings(BLOG_POSTS_PER_PAGE=1)
def test_search_results_are_paginated_keeping_the_query(client, corpus):
    html = results(client, "index").content.decode()
    assert "?q=index&amp;page=2" in html


def test_search_makes_a_fixed_number_of_queries(client, corpus, django_assert_num_queries):
    # when the next scheduled post is due (a new cache), ranked ids (SQLite: the oldest match to
    # rank, the ranked matches, which of them are public; PostgreSQL: a savepoint, the planner
    # settings, the ranked matches, the settings reset, the savepoint released), the page's posts
    # and their authors
    with django_assert_num_queries(7 if connection.vendor == "sqlite" else 9):
        results(client, "index")


@pytest.mark.postgres
def test_postgresql_search_stems_words_and_weights_fields(client):
    assert connection.vendor == "postgresql"
    make_post(title="Indexing large tables", body="Rows.")
    make_post(title="Other", body="We indexed everything; indexes help.")
    found = results(client, "indexes")
    assert titles(found) == ["Indexing large tables", "Other"]
    html = found.content.decode()
    assert "<mark>indexed</mark>" in html or "<mark>indexes</mark>" in html


@pytest.mark.postgres
def test_postgresql_search_understands_phrases_and_exclusions(client):
    make_post(title="One", body="the quick brown fox")
    make_post(title="Two", body="the brown quick fox")
    assert titles(results(client, '"quick brown"')) == ["One"]
    assert titles(results(client, "fox -brown")) == []


def test_a_query_matching_more_posts_than_are_ranked_ranks_the_newest(client, monkeypatch):
    """Ranking reads every candidate; beyond RANKED_MATCHES only the newest are ranked, so a
    word found in every post costs the same on 100 posts as on 100,000."""
    from blog import search

    monkeypatch.setattr(search, "RANKED_MATCHES", 3)
    old = [make_post(title=f"Old {n}", body="common words here") for n in range(4)]
    new = [make_post(title=f"New {n}", body="common words here") for n in range(3)]
    Post.objects.filter(pk__in=[p.pk for p in old]).update(
        published_at=old[0].published_at - dt.timedelta(days=365)
    )
    caching.content_changed()
    found = titles(results(client, "common"))
    assert sorted(found) == sorted(post.title for post in new)
    assert sorted(titles(results(client, "new"))) == sorted(post.title for post in new)
