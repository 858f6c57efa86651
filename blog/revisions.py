"""Revisions: every save of a post or page keeps what it was; any revision can be compared and
restored.

A post revision's snapshot is ``blog.loading.snapshot``'s: the fields an import or the admin sets,
and the ordered authors and categories, tags and keywords, so it means the same thing whoever
saved. A page revision's is ``Page.snapshot()``.
"""

import datetime as dt
import difflib

from django.db import transaction
from django.utils import timezone

from blog.caching import content_changed
from blog.loading import related_for_snapshot, snapshot_lines, stored_snapshot
from blog.models import (
    Author,
    Category,
    Page,
    PageRevision,
    Post,
    PostAuthor,
    PostCategory,
    Revision,
)


def record_revision(post, *, user=None, source=Revision.Source.ADMIN, note=""):
    """Keep the post as it is now (call after its tags and links are saved)."""
    post = Post.objects.prefetch_related(*related_for_snapshot()).get(pk=post.pk)
    return Revision.objects.create(
        post=post,
        version=post.version,
        user=user if user is not None and user.is_authenticated else None,
        source=source,
        note=note,
        snapshot=stored_snapshot(post),
    )


def revision_diff(revision, post):
    """A unified diff from ``revision`` to the post as it is now: lines of text."""
    current = stored_snapshot(
        Post.objects.prefetch_related(*related_for_snapshot()).get(pk=post.pk)
    )
    return list(
        difflib.unified_diff(
            snapshot_lines(revision.snapshot),
            snapshot_lines(current),
            fromfile=f"version {revision.version}, {revision.created_at:%Y-%m-%d %H:%M}",
            tofile=f"now (version {post.version})",
            lineterm="",
        )
    )


# What decides whether and when readers see a post: a restore leaves these as they are unless
# the person restoring confirms each change (see publication_changes).
PUBLICATION_FIELDS = ("status", "published_at", "expires_at", "updated_at")


def publication_changes(revision, post):
    """What restoring ``revision`` would do to whether and when ``post`` is shown, in words:
    an empty list when nothing would change."""
    values = revision.snapshot
    changes = []
    if values["status"] != post.status:
        was, then = post.get_status_display(), Post.Status(values["status"]).label
        effect = "it would no longer be on the site" if post.is_public else "it would be published"
        changes.append(f"Status: {was} → {then} ({effect})")
    labels = {
        "published_at": "Publication date (the date in its address)",
        "expires_at": "Expiry",
        "updated_at": "Last updated",
    }
    for name, label in labels.items():
        then, now = _moment(values[name]), getattr(post, name)
        if then != now:
            changes.append(f"{label}: {_shown(now)} → {_shown(then)}")
    return changes


@transaction.atomic
def restore_revision(revision, *, user, restore_publication=False):
    """Put the post back as ``revision`` left it; the restore is itself a new revision.

    The status and dates (``PUBLICATION_FIELDS``) stay as they are now unless
    ``restore_publication`` is given: restoring the text of an old version must never silently
    unpublish a live post or move its address.
    """
    post = Post.objects.select_for_update().get(pk=revision.post_id)
    values = revision.snapshot
    for name in (
        "title",
        "slug",
        "description",
        "excerpt",
        "excerpt_separator",
        "layout",
        "images",
        "permalink",
        "aliases",
        "body",
    ):
        setattr(post, name, values[name])
    # Revisions saved before excerpt_words was part of the snapshot keep the current value.
    post.excerpt_words = values.get("excerpt_words", post.excerpt_words)
    post.front_matter_extra = values["extra"]
    if restore_publication:
        post.status = values["status"]
        for name in ("published_at", "updated_at", "expires_at"):
            setattr(post, name, _moment(values[name]))
    post.save()
    _replace_links(post, PostAuthor, "author", Author, values["authors"])
    _replace_links(post, PostCategory, "category", Category, values["categories"])
    post.tags.set(values["tags"])
    post.keywords.set(values["keywords"])
    content_changed(post_ids=[post.pk])
    return record_revision(
        post,
        user=user,
        source=Revision.Source.RESTORE,
        note=f"Restored version {revision.version} of {revision.created_at:%Y-%m-%d %H:%M}",
    )


def _replace_links(post, through, field, model, slugs):
    """Link the post to the objects with ``slugs``, in order; ones deleted since are skipped."""
    by_slug = model.objects.in_bulk(slugs, field_name="slug")
    through.objects.filter(post=post).delete()
    through.objects.bulk_create(
        through(post=post, position=position, **{field: by_slug[slug]})
        for position, slug in enumerate(slug for slug in slugs if slug in by_slug)
    )


def _moment(text):
    return dt.datetime.fromisoformat(text) if text else None


def _shown(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "none"


# --- Pages ---------------------------------------------------------------------------------------

# A restore leaves these as they are: restoring an old text must not unpublish or move a page.
PAGE_PLACE_FIELDS = ("path", "status")


def record_page_revision(page, *, user=None, source=Revision.Source.ADMIN, note=""):
    """Keep the page as it is now."""
    return PageRevision.objects.create(
        page=page,
        version=page.version,
        user=user if user is not None and user.is_authenticated else None,
        source=source,
        note=note,
        snapshot=page.snapshot(),
    )


def page_revision_diff(revision, page):
    """A unified diff from ``revision`` to the page as it is now: lines of text."""
    return list(
        difflib.unified_diff(
            snapshot_lines(revision.snapshot),
            snapshot_lines(Page.objects.get(pk=page.pk).snapshot()),
            fromfile=f"version {revision.version}, {revision.created_at:%Y-%m-%d %H:%M}",
            tofile=f"now (version {page.version})",
            lineterm="",
        )
    )


@transaction.atomic
def restore_page_revision(revision, *, user):
    """Put the page back as ``revision`` left it, keeping its address and status; the restore
    is itself a new revision."""
    page = Page.objects.select_for_update().get(pk=revision.page_id)
    for name in Page.SNAPSHOT_FIELDS:
        if name not in PAGE_PLACE_FIELDS and name in revision.snapshot:
            setattr(page, name, revision.snapshot[name])
    page.save()
    return record_page_revision(
        page,
        user=user,
        source=Revision.Source.RESTORE,
        note=f"Restored version {revision.version} of {revision.created_at:%Y-%m-%d %H:%M}",
    )
