"""Search: ranked, highlighted, safe with any input, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post

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


def test_empty_query_shows_the_form_and_a_hint(client):
    html = results(client, "").content.decode()
    assert 'role="search"' in html
    assert "Put a phrase in" in html


@override_settings(BLOG_POSTS_PER_PAGE=1)
def test_search_results_are_paginated_keeping_the_query(client, corpus):
    html = results(client, "index").content.decode()
    assert "?q=index&amp;page=2" in html


def test_search_makes_a_fixed_number_of_queries(client, corpus, django_assert_num_queries):
    # content state, ranked ids, the page's posts, their authors, categories and tags; and on
    # PostgreSQL the page's highlighted passages
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 6):
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
