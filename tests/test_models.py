"""Model rules: what is public, one slug per day, rendering on save, addresses."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag

from blog.models import Page, Post
from blog.rendering import render_markdown
from tests.factories import make_author, make_post

pytestmark = pytest.mark.django_db


def test_published_post_dated_in_the_past_is_public():
    post = make_post()
    assert list(Post.objects.public()) == [post]
    assert post.is_public


def test_draft_is_not_public():
    post = make_post(status=Post.Status.DRAFT)
    assert not Post.objects.public().exists()
    assert not post.is_public


def test_future_post_is_scheduled_not_public():
    post = make_post(published_at=timezone.now() + dt.timedelta(hours=1))
    assert not Post.objects.public().exists()
    assert post.is_scheduled


def test_scheduled_post_becomes_public_when_its_time_comes():
    publish_at = timezone.now() + dt.timedelta(days=2)
    make_post(published_at=publish_at)
    assert Post.objects.public(now=publish_at).count() == 1


def test_expired_post_is_not_public():
    make_post(expires_at=timezone.now() - dt.timedelta(minutes=1))
    make_post(expires_at=timezone.now() + dt.timedelta(days=1))
    assert Post.objects.public().count() == 1


def test_public_posts_are_newest_first():
    old = make_post(published_at=timezone.now() - dt.timedelta(days=9))
    new = make_post(published_at=timezone.now() - dt.timedelta(days=1))
    assert list(Post.objects.public()) == [new, old]


def test_slug_is_unique_per_day_in_the_database():
    make_post(slug="hello", published_at=dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(slug="hello", published_at=dt.datetime(2024, 5, 1, 18, tzinfo=dt.UTC))


def test_same_slug_on_another_day_is_fine():
    make_post(slug="hello", published_at=dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC))
    make_post(slug="hello", published_at=dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC))
    assert Post.objects.filter(slug="hello").count() == 2


def test_clean_explains_a_slug_already_used_that_day():
    make_post(slug="hello", published_at=dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC))
    post = Post(
        title="Again", slug="hello", published_at=dt.datetime(2024, 5, 1, 20, tzinfo=dt.UTC)
    )
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "already uses this slug" in str(error.value.message_dict["slug"])


@override_settings(TIME_ZONE="America/Los_Angeles")
def test_address_uses_the_calendar_day_in_the_site_time_zone():
    # 03:30 UTC on 5 November is still 4 November in California.
    post = make_post(slug="late", published_at=dt.datetime(2024, 11, 5, 3, 30, tzinfo=dt.UTC))
    assert post.published_on == dt.date(2024, 11, 4)
    assert post.get_absolute_url() == "/2024/11/04/late/"


def test_canonical_address_pads_month_and_day():
    post = make_post(slug="x", published_at=dt.datetime(2025, 3, 7, 12, tzinfo=dt.UTC))
    assert post.get_absolute_url() == "/2025/03/07/x/"


def test_saving_renders_the_markdown():
    post = make_post(body="## Part one\n\nHello *world*.[^1]\n\n[^1]: A note.")
    assert "<em>world</em>" in post.body_html
    assert 'class="footnote"' in post.body_html
    assert post.excerpt_html == "<p>Hello <em>world</em>.</p>"
    assert "#part-one" in post.toc_html
    assert post.word_count == 6
    assert post.reading_time == 1


def test_saving_again_renders_the_edit():
    post = make_post(body="Before.")
    post.body = "After."
    post.save()
    post.refresh_from_db()
    assert post.body_html == "<p>After.</p>"


def test_post_excerpt_separator_overrides_the_site_default():
    post = make_post(body="One.\n\n<!--cut-->\n\nTwo.", excerpt_separator="<!--cut-->")
    assert post.excerpt_html == "<p>One.</p>"


def test_authors_keep_their_credited_order():
    zoe, adam = make_author(name="Zoë"), make_author(name="Adam")
    post = make_post(authors=[zoe, adam])
    listed = Post.objects.for_listing().get(pk=post.pk)
    assert [author.term for author in listed.shown_authors] == [zoe, adam]


def test_long_table_of_contents():
    short = make_post(body="## One\n\n## Two")
    long = make_post(body="## One\n\n## Two\n\n## Three")
    assert not short.has_long_toc
    assert long.has_long_toc


def test_author_bio_is_rendered():
    author = make_author(bio="Writes about *databases*.")
    assert author.bio_html == "<p>Writes about <em>databases</em>.</p>"


def test_tags_and_keywords_are_separate():
    post = make_post(tags=["Python"], keywords=["python tutorial"])
    assert list(post.tags.names()) == ["Python"]
    assert list(post.keywords.names()) == ["python tutorial"]


def test_saving_renders_only_when_the_markdown_changed(monkeypatch):
    post = make_post(body="*one*")
    stored = Post.objects.get(pk=post.pk)
    calls = []
    monkeypatch.setattr(
        "blog.models.posts.render_post_markdown",
        lambda **inputs: calls.append(inputs) or render_markdown(inputs["body"]),
    )
    stored.title = "A new title"
    stored.save()
    assert calls == []
    stored.body = "*two*"
    stored.save()
    assert len(calls) == 1
    assert Post.objects.get(pk=post.pk).body_html == "<p><em>two</em></p>"


@pytest.mark.parametrize("model", [Post, Page])
def test_content_of_files_is_found_through_the_source_path_index(model):
    """An import looks up each batch's files; a plan that reads every row costs 45 ms a batch
    at 10,000 posts."""
    plan = model.objects.from_files(["_posts/a.md", "_posts/b.md"]).explain()
    if connection.vendor == "sqlite":
        assert "source_path=?" in plan, plan
        assert "SCAN" not in plan, plan
    else:
        # The planner may prefer a scan of a tiny table; forbid that to see what it can use.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = model.objects.from_files(["_posts/a.md", "_posts/b.md"]).explain()
        assert "source_path" in plan, plan
        assert "Seq Scan" not in plan, plan


def test_public_counts_by_term_leave_out_drafts_scheduled_and_expired_posts():
    now = timezone.now()
    for _ in range(3):
        make_post(tags=["common"])
    make_post(tags=["common", "rare"])
    make_post(tags=["common", "rare"], status=Post.Status.DRAFT)
    make_post(tags=["rare"], published_at=now + dt.timedelta(days=1))  # scheduled
    make_post(tags=["gone"], expires_at=now - dt.timedelta(hours=1))  # expired
    counts = Post.objects.public_counts_by_term("tags")
    names = {tag.pk: tag.name for tag in Tag.objects.all()}
    assert {names[pk]: count for pk, count in counts.items()} == {"common": 4, "rare": 1}
